import { describe, expect, it } from 'vitest';
import { calibrateThreshold } from '../../src/model/calibration';
import { MIN_LEARNING_BEATS, OFF_ADAPTER, thresholdCalibrationAdapter } from '../../src/detect/adapters';
import { MemoryProfileStore, parseDeviceProfile, type DeviceProfile } from '../../src/detect/patient-adaptation';
import { Detector, type InputRecord } from '../../src/detect/process-batch';
import { fakeModel, MemorySinks, rec, testDecoder } from './fakes';

/** `seconds` records of device `id` from seq `from`, each with one beat of model score `score(seq)` at sample 5. */
function records(id: string, from: number, seconds: number, score: (seq: number) => number): InputRecord[] {
  return Array.from({ length: seconds }, (_, i) => rec(id, from + i, { 5: score(from + i) }));
}

const learningScores = (seq: number) => (seq % 2 === 0 ? 1 : 1.2);

describe('thresholdCalibrationAdapter', () => {
  it('learns calibrateThreshold of the learning scores, survives toJSON/restore, scores relative to it', () => {
    const adapter = thresholdCalibrationAdapter();
    const scores = Array.from({ length: 600 }, (_, i) => 0.05 + (i % 7) * 0.01 + (i % 10 === 0 ? 0.5 : 0));
    const learner = adapter.newLearner();
    scores.slice(0, 300).forEach((s) => learner.add({ rIndex: 0, window: new Float32Array(1), rrPrev: null, rrNext: null }, s));
    const restored = adapter.restoreLearner(JSON.parse(JSON.stringify(learner.toJSON())));
    scores.slice(300).forEach((s) => restored.add({ rIndex: 0, window: new Float32Array(1), rrPrev: null, rrNext: null }, s));
    expect(restored.beats).toBe(600);
    const learned = restored.finish(99);
    expect(learned.threshold).toBe(calibrateThreshold(scores));
    const profile = { threshold: learned.threshold } as DeviceProfile;
    const beat = { rIndex: 0, window: new Float32Array(1), rrPrev: null, rrNext: null };
    expect(adapter.score(profile, beat, learned.threshold * 2)).toEqual({ score: 2, kind: 'ventricular' });
    expect(adapter.score(profile, beat, learned.threshold / 2)).toEqual({ score: 0.5, kind: 'normal' });
  });

  it('keeps the population threshold when the learning period holds too few beats', () => {
    const learner = thresholdCalibrationAdapter().newLearner();
    for (let i = 0; i < MIN_LEARNING_BEATS - 1; i++) learner.add({ rIndex: 0, window: new Float32Array(1), rrPrev: null, rrNext: null }, 1);
    expect(learner.finish(0.7).threshold).toBe(0.7);
  });
});

/** These tests pin the detector's learning machinery with the simple threshold-calibration adapter (fake one-sample beats); test/detect/patient-profile-adapter.test.ts runs the default adapter on simulated ECG. */
const CAL = { adaptation: thresholdCalibrationAdapter() } as const;

