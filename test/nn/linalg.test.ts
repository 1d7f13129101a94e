import { describe, expect, it } from 'vitest';
import { affineRows, copyRows, gemmAddBT, gemmBTFrom } from '../../src/nn/linalg';
import { createRandom, type Random } from '../../src/random';

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

describe('affineRows', () => {
  it('writes bias + a·w for single-input, single-output and general shapes on strided slices, leaving the rest untouched', () => {
    const rng = createRandom(9);
    for (const rows of [1, 2, 5]) {
      for (const [inner, cols] of [
        [1, 7],
        [6, 1],
        [3, 4],
      ] as const) {
        const aStride = inner + 1;
        const wStride = cols + 2;
        const outStride = cols + 3;
        const a = filled(2 + rows * aStride, rng);
        const w = filled(1 + inner * wStride, rng);
        const bias = filled(cols, rng);
        const out = filled(4 + rows * outStride, rng);
        const before = Float64Array.from(out);
        affineRows(rows, inner, cols, a, 2, aStride, w, 1, wStride, bias, out, 4, outStride);
        for (let i = 0; i < out.length; i++) {
          const r = Math.floor((i - 4) / outStride);
          const j = (i - 4) % outStride;
          if (i < 4 || r >= rows || j >= cols) {
            expect(out[i], `outside the block at ${i}`).toBe(before[i]);
            continue;
          }
          let want = bias[j];
          for (let k = 0; k < inner; k++) want += a[2 + r * aStride + k] * w[1 + k * wStride + j];
          expect(out[i], `rows ${rows} inner ${inner} cols ${cols} [${r}, ${j}]`).toBe(want);
        }
      }
    }
  });
});
