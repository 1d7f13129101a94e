import { describe, expect, it } from 'vitest';
import { copyRows, gemmAddBT, gemmBTFrom } from '../../src/nn/linalg';
import { createRandom, type Random } from '../../src/nn/random';

function filled(n: number, rng: Random): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.next() * 2 - 1;
  return out;
}

describe('gemmBTFrom', () => {
  it('equals base + a·bᵀ from a naive loop, and copyRows then gemmAddBT bit for bit, on ragged sizes and strided slices', () => {
    const rng = createRandom(7);
    for (const rows of [1, 2, 3, 4, 5, 8]) {
      for (const cols of [1, 3, 4, 5, 7, 8, 13]) {
        for (const inner of [1, 2, 5, 32]) {
          // Slices with offsets and strides wider than the logical width.
          const aStride = inner + 2;
          const bStride = inner + 1;
          const baseStride = cols + 3;
          const outStride = cols + 1;
          const a = filled(3 + rows * aStride, rng);
          const b = filled(2 + cols * bStride, rng);
          const base = filled(4 + rows * baseStride, rng);
          const out = filled(5 + rows * outStride, rng);
          const before = Float64Array.from(out);
          const ref = Float64Array.from(out);
          gemmBTFrom(rows, inner, cols, a, 3, aStride, b, 2, bStride, base, 4, baseStride, out, 5, outStride);
          copyRows(rows, cols, base, 4, baseStride, ref, 5, outStride);
          gemmAddBT(rows, inner, cols, a, 3, aStride, b, 2, bStride, ref, 5, outStride);
          expect(Array.from(out)).toEqual(Array.from(ref));
          let worst = 0;
          for (let r = 0; r < rows; r++) {
            for (let j = 0; j < cols; j++) {
              let s = base[4 + r * baseStride + j];
              for (let k = 0; k < inner; k++) s += a[3 + r * aStride + k] * b[2 + j * bStride + k];
              worst = Math.max(worst, Math.abs(out[5 + r * outStride + j] - s));
            }
          }
          expect(worst).toBeLessThan(1e-13);
          // Padding outside the logical block is untouched.
          for (let i = 0; i < 5; i++) expect(out[i]).toBe(before[i]);
          for (let r = 0; r < rows; r++) {
            for (let j = cols; j < outStride; j++) expect(out[5 + r * outStride + j]).toBe(before[5 + r * outStride + j]);
          }
        }
      }
    }
  });
});
