import { describe, expect, it } from 'vitest';
import { OFF_ADAPTER } from '../../src/detect/adapters';
import { DEFAULT_ALERT_POLICY } from '../../src/detect/alert-policy';
import { emptyCounts } from '../../src/detect/batch-result';
import { BatchScores } from '../../src/detect/batch-scores';
import { decideBeat, deviceScope, type BatchScope } from '../../src/detect/beat-decision';
import { DeviceState, type TimedBeat } from '../../src/detect/device-state';
import { newDeviceWork, type DeviceWork } from '../../src/detect/device-work';
import type { PatientAdapter } from '../../src/detect/patient-adaptation';
import type { MonitoredBeat, RhythmMonitor } from '../../src/detect/rhythm-monitor';
import { DEFAULT_BEAT_WINDOW } from '../../src/ecg/beat-window-spec';
import { fakeModel, spikeSegmenters } from './fakes';

/** A device whose beats (one a second) have the given model scores, and a batch over it (model threshold 2, no rhythm monitor). */
function setup(modelScores: number[], over: Partial<BatchScope> = {}) {
  const state = new DeviceState(spikeSegmenters);
  const work: DeviceWork = newDeviceWork('a');
  work.state = state;
  work.beats = modelScores.map(
    (s, i) => ({ t: 1000 * (i + 1), rIndex: 10 * i, rrPrev: null, rrNext: null, window: Float32Array.of(s) }) as TimedBeat,
  );
  const seen: MonitoredBeat[] = [];
  const batch: BatchScope = {
    model: fakeModel(2),
    learning: { adapter: OFF_ADAPTER, learningMs: 0 },
    policy: DEFAULT_ALERT_POLICY,
    multiplier: 1,
    globalThreshold: 2,
    span: DEFAULT_BEAT_WINDOW,
    scores: new BatchScores(Float32Array.from(modelScores), modelScores.length, [], undefined),
    snoozed: new Map(),
    now: 0,
    counts: emptyCounts(0),
    scored: [],
    rhythmBeat: (_id, _monitor, beat) => (seen.push(beat), []),
    ...over,
  };
  const decideAll = () => {
    const device = deviceScope(batch, work, undefined);
    work.beats.forEach((_, i) => decideBeat(batch, device, i));
  };
  return { state, work, batch, seen, decideAll };
}

describe('decideBeat', () => {
  it('scores beats relative to the threshold, keeps them, and raises a warning at the third anomalous beat', () => {
    const { work, batch, state, decideAll } = setup([1, 3, 3, 1, 3]);
    decideAll();
    expect(batch.scored.map((b) => [b.score, b.anomalous, b.kind])).toEqual([
      [0.5, false, 'normal'],
      [1.5, true, 'ventricular'],
      [1.5, true, 'ventricular'],
      [0.5, false, 'normal'],
      [1.5, true, 'ventricular'],
    ]);
    expect(state.kept.map((b) => b.t)).toEqual([1000, 2000, 3000, 4000, 5000]);
    expect(work.decisions.map((d) => [d.message.id, d.decision.severity])).toEqual([['a:2000', 'warning']]);
    // The explanation's threshold is on the model's scale: the population threshold (the off adapter).
    expect(work.decisions[0].context.modelThreshold).toBe(2);
    expect(work.decisions[0].snippet.beats.map((b) => b.t)).toEqual([1000, 2000, 3000, 4000, 5000]);
  });

  it('silences a snoozed device’s warning without starting a cooldown, but not a critical alert', () => {
    const { work, batch, state, decideAll } = setup([3, 3, 3, 7], { snoozed: new Map([['a', 10]]), now: 5 });
    decideAll();
    expect(batch.counts.snoozedAlerts).toBe(1);
    expect(work.decisions.map((d) => d.decision.severity)).toEqual(['critical']);
    expect(state.policy.lastAlert?.severity).toBe('critical');
  });

  it('holds a warning while the device learns (population scores)', () => {
    const learning: PatientAdapter = {
      name: 'stub',
      learns: true,
      separatesKinds: false,
      newLearner: () => ({ beats: 0, add: () => undefined, finish: () => ({ threshold: 1, features: {} }), toJSON: () => ({}) }),
      restoreLearner: () => {
        throw new Error('not restored here');
      },
      score: () => ({ score: 0, kind: 'normal' }),
    };
    const { work, batch, decideAll } = setup([3, 3, 3], { learning: { adapter: learning, learningMs: 600_000 } });
    decideAll();
    expect(batch.scored.map((b) => b.phase)).toEqual(['learning', 'learning', 'learning']);
    expect([batch.counts.heldAlerts, work.decisions.length]).toEqual([1, 0]);
  });

  it('gates a beat in poor signal: reported gated, marked on the strip, given to the rhythm rules as gated', () => {
    const { state, batch, seen, decideAll } = setup([3]);
    state.monitor = { gated: () => true, wanderNear: () => false } as unknown as RhythmMonitor;
    decideAll();
    expect(batch.scored).toEqual([
      { deviceId: 'a', t: 1000, score: 0, modelScore: 3, threshold: 1, anomalous: false, kind: 'gated', phase: 'learned' },
    ]);
    expect(state.marks).toEqual([{ t: 1000, anomalous: false, kind: 'gated', rrPrev: null }]);
    expect(seen.map((b) => [b.gated, b.noise, b.unreadable])).toEqual([[true, true, true]]);
    expect(state.kept).toEqual([]);
  });

  it('keeps a beat near clipped samples out of alerts: reported gated, no evidence for the policy', () => {
    const { state, work, batch, decideAll } = setup([7, 7, 7]);
    state.artifact = [0, 10_000];
    decideAll();
    expect(batch.scored.map((b) => [b.anomalous, b.kind])).toEqual([
      [false, 'gated'],
      [false, 'gated'],
      [false, 'gated'],
    ]);
    expect(work.decisions).toEqual([]);
  });
});
