import type { Floats } from './tensor';
import type { Random } from '../random';

/**
 * Glorot (Xavier) uniform init of a `[fanIn, fanOut]` kernel: U(-l, l) with
 * l = sqrt(6 / (fanIn + fanOut)), which keeps activation variance roughly constant across layers.
 */
export function glorotUniform(out: Floats, fanIn: number, fanOut: number, rng: Random): void {
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  for (let i = 0; i < out.length; i++) out[i] = (2 * rng.next() - 1) * limit;
}

/**
 * Orthogonal init of a `[rows, cols]` matrix (rows <= cols: orthonormal rows; rows > cols:
 * orthonormal columns), as tfjs-layers does for recurrent kernels: the recurrent map then
 * preserves norms at the start, so gradients neither explode nor vanish through time early on.
 * Modified Gram-Schmidt on a Gaussian matrix, computed in Float64.
 */
export function orthogonal(out: Floats, rows: number, cols: number, rng: Random, gain = 1): void {
  const tall = rows > cols;
  // Orthonormalise the `k` vectors of length `n` (the shorter dimension's count).
  const k = tall ? cols : rows;
  const n = tall ? rows : cols;
  const v = new Float64Array(k * n);
  for (let i = 0; i < v.length; i++) v[i] = rng.normal();
  for (let i = 0; i < k; i++) {
    const vi = i * n;
    for (let j = 0; j < i; j++) {
      const vj = j * n;
      let dot = 0;
      for (let e = 0; e < n; e++) dot += v[vi + e] * v[vj + e];
      for (let e = 0; e < n; e++) v[vi + e] -= dot * v[vj + e];
    }
    let norm = 0;
    for (let e = 0; e < n; e++) norm += v[vi + e] * v[vi + e];
    norm = Math.sqrt(norm);
    for (let e = 0; e < n; e++) v[vi + e] /= norm;
  }
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) out[r * cols + c] = gain * (tall ? v[c * n + r] : v[r * n + c]);
  }
}
