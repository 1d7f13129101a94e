import { describe, expect, it } from 'vitest';
import { ecgBeatWindow, normalizeBeat, validateBeatWindowSpec } from '../../src/ecg/beat-window';

describe('ecgBeatWindow', () => {
  it('resamples the span linearly (exact on a ramp) and reads outside the signal as 0', () => {
    const fs = 100;
    const ramp = Float64Array.from({ length: 200 }, (_, i) => i);
    const w = ecgBeatWindow(ramp, fs, 100, { before: 0.2, after: 0.3, steps: 11, normalization: 'none' });
    // 0.5 s = 50 samples over 10 steps: 80, 85, ..., 130.
    expect(Array.from(w)).toEqual([80, 85, 90, 95, 100, 105, 110, 115, 120, 125, 130]);
    const edge = ecgBeatWindow(ramp, fs, 2, { before: 0.04, after: 0.02, steps: 4, normalization: 'none' });
    expect(Array.from(edge)).toEqual([0, 0, 2, 4]);
  });

  it('honours an origin for excerpts of a longer stream and fractional centres', () => {
    const excerpt = Float64Array.from({ length: 50 }, (_, i) => 1000 + i); // absolute indices 1000..1049
    const w = ecgBeatWindow(excerpt, 10, 1020.5, { before: 0.5, after: 0.5, steps: 3, normalization: 'none' }, undefined, 1000);
    expect(Array.from(w)).toEqual([1015.5, 1020.5, 1025.5]);
  });
});

describe('normalizeBeat', () => {
  it('z-scores, min-max scales, or leaves the window alone', () => {
    const z = Float32Array.of(1, 2, 3, 4);
    normalizeBeat(z, 'zscore');
    const std = Math.sqrt(1.25);
    expect(Array.from(z)).toEqual([-1.5 / std, -0.5 / std, 0.5 / std, 1.5 / std].map(Math.fround));
    const m = Float32Array.of(2, 4, 6);
    normalizeBeat(m, 'minmax');
    expect(Array.from(m)).toEqual([0, 0.5, 1]);
    const n = Float32Array.of(2, 4);
    normalizeBeat(n, 'none');
    expect(Array.from(n)).toEqual([2, 4]);
  });

  it('returns the offset and scale it used, so the window can be restored', () => {
    const x = Float32Array.of(0.1, -0.3, 1.2, 0.4);
    const z = Float32Array.from(x);
    const zs = normalizeBeat(z, 'zscore');
    z.forEach((v, k) => expect(v * zs.scale + zs.offset).toBeCloseTo(x[k], 6));
    const m = Float32Array.from(x);
    const ms = normalizeBeat(m, 'minmax');
    expect(ms).toEqual({ offset: Math.fround(-0.3), scale: Math.fround(1.2) - Math.fround(-0.3) });
    expect(normalizeBeat(Float32Array.from(x), 'none')).toEqual({ offset: 0, scale: 1 });
  });

  it('keeps flat windows finite', () => {
    const flat = new Float32Array(8).fill(0.7);
    normalizeBeat(flat, 'zscore');
    expect(Array.from(flat)).toEqual(new Array(8).fill(0));
    const flat2 = new Float32Array(8).fill(0.7);
    normalizeBeat(flat2, 'minmax');
    expect(Array.from(flat2)).toEqual(new Array(8).fill(0));
  });

  it('validates window specs', () => {
    expect(() => validateBeatWindowSpec({ before: 0.2, after: 0.4, steps: 64, normalization: 'zscore' })).not.toThrow();
    expect(() => validateBeatWindowSpec({ before: 0, after: 0, steps: 64, normalization: 'zscore' })).toThrow(
      /before \+ after must be positive/,
    );
    expect(() => validateBeatWindowSpec({ before: 0.2, after: 0.4, steps: 64, normalization: 'l2' as never })).toThrow(
      /unknown normalization "l2"/,
    );
  });
});
