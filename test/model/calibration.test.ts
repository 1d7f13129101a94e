import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { calibrateThreshold, DEFAULT_CALIBRATION, splitScores } from '../../src/model/calibration';

describe('splitScores', () => {
  it('finds the cut between two populations and their separation', () => {
    const scores = [
      ...Array(60)
        .fill(0)
        .map((_, i) => 0.3 + (i % 5) * 0.01),
      ...Array(40)
        .fill(0)
        .map((_, i) => 0.9 + (i % 5) * 0.01),
    ];
    const s = splitScores(scores);
    expect(s.split).toBeGreaterThan(0.34);
    expect(s.split).toBeLessThan(0.9);
    expect(s.upperFraction).toBeCloseTo(0.4, 9);
    expect(s.separation).toBeGreaterThan(2.5);
  });
});

describe('calibrateThreshold', () => {
  it('is medianFactor x the median for one population (a few outliers do not count as one)', () => {
    const scores = [...Array(98).fill(0.2), 3, 3];
    expect(calibrateThreshold(scores)).toBeCloseTo(DEFAULT_CALIBRATION.medianFactor * 0.2, 9);
  });

  it('drops to splitFactor x the split when ectopic beats fill the learning period (bigeminy)', () => {
    const scores = Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? 0.2 + (i % 7) * 0.005 : 0.6 + (i % 5) * 0.005));
    const t = calibrateThreshold(scores);
    // The median (between the populations) x 6 would hide every ectopic beat; the split does not.
    expect(t).toBeLessThan(0.6);
    expect(t).toBeGreaterThan(0.23);
  });

  it('never exceeds medianFactor x median, and is positive for positive scores', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0.01, max: 10, noNaN: true }), { minLength: 1, maxLength: 300 }), (scores) => {
        const sorted = [...scores].sort((a, b) => a - b);
        const n = sorted.length;
        const median = n % 2 ? sorted[n >> 1] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        const t = calibrateThreshold(scores);
        expect(t).toBeGreaterThan(0);
        expect(t).toBeLessThanOrEqual(DEFAULT_CALIBRATION.medianFactor * median + 1e-12);
      }),
    );
  });

  it('refuses an empty learning period', () => expect(() => calibrateThreshold([])).toThrow(/no learning scores/));
});
