import { describe, expect, it } from 'vitest';
import { packUnitPairs, packedUnitPairsLength } from '../../src/nn/pack';

describe('packUnitPairs', () => {
  it('puts U[k, gate*H + unit] at ((pair*H + k)*2 + unit%2)*G + gate, with a zero partner for an odd last unit', () => {
    for (const [H, G] of [
      [4, 4],
      [3, 4],
      [5, 3],
      [1, 1],
    ] as const) {
      const u = new Float64Array(H * G * H);
      // Every entry distinct and non-zero, so a misplaced or missing one shows.
      for (let i = 0; i < u.length; i++) u[i] = i + 1;
      const out = new Float64Array(packedUnitPairsLength(H, G)).fill(Number.NaN);
      packUnitPairs(H, G, u, out);
      expect(out.length).toBe((H + (H % 2)) * H * G);
      const seen = new Set<number>();
      for (let unit = 0; unit < H + (H % 2); unit++) {
        for (let k = 0; k < H; k++) {
          for (let gate = 0; gate < G; gate++) {
            const at = (((unit >> 1) * H + k) * 2 + (unit & 1)) * G + gate;
            const want = unit < H ? u[k * G * H + gate * H + unit] : 0;
            expect(out[at], `H ${H} G ${G} unit ${unit} k ${k} gate ${gate}`).toBe(want);
            seen.add(at);
          }
        }
      }
      expect(seen.size).toBe(out.length);
    }
  });
});
