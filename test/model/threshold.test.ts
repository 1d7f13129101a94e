import { describe, expect, it } from 'vitest';
import { fitThreshold, sortedQuantile } from '../../src/model/threshold';

function exponentialScores(n: number, seed: number): Float64Array {
  let a = seed >>> 0;
  const u = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
  return Float64Array.from({ length: n }, () => -Math.log(u()));
}

const oneToEleven = [11, 3, 1, 2, 4, 5, 6, 7, 8, 9, 10];

describe('sortedQuantile', () => {
  it('interpolates linearly between order statistics', () => {
    expect(sortedQuantile([1, 2, 3, 4, 5], 0)).toBe(1);
    expect(sortedQuantile([1, 2, 3, 4, 5], 1)).toBe(5);
    expect(sortedQuantile([1, 2, 3, 4, 5], 0.5)).toBe(3);
    expect(sortedQuantile([1, 2, 3, 4, 5], 0.375)).toBe(2.5);
  });
});

describe('fitThreshold', () => {
  it('quantile: the q-quantile of the scores, whatever their order', () => {
    expect(fitThreshold(oneToEleven, { rule: 'quantile', params: { q: 0.5 } })).toMatchObject({
      rule: 'quantile',
      params: { q: 0.5 },
      value: 6,
    });
    expect(fitThreshold(oneToEleven, { rule: 'quantile', params: { q: 0.95 } }).value).toBeCloseTo(10.5, 12);
  });

  it('mean-std: mean + k sample standard deviations', () => {
    // 1..11: mean 6, sample variance 11, std sqrt(11).
    const t = fitThreshold(oneToEleven, { rule: 'mean-std', params: { k: 2 } });
    expect(t.value).toBeCloseTo(6 + 2 * Math.sqrt(11), 12);
    expect(t.details).toMatchObject({ scores: 11, mean: 6 });
  });

  it('pot: recovers the exponential tail quantile -ln(risk) from Exp(1) scores', () => {
    const scores = exponentialScores(20_000, 11);
    const t = fitThreshold(scores, { rule: 'pot', params: { initialQuantile: 0.95, risk: 1e-4 } });
    expect(t.rule).toBe('pot');
    expect(t.value).toBeGreaterThan(-Math.log(1e-4) * 0.9);
    expect(t.value).toBeLessThan(-Math.log(1e-4) * 1.1);
    expect(t.details.peaks).toBe(1000);
    // It extrapolates beyond anything seen only when the risk is below 1/n.
    expect(t.value).toBeGreaterThan(Math.max(...scores) * 0.8);
  });

  it('pot: a larger risk gives a lower threshold', () => {
    const scores = exponentialScores(2000, 5);
    const a = fitThreshold(scores, { rule: 'pot', params: { initialQuantile: 0.9, risk: 0.01 } }).value;
    const b = fitThreshold(scores, { rule: 'pot', params: { initialQuantile: 0.9, risk: 0.001 } }).value;
    expect(a).toBeLessThan(b);
  });

  it('names the problem on bad input', () => {
    expect(() => fitThreshold([1, 2, 3])).toThrow(/at least 10 normal scores, got 3/);
    expect(() => fitThreshold([...oneToEleven.slice(0, 10), Number.NaN])).toThrow(/score 10 is not a finite/);
    expect(() => fitThreshold(oneToEleven, { rule: 'quantile', params: { q: 1.5 } })).toThrow(/quantile q/);
    expect(() => fitThreshold(oneToEleven, { rule: 'mean-std', params: { k: Number.POSITIVE_INFINITY } })).toThrow(/k must be/);
    expect(() => fitThreshold(oneToEleven, { rule: 'pot', params: { initialQuantile: 0.9, risk: 0.01 } })).toThrow(
      /at least 5 scores above/,
    );
    expect(() => fitThreshold(exponentialScores(100, 1), { rule: 'pot', params: { initialQuantile: 0.9, risk: 0.2 } })).toThrow(
      /risk 0.2 must be below/,
    );
    expect(() => fitThreshold(oneToEleven, { rule: 'nope', params: {} } as never)).toThrow(/unknown rule "nope"/);
  });
});
