import { describe, expect, it } from 'vitest';
import { ecgResample } from '../../src/ecg/resample';

describe('ecgResample', () => {
  it('keeps a slow sine (amplitude and phase) when changing rate either way', () => {
    const from = 360;
    const signal = Float64Array.from({ length: from * 4 }, (_, i) => Math.sin((2 * Math.PI * 3 * i) / from));
    for (const to of [125, 250, 500, 1000]) {
      const out = ecgResample(signal, from, to);
      expect(out.length).toBe(Math.floor(((signal.length - 1) * to) / from) + 1);
      // Away from the edges the resampled sine matches the true one.
      for (let k = Math.round(to * 0.5); k < out.length - to * 0.5; k++)
        expect(out[k]).toBeCloseTo(Math.sin((2 * Math.PI * 3 * k) / to), 2);
    }
  });

  it('removes frequencies above the new Nyquist before downsampling', () => {
    const from = 360;
    const alias = Float64Array.from({ length: from * 4 }, (_, i) => Math.sin((2 * Math.PI * 100 * i) / from));
    const out = ecgResample(alias, from, 125);
    const middle = out.subarray(60, out.length - 60);
    expect(Math.max(...Array.from(middle, Math.abs))).toBeLessThan(0.05);
  });

  it('rejects non-positive rates', () => {
    expect(() => ecgResample([1, 2], 0, 100)).toThrow(/rates must be positive/);
  });
});
