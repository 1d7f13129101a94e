import { describe, expect, it } from 'vitest';
import { evaluateAnomaly, totalAnomaly } from '../../src/evaluate/anomaly-eval';
import type { AamiClass } from '../../src/ecg/beat-symbols';

/** A rule with a low factor so the toy scores (normal 1, abnormal 4-5) straddle the threshold. */
const RULE = { calibrationRule: { medianFactor: 2.5, splitFactor: 1.2, minUpperFraction: 0.1, minSeparation: 1.5 } };

/** One beat a second: normal beats score 1, V beats 5, with an optional learning period of normals. */
function record(classes: (AamiClass | null)[], score: (c: AamiClass | null, i: number) => number) {
  return { scores: classes.map(score), times: classes.map((_, i) => i), classes, globalThreshold: 2 };
}

describe('evaluateAnomaly', () => {
  const classes: (AamiClass | null)[] = [
    ...Array(300).fill('N'),
    ...Array(100)
      .fill('N')
      .map((c, i) => (i % 10 === 5 ? 'V' : c)),
  ];
  it('calibrates the threshold on the learning period and counts only after it', () => {
    const { metrics } = evaluateAnomaly(
      record(classes, (c) => (c === 'V' ? 5 : 1)),
      RULE,
    );
    expect(metrics.threshold).toBe(2.5);
    expect(metrics.aucV).toBe(1);
    expect(metrics.veb).toEqual({ se: 1, ppv: 1, tp: 10, fn: 0, fp: 0 });
    expect(metrics.alerts).toBe(0); // single V beats: 1 of 10, below k = 3 and below 3x threshold
  });

  it('counts flagged non-V beats as VEB false positives (but not F or Q), and alerts from the policy', () => {
    const cls: (AamiClass | null)[] = [...Array(300).fill('N'), 'S', 'S', 'S', 'F', 'Q', null, 'V', 'N'];
    const { metrics } = evaluateAnomaly(
      record(cls, (c, i) => (i >= 300 && c !== 'N' ? 4 : 1)),
      RULE,
    );
    expect(metrics.veb).toMatchObject({ tp: 1, fn: 0, fp: 4 });
    expect(metrics.alerts).toBe(1);
    expect(metrics.aucAll).toBe(1);
  });

  it('uses the global threshold with global calibration and counts every beat', () => {
    const { metrics } = evaluateAnomaly(
      record(classes, (c) => (c === 'V' ? 5 : 1)),
      { calibration: 'global' },
    );
    expect(metrics.threshold).toBe(2);
    expect(metrics.veb.tp).toBe(10);
    expect(metrics.hours).toBeCloseTo(399 / 3600, 9);
  });

  it('reports NaN AUCs when a class is absent', () => {
    expect(evaluateAnomaly(record(Array(400).fill('N'), () => 1)).metrics.aucV).toBeNaN();
  });
});

describe('totalAnomaly', () => {
  it("pools scores relative to each record's threshold and sums VEB counts", () => {
    // Record a scores everything 10x record b, but relative to its own threshold the same.
    const cls: (AamiClass | null)[] = [...Array(300).fill('N'), ...Array(50).fill('N'), ...Array(5).fill('V')];
    const a = evaluateAnomaly(
      record(cls, (c) => (c === 'V' ? 50 : 10)),
      RULE,
    );
    const b = evaluateAnomaly(
      record(cls, (c) => (c === 'V' ? 5 : 1)),
      RULE,
    );
    const t = totalAnomaly(
      [
        { name: 'a', result: a },
        { name: '100', result: b },
      ],
      ['100'],
    );
    expect(t.aucV).toBe(1);
    expect(t.veb).toMatchObject({ tp: 10, fn: 0, fp: 0 });
    expect(t.alertsPerHourOnNormal).toBeGreaterThan(0); // 5 V in a row on "100" alert once
  });
});
