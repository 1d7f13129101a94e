import { describe, expect, it } from 'vitest';
import { averagePrecision, confusionAt, metricsAt, rocAuc } from '../../src/model/metrics';

/** AUC by brute force over all positive/negative pairs, ties counting one half. */
function pairwiseAuc(scores: number[], labels: number[]): number {
  let wins = 0;
  let pairs = 0;
  for (let i = 0; i < scores.length; i++) {
    if (!labels[i]) continue;
    for (let j = 0; j < scores.length; j++) {
      if (labels[j]) continue;
      pairs++;
      if (scores[i] > scores[j]) wins++;
      else if (scores[i] === scores[j]) wins += 0.5;
    }
  }
  return wins / pairs;
}

describe('rocAuc', () => {
  it('matches hand-computed values', () => {
    expect(rocAuc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBe(0.75);
    expect(rocAuc([1, 2, 3, 4], [0, 0, 1, 1])).toBe(1);
    expect(rocAuc([4, 3, 2, 1], [0, 0, 1, 1])).toBe(0);
  });

  it('counts ties as one half', () => {
    expect(rocAuc([5, 5, 5, 5], [0, 1, 0, 1])).toBe(0.5);
    // Positive 2 ties negative 2 (1/2), beats negative 1 (1); positive 3 beats both: (1.5 + 2) / 4.
    expect(rocAuc([1, 2, 2, 3], [false, false, true, true])).toBe(0.875);
  });

  it('agrees with the pairwise definition on random data with ties', () => {
    let state = 12345;
    const rand = () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let trial = 0; trial < 20; trial++) {
      const n = 30 + trial;
      const scores = Array.from({ length: n }, () => Math.round(rand() * 10) / 10);
      const labels = Array.from({ length: n }, (_, i) => (i < 3 ? i % 2 : rand() < 0.4 ? 1 : 0));
      expect(rocAuc(scores, labels)).toBeCloseTo(pairwiseAuc(scores, labels), 12);
    }
  });

  it('rejects one-class input, length mismatch and non-finite scores', () => {
    expect(() => rocAuc([1, 2], [1, 1])).toThrow(/both classes/);
    expect(() => rocAuc([1, 2, 3], [1, 0])).toThrow(/3 entries.*2/);
    expect(() => rocAuc([1, Number.NaN], [1, 0])).toThrow(/score 1/);
  });
});

describe('averagePrecision', () => {
  it('matches hand-computed values', () => {
    expect(averagePrecision([0.9, 0.8, 0.7, 0.1], [1, 0, 1, 0])).toBeCloseTo(0.5 + 1 / 3, 15);
    expect(averagePrecision([4, 3, 2, 1], [1, 1, 0, 0])).toBe(1);
    // Worst ranking: positives last. P at recall 1/2 is 1/3, at recall 1 it is 2/4.
    expect(averagePrecision([4, 3, 2, 1], [0, 0, 1, 1])).toBeCloseTo(0.5 * (1 / 3) + 0.5 * 0.5, 15);
  });

  it('treats tied scores as one threshold, whatever their order', () => {
    // All tied: one threshold flags everything, precision = prevalence.
    expect(averagePrecision([1, 1, 1, 1], [1, 0, 0, 0])).toBe(0.25);
    expect(averagePrecision([1, 1, 1, 1], [0, 0, 0, 1])).toBe(0.25);
    expect(averagePrecision([3, 2, 2, 1], [0, 1, 0, 1])).toBe(averagePrecision([3, 2, 2, 1], [0, 0, 1, 1]));
  });

  it('rejects input without positives', () => {
    expect(() => averagePrecision([1, 2], [0, 0])).toThrow(/positive/);
  });
});

describe('confusionAt / metricsAt', () => {
  it('flags strictly above the threshold', () => {
    expect(confusionAt([0.1, 0.5, 0.9], [0, 1, 1], 0.5)).toEqual({
      truePositives: 1,
      falsePositives: 0,
      trueNegatives: 1,
      falseNegatives: 1,
    });
  });

  it('derives accuracy, precision, recall, F1 and FPR', () => {
    // Flagged: 0.6 (neg), 0.7 (pos), 0.9 (pos). Missed: 0.2 (pos). Correct negatives: 0.1, 0.3.
    const m = metricsAt([0.1, 0.2, 0.3, 0.6, 0.7, 0.9], [0, 1, 0, 0, 1, 1], 0.5);
    expect(m).toMatchObject({ truePositives: 2, falsePositives: 1, trueNegatives: 2, falseNegatives: 1, threshold: 0.5 });
    expect(m.accuracy).toBeCloseTo(4 / 6, 15);
    expect(m.precision).toBeCloseTo(2 / 3, 15);
    expect(m.recall).toBeCloseTo(2 / 3, 15);
    expect(m.f1).toBeCloseTo(2 / 3, 15);
    expect(m.falsePositiveRate).toBeCloseTo(1 / 3, 15);
  });

  it('gives 0 rather than NaN for empty denominators', () => {
    const m = metricsAt([0.1, 0.2], [1, 1], 10);
    expect(m.precision).toBe(0);
    expect(m.f1).toBe(0);
    expect(m.falsePositiveRate).toBe(0);
    expect(() => metricsAt([0.1], [1], Number.NaN)).toThrow(/NaN/);
  });
});
