import { describe, expect, it } from 'vitest';
import { fitGpd, gpdLogLikelihood, potQuantile } from '../../src/model/gpd';

/** mulberry32: a small seeded uniform generator in (0, 1) for test data. */
function uniform(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
}

/** GPD samples by inverse CDF: y = σ/γ · (u^(−γ) − 1), or −σ ln u for γ = 0. */
function gpdSamples(n: number, shape: number, scale: number, seed: number): Float64Array {
  const u = uniform(seed);
  return Float64Array.from({ length: n }, () => (shape === 0 ? -scale * Math.log(u()) : (scale / shape) * (Math.pow(u(), -shape) - 1)));
}

describe('fitGpd', () => {
  it.each([
    [0.3, 2],
    [0, 1],
    [-0.3, 0.5],
  ])('recovers shape %d and scale %d from 5,000 samples', (shape, scale) => {
    const fit = fitGpd(gpdSamples(5000, shape, scale, 7));
    expect(Math.abs(fit.shape - shape)).toBeLessThan(0.06);
    expect(Math.abs(fit.scale / scale - 1)).toBeLessThan(0.06);
  });

  it('returns a likelihood maximum: every nearby parameter pair is no more likely', () => {
    const y = gpdSamples(300, 0.2, 1.5, 3);
    const fit = fitGpd(y);
    expect(fit.logLikelihood).toBeCloseTo(gpdLogLikelihood(y, fit.shape, fit.scale), 9);
    for (const ds of [-1e-3, 0, 1e-3]) {
      for (const dg of [-1e-3, 0, 1e-3]) {
        if (ds === 0 && dg === 0) continue;
        expect(gpdLogLikelihood(y, fit.shape + dg, fit.scale * (1 + ds))).toBeLessThan(fit.logLikelihood);
      }
    }
  });

  it('rejects too few, negative, non-finite or all-zero excesses', () => {
    expect(() => fitGpd([1])).toThrow(/at least 2/);
    expect(() => fitGpd([1, -0.5])).toThrow(/excess 1/);
    expect(() => fitGpd([1, Number.NaN])).toThrow(/excess 1/);
    expect(() => fitGpd([0, 0, 0])).toThrow(/zero/);
  });
});

describe('potQuantile', () => {
  it('inverts the tail: for an exponential tail over t it is t + σ ln(peaks / (risk · total))', () => {
    expect(potQuantile(2, { shape: 0, scale: 1 }, 0.001, 100, 1000)).toBeCloseTo(2 + Math.log(100), 12);
    // γ = 0.5, σ = 1: z = t + 2 ((r)^(-0.5) - 1) with r = 0.01.
    expect(potQuantile(1, { shape: 0.5, scale: 1 }, 0.001, 100, 1000)).toBeCloseTo(1 + 2 * (10 - 1), 12);
  });
});