describe('Detector with patient adaptation', () => {
  it('learns for learningSeconds after first sight (population scores, warnings held), then scores against the saved profile', async () => {
    const sinks = new MemorySinks();
    const profiles = new MemoryProfileStore();
    const detector = new Detector(sinks, testDecoder, { ...CAL, learningSeconds: 20, profiles });
    const model = fakeModel(2);
    // 20 s of learning with score 1 or 1.2, then beats at 3x the learned normal (warning-level run).
    const first = await detector.processBatch(records('a', 0, 20, learningScores), model);
    expect(first.beats.every((b) => b.phase === 'learning')).toBe(true);
    expect(first.counts.learningBeats).toBe(first.beats.length);
    expect(first.counts.learningBeats).toBeGreaterThan(10);
    expect(first.beats[0].score).toBe(0.5); // population: 1 / 2
    expect(profiles.get('a')).toBeNull();
    const second = await detector.processBatch(
      records('a', 20, 10, () => 3.3),
      model,
    );
    expect(second.beats.every((b) => b.phase === 'learned')).toBe(true);
    expect(second.counts.profilesLearned).toBe(1);
    expect(second.counts.profileSaves).toBe(1);
    const profile = profiles.get('a') as DeviceProfile;
    expect(parseDeviceProfile(profile).ok).toBe(true);
    expect(profile).toMatchObject({ adapter: 'threshold-calibration', modelVersion: 'test-v1', beatsLearned: 20, learningSeconds: 20 });
    expect(profile.threshold).toBeCloseTo(6 * 1.1, 5); // 6 x the median of 1 and 1.2
    expect(second.beats[0].score).toBeCloseTo(3.3 / profile.threshold, 5);
    // 3.3 is over the population threshold too, yet nothing went out while learning; now a warning does.
    expect(sinks.published.every((m) => m.calibrating === undefined)).toBe(true);
    expect(profiles.loads).toBe(1);
  });

  it('holds warnings while learning but sends critical alerts marked calibrating', async () => {
    const sinks = new MemorySinks();
    const detector = new Detector(sinks, testDecoder, { ...CAL, learningSeconds: 300 });
    const r = await detector.processBatch(
      records('a', 0, 10, (s) => (s < 5 ? 3 : 7)),
      fakeModel(2),
    );
    expect(r.counts.heldAlerts).toBeGreaterThan(0);
    expect(sinks.published).toHaveLength(1);
    expect(sinks.published[0]).toMatchObject({ severity: 'critical', calibrating: true });
    expect(sinks.snippets.get(sinks.published[0].snippetKey)?.calibrating).toBe(true);
  });

  it('a device with a stored profile of the current model is learned from its first beat; another model version relearns', async () => {
    const profiles = new MemoryProfileStore();
    const learnt = new Detector(new MemorySinks(), testDecoder, { ...CAL, learningSeconds: 5, profiles });
    await learnt.processBatch(records('a', 0, 8, learningScores), fakeModel(2));
    expect(profiles.saves).toBe(1);

    // A fresh environment (cold start): the profile is loaded, no learning period.
    const fresh = new Detector(new MemorySinks(), testDecoder, { ...CAL, learningSeconds: 5, profiles });
    const r = await fresh.processBatch(
      records('a', 8, 3, () => 1),
      fakeModel(2),
    );
    expect(r.counts).toMatchObject({ profileLoads: 1, profilesFound: 1, learningBeats: 0 });
    expect(r.beats.every((b) => b.phase === 'learned')).toBe(true);

    // A new model: the device learns again (from this beat) and saves a profile of that version.
    const v2 = { ...fakeModel(2), version: 'test-v2' };
    const relearn = await fresh.processBatch(records('a', 11, 5, learningScores), v2);
    expect(relearn.beats.every((b) => b.phase === 'learning')).toBe(true);
    const done = await fresh.processBatch(records('a', 16, 2, learningScores), v2);
    expect(done.beats.map((b) => b.phase)).toEqual(['learned', 'learned']);
    expect(profiles.get('a')?.modelVersion).toBe('test-v2');
    expect(profiles.saves).toBe(2);
  });

  it('a rollback restores the learner: a retried batch learns exactly the same profile', async () => {
    const sinks = new MemorySinks();
    const profiles = new MemoryProfileStore();
    const detector = new Detector(sinks, testDecoder, { ...CAL, learningSeconds: 10, profiles });
    const model = fakeModel(2);
    await detector.processBatch(records('a', 0, 4, learningScores), model);
    const before = detector.devices.snapshot('a');
    expect(before?.adaptation.learner).toEqual({ scores: [1, Math.fround(1.2), 1, Math.fround(1.2)] });
    // A critical alert fails to publish: the device goes back, learner included.
    sinks.failPublish = 1;
    const batch = records('a', 4, 8, (s) => (s === 5 ? 9 : learningScores(s)));
    const failed = await detector.processBatch(batch, model);
    expect(failed.failedRecordIds).toHaveLength(8);
    expect(detector.devices.snapshot('a')).toEqual(before);
    // The profile was saved before the alert failed; the retry saves the very same profile again.
    expect(profiles.saves).toBe(1);
    const saved = profiles.get('a');
    const retried = await detector.processBatch(batch, model);
    expect(retried.failedRecordIds).toEqual([]);
    expect(profiles.saves).toBe(2);
    expect(profiles.get('a')).toEqual(saved);
    expect(saved?.beatsLearned).toBe(10);
  });

  it('a failed profile save or load fails the device records (retried), other devices go on', async () => {
    const sinks = new MemorySinks();
    const store = new MemoryProfileStore();
    let failSave = 1;
    let failLoad = 1;
    const profiles = {
      load: async (id: string) => (id === 'b' && failLoad-- > 0 ? Promise.reject(new Error('S3 down')) : store.load(id)),
      save: async (id: string, p: DeviceProfile) => (failSave-- > 0 ? Promise.reject(new Error('S3 down')) : store.save(id, p)),
    };
    const detector = new Detector(sinks, testDecoder, { ...CAL, learningSeconds: 3, profiles });
    const batch = [...records('a', 0, 5, learningScores), ...records('b', 0, 1, () => 1)];
    const r1 = await detector.processBatch(batch, fakeModel(2));
    expect(r1.counts.profileFailures).toBe(2);
    expect(r1.failedRecordIds).toHaveLength(6);
    expect(detector.devices.has('a')).toBe(false); // rolled back to unseen
    const r2 = await detector.processBatch(batch, fakeModel(2));
    expect(r2.failedRecordIds).toEqual([]);
    expect(store.get('a')?.beatsLearned).toBe(3);
  });

  it('the off adapter never learns, loads or saves', async () => {
    const profiles = new MemoryProfileStore();
    const detector = new Detector(new MemorySinks(), testDecoder, { adaptation: OFF_ADAPTER, profiles });
    const r = await detector.processBatch(
      records('a', 0, 5, () => 3),
      fakeModel(2),
    );
    expect(r.beats.every((b) => b.phase === 'learned' && b.score === 1.5 && b.kind === 'ventricular')).toBe(true);
    expect(profiles.loads + profiles.saves).toBe(0);
  });
});
