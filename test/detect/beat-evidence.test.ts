import { describe, expect, it } from 'vitest';
import { classifyBeat, inArtefact, readSignal } from '../../src/detect/beat-evidence';

/** A monitor whose seconds are poor (`noisy`: only for noise; `flat`: unreadable). */
const monitor = (quality: 'good' | 'noisy' | 'flat') => ({
  gated: (_r: number, _rr: number | null, noisySeconds = true) => quality === 'flat' || (quality === 'noisy' && noisySeconds),
});
const beat = { rIndex: 100, rrPrev: 0.8 };

describe('readSignal', () => {
  it('gates a beat in noisy seconds unless the adapter judges noise itself; flat seconds always', () => {
    expect(readSignal(monitor('noisy'), beat, false)).toEqual({ poorSignal: true, unreadable: false, gated: true });
    expect(readSignal(monitor('noisy'), beat, true)).toEqual({ poorSignal: true, unreadable: false, gated: false });
    expect(readSignal(monitor('flat'), beat, true)).toEqual({ poorSignal: true, unreadable: true, gated: true });
    expect(readSignal(monitor('good'), beat, false).gated).toBe(false);
  });

  it('gates nothing without a monitor', () => {
    expect(readSignal(null, beat, false)).toEqual({ poorSignal: false, unreadable: false, gated: false });
  });
});

describe('inArtefact', () => {
  it('is the closed span around a clipped record', () => {
    expect([999, 1000, 3000, 3001].map((t) => inArtefact([1000, 3000], t))).toEqual([false, true, true, false]);
    expect(inArtefact(null, 1000)).toBe(false);
  });
});

describe('classifyBeat', () => {
  const base = { multiplier: 1, phase: 'learned' as const, labelled: 1, artefact: false };

  it('divides the score by the multiplier and calls a beat over the threshold ventricular', () => {
    expect(classifyBeat({ ...base, verdict: { score: 3, kind: 'normal' }, multiplier: 1.5 })).toEqual({
      score: 2,
      threshold: 1,
      anomalous: true,
      kind: 'ventricular',
    });
    expect(classifyBeat({ ...base, verdict: { score: 0.9, kind: 'ventricular' } }).kind).toBe('normal');
  });

  it('keeps premature and gated verdicts whatever the score', () => {
    expect(classifyBeat({ ...base, verdict: { score: 2, kind: 'premature' } })).toMatchObject({ anomalous: true, kind: 'premature' });
    expect(classifyBeat({ ...base, verdict: { score: 0.2, kind: 'premature' } })).toMatchObject({ anomalous: false, kind: 'premature' });
  });

  it('applies a label threshold only once the device has learned', () => {
    expect(classifyBeat({ ...base, verdict: { score: 1.3, kind: 'normal' }, labelled: 1.4 })).toMatchObject({
      threshold: 1.4,
      anomalous: false,
    });
    expect(classifyBeat({ ...base, verdict: { score: 1.3, kind: 'normal' }, labelled: 1.4, phase: 'learning' })).toMatchObject({
      threshold: 1,
      anomalous: true,
    });
  });

  it('makes a beat near clipped samples a gated, never anomalous, artefact', () => {
    expect(classifyBeat({ ...base, verdict: { score: 9, kind: 'ventricular' }, artefact: true })).toEqual({
      score: 9,
      threshold: 1,
      anomalous: false,
      kind: 'gated',
    });
  });
});
