import { describe, expect, it } from 'vitest';
import { BEAT_PARTS, explainAlert, partOf, rrContext, signalQualityOf, typicalBeat, type ExplainBeat } from '../../src/detect/explain';

const span = { before: 0.25, after: 0.45, steps: 64 };
const timeOf = (k: number) => -span.before + (k * (span.before + span.after)) / (span.steps - 1);
const gauss = (t: number, mu: number, sd: number, a: number) => a * Math.exp(-((t - mu) ** 2) / (2 * sd * sd));
/** A clean synthetic beat: P, QRS (R at 0), T. */
const normalBeat = Array.from({ length: span.steps }, (_, k) => {
  const t = timeOf(k);
  return gauss(t, -0.16, 0.025, 0.15) + gauss(t, 0, 0.012, 1.2) + gauss(t, 0.28, 0.05, 0.35);
});
const recent = Array.from({ length: 8 }, () => ({ rrPrev: 0.8, anomalous: false, window: normalBeat }));

describe('explainAlert', () => {
  it('locates an ST elevation in the ST segment, above the typical beat, and blames the shape', () => {
    const elevated = normalBeat.map((v, k) => (timeOf(k) >= 0.08 && timeOf(k) < 0.18 ? v + 0.8 : v));
    const shapeError = elevated.reduce((a, v, k) => a + (v - normalBeat[k]) ** 2, 0) / span.steps;
    const beat: ExplainBeat = { t: 1000, score: 2.5, modelScore: shapeError, anomalous: true, rrPrev: 0.8, rrNext: 0.8, window: elevated };
    const e = explainAlert({
      modelVersion: 'v1',
      score: 2.5,
      threshold: 1,
      modelThreshold: 0.05,
      span,
      beats: [beat],
      reconstructions: [normalBeat],
      recent,
    });
    const f = e.flagged[0];
    expect(f.worstPart).toBe('ST');
    expect(f.parts.find((p) => p.name === 'ST')?.share).toBeGreaterThan(0.8);
    expect(f.parts.find((p) => p.name === 'ST')?.offsetFromTypical).toBeGreaterThan(0.3);
    expect(f.cause).toBe('shape');
    expect(f.rr.premature).toBe(false);
    expect(f.summary).toMatch(/ST segment/);
    expect(e.typical?.source).toBe('recent-median');
    expect(e.summary).toMatch(/ST segment/);
  });

  it('explains a premature normal-shaped beat by its RR timing, not its shape', () => {
    const recon = normalBeat.map((v, k) => v + (k % 2 === 0 ? 0.01 : -0.01));
    const shapeError = normalBeat.reduce((a, v, k) => a + (v - recon[k]) ** 2, 0) / span.steps;
    const modelScore = shapeError + 0.5 * Math.log(1.1 / 0.5);
    const beat: ExplainBeat = { t: 2000, score: 1.4, modelScore, anomalous: true, rrPrev: 0.5, rrNext: 1.1, window: normalBeat };
    const e = explainAlert({
      modelVersion: 'v1',
      score: 1.4,
      threshold: 1,
      modelThreshold: 0.28,
      span,
      beats: [{ ...beat, anomalous: false, t: 1000, score: 0.2 }, beat],
      reconstructions: [recon],
      recent,
    });
    expect(e.flagged).toHaveLength(1);
    const f = e.flagged[0];
    expect(f.cause).toBe('timing');
    expect(f.rr.premature).toBe(true);
    expect(f.rr.prematurity).toBeCloseTo(1 - 0.5 / 0.8, 3);
    expect(f.rr.compensatoryPause).toBe(true);
    expect(f.timingTerm).toBeCloseTo(0.5 * Math.log(2.2), 3);
    expect(f.summary).toMatch(/early/);
    expect(f.summary).not.toMatch(/mostly in/);
  });

  it('prefers the learned template to the recent median, and has none with too few normal beats', () => {
    const template = normalBeat.map((v) => v * 2);
    expect(typicalBeat(template, recent, span.steps)?.source).toBe('profile');
    expect(typicalBeat(null, recent.slice(0, 2), span.steps)).toBeNull();
    expect(typicalBeat(null, recent, span.steps)?.window[32]).toBeCloseTo(normalBeat[32], 3);
  });

  it('places samples in PR, QRS, ST and T by fixed offsets from R', () => {
    const names = Array.from({ length: span.steps }, (_, k) => partOf(k, span));
    expect(names[0]).toBe('PR');
    expect(names[Math.round((0.25 / 0.7) * 63)]).toBe('QRS');
    expect(names[63]).toBe('T');
    expect(new Set(names)).toEqual(new Set(BEAT_PARTS.map((p) => p.name)));
  });

  it('reports the quality of the seconds around the alert, and of the second each flagged beat lies in', () => {
    const beat: ExplainBeat = { t: 5_300, score: 2, modelScore: 0.3, anomalous: true, rrPrev: 0.8, rrNext: 0.8, window: normalBeat };
    const quality = [
      { t: 3_000, quality: 'good' as const },
      { t: 4_000, quality: 'wander' as const },
      { t: 5_000, quality: 'wander' as const },
      { t: 6_000, quality: 'noisy' as const },
      { t: 7_000, quality: 'good' as const },
    ];
    const e = explainAlert({ modelVersion: 'v1', score: 2, threshold: 1, modelThreshold: 0.1, span, beats: [beat], recent, quality });
    expect(e.signalQuality).toEqual({ seconds: 5, counts: { good: 2, wander: 2, noisy: 1 }, poorSeconds: 1, worst: 'noisy' });
    expect(e.flagged[0].quality).toBe('wander');
    expect(e.summary).toMatch(/noise in 1 s, baseline wander in 2 s of 5 s around the alert, 1 of the flagged beats in such a second/);
    // All good: said so; none judged: said so, and null.
    const good = explainAlert({
      modelVersion: 'v1',
      score: 2,
      threshold: 1,
      modelThreshold: 0.1,
      span,
      beats: [beat],
      recent,
      quality: quality.map((q) => ({ ...q, quality: 'good' as const })),
    });
    expect(good.signalQuality?.worst).toBe('good');
    expect(good.summary).toMatch(/Signal quality good in all 5 s/);
    const none = explainAlert({ modelVersion: 'v1', score: 2, threshold: 1, modelThreshold: 0.1, span, beats: [beat], recent });
    expect(none.signalQuality).toBeNull();
    expect(none.flagged[0].quality).toBeNull();
    expect(signalQualityOf([{ quality: 'flat' }, { quality: 'saturated' }])).toMatchObject({ worst: 'flat', poorSeconds: 2 });
  });

  it('calls a long interval a pause', () => {
    expect(rrContext(0.8, 2.6, 0.8)).toMatchObject({ pause: true, premature: false, compensatoryPause: true });
    expect(rrContext(null, null, null)).toMatchObject({ pause: false, premature: false, prematurity: null });
  });
});
