// Retraining learns from clinicians' labels (docs/ARCHITECTURE.md §3.9): false alarms become the
// device's normal (its threshold rises just above them, the challenger trains on them), true
// alarms stay out of normal training and are the known positives the challenger must still find.
import { beforeAll, describe, expect, it } from 'vitest';
import { parseArtifact } from '../../src/contract/artifact-parse';
import { LABEL_MARGIN, MAX_LABEL_THRESHOLD, type DeviceLabels } from '../../src/contract/device-labels';
import { ecgSegment } from '../../src/ecg/beat-segmenter';
import { ecgSimulate } from '../../src/ecg/ecg-simulate';
import { runRetrainJob, type DecodedRecord } from '../../src/retrain';
import { isLabelledBeat } from '../../src/retrain/labelled-times';
import { labelledBeats, planDeviceLabels, withLabelledNormal } from '../../src/retrain/labels';
import type { DeviceLabelStore, LabelledAlert, LabelSource } from '../../src/retrain/ports';
import { deviceRecords, interleave, memoryHistory, MemoryRegistry, pvcs, TEST_FS, TEST_WINDOW, trainTestChampion } from './fixtures';

const beat = (t: number, score: number, window: number[] = [0, 1]) => ({ t, score, window, rrPrev: 0.8, rrNext: 0.8 });
const alert = (deviceId: string, value: boolean, scores: number[], calibrating = false): LabelledAlert => ({
  id: `${deviceId}:${scores[0]}`,
  deviceId,
  value,
  calibrating,
  beats: scores.map((s, i) => beat(1000 * (i + 1), s)),
});

describe('planDeviceLabels: what the labels do to each device threshold', () => {
  it('a false alarm puts the threshold just above its highest beat; true alarms and learning-period alerts do not raise it', () => {
    const plans = planDeviceLabels([
      alert('b', false, [1.2, 1.5]),
      alert('a', true, [2.5]),
      alert('c', false, [1.8], true), // raised while learning: population scale, training data only
    ]);
    expect(plans.map((p) => [p.deviceId, p.threshold, p.capped])).toEqual([
      ['a', 1, false],
      ['b', Math.round(1.5 * (1 + LABEL_MARGIN) * 1e4) / 1e4, false],
      ['c', 1, false],
    ]);
    expect(plans[1]).toMatchObject({ falseAlarms: 1, falseAlarmBeats: 2, truePositives: 0, highestFalseAlarm: 1.5 });
  });

  it('never reaches a known positive of the same device, never exceeds the cap, never goes below 1', () => {
    const [withTrue] = planDeviceLabels([alert('d', false, [1.9]), alert('d', true, [1.6, 3])]);
    expect(withTrue.threshold).toBeCloseTo(1.6 / (1 + LABEL_MARGIN), 4);
    expect(withTrue.threshold).toBeLessThan(1.6);
    expect(withTrue.capped).toBe(true);
    const [huge] = planDeviceLabels([alert('e', false, [9])]);
    expect(huge).toMatchObject({ threshold: MAX_LABEL_THRESHOLD, capped: true });
    const [below] = planDeviceLabels([alert('f', false, [1.1]), alert('f', true, [1.02])]);
    expect(below.threshold).toBe(1);
  });

  it('is computed from all labels: relabelling the false alarm true brings the threshold back to 1', () => {
    expect(planDeviceLabels([alert('g', false, [1.4])])[0].threshold).toBeGreaterThan(1);
    expect(planDeviceLabels([alert('g', true, [1.4])])[0].threshold).toBe(1);
  });
});

describe('labelled beats as data', () => {
  it('false alarms per device, true alarms as positives, input normalization applied, misfit windows counted', () => {
    const champion = { artifact: { normalization: { perBeat: 'zscore' as const, offset: 1, scale: 2 } }, model: { config: { steps: 2 } } };
    const out = labelledBeats(
      [
        { ...alert('a', false, [1.5]), beats: [beat(3000, 1.5, [3, 5]), beat(1000, 1.2, [1, 1, 1])] },
        { ...alert('b', true, [2]), beats: [beat(2000, 2, [5, 7])] },
      ],
      champion,
    );
    expect(Array.from(out.normal.get('a')?.data ?? [])).toEqual([1, 2]);
    expect(Array.from(out.positives.data)).toEqual([2, 3]);
    expect(out.unfit).toBe(1);
    expect(out.times.get('a')).toEqual([1000, 3000]);
    expect(isLabelledBeat([1000, 3000], 3149)).toBe(true);
    expect(isLabelledBeat([1000, 3000], 3151)).toBe(false);
    expect(isLabelledBeat([], 3000)).toBe(false);
  });

  it('false alarms join their device normal beats, a device without history gets an entry', () => {
    const base = {
      steps: 2,
      devices: [
        {
          deviceId: 'a',
          normal: Float32Array.of(1, 1),
          normalRr: Float32Array.of(1, 1),
          normalCount: 1,
          flagged: new Float32Array(0),
          flaggedRr: new Float32Array(0),
          flaggedCount: 0,
          beatsSeen: 1,
        },
      ],
      signal: { records: 0, duplicates: 0, gaps: 0, backwardJumps: 0, unusable: 0, runs: 0, beats: 0 },
      devicesSeen: 1,
      recordsOfUnsampledDevices: 0,
      beatsSampled: 1,
      beatsNormal: 1,
      beatsFlagged: 0,
      peakWindowBytes: 0,
      labelledBeatsLeftOut: 0,
    };
    const set = (v: number) => ({ data: Float32Array.of(v, v), rr: Float32Array.of(0.8, 0.8), count: 1 });
    const out = withLabelledNormal(
      base,
      new Map([
        ['b', set(3)],
        ['a', set(2)],
      ]),
    );
    expect(out.devices.map((d) => [d.deviceId, d.normalCount, Array.from(d.normal)])).toEqual([
      ['a', 2, [1, 1, 2, 2]],
      ['b', 1, [3, 3]],
    ]);
  });
});

/** In-memory label ports. */
function memoryLabels(alerts: LabelledAlert[], skipped: Record<string, number> = {}) {
  const stored = new Map<string, DeviceLabels>();
  const writes: string[] = [];
  const source: LabelSource = { read: async (limit) => ({ alerts: alerts.slice(0, limit), skipped }) };
  const devices: DeviceLabelStore = {
    current: async (id) => stored.get(id) ?? null,
    write: async (id, labels) => {
      writes.push(id);
      stored.set(id, labels);
      return { table: true, profile: id !== 'dev-3' };
    },
  };
  return { ports: { source, devices }, stored, writes };
}

describe('runRetrainJob with labels', () => {
  let champion: Awaited<ReturnType<typeof trainTestChampion>>;
  let history: DecodedRecord[];
  let alerts: LabelledAlert[];
  const T0 = Date.UTC(2026, 10, 26, 12);
  beforeAll(async () => {
    champion = await trainTestChampion();
    const devices = Array.from({ length: 8 }, (_, i) => ({
      id: `dev-${i}`,
      seconds: 180,
      seed: 10 + i,
      heartRate: 60 + 3 * i,
      anomalies: pvcs(180, 7 + i),
    }));
    history = interleave(...devices.map((d) => deviceRecords(d.id, { ...d, t0: T0 })));
    // The labelled beats are real beats of the history: the same simulated signal, segmented whole.
    const beatsOf = (d: (typeof devices)[number]) =>
      ecgSegment(
        ecgSimulate({ fs: TEST_FS, seconds: d.seconds, seed: d.seed, heartRate: d.heartRate, anomalies: d.anomalies }).signal,
        TEST_FS,
        TEST_WINDOW,
      ).map((b) => ({ t: Math.round(T0 + (b.rIndex * 1000) / TEST_FS), window: Array.from(b.window), rrPrev: b.rrPrev, rrNext: b.rrNext }));
    // The beats the champion finds most anomalous (the PVCs): dev-3's confirmed by a clinician
    // (a true alarm), two of dev-5's called an artefact (a false alarm).
    const { model } = parseArtifact(champion.text);
    const worst = (d: (typeof devices)[number], n: number) =>
      beatsOf(d)
        .map((b) => ({ ...b, champion: model.score(Float32Array.from(b.window), 1)[0] }))
        .sort((a, b) => b.champion - a.champion)
        .slice(0, n);
    alerts = [
      {
        id: 'dev-3:a',
        deviceId: 'dev-3',
        value: true,
        calibrating: false,
        beats: worst(devices[3], 3).map((b, i) => ({ ...b, score: 2.4 + i })),
      },
      {
        id: 'dev-5:a',
        deviceId: 'dev-5',
        value: false,
        calibrating: false,
        beats: worst(devices[5], 2).map((b, i) => ({ ...b, score: 1.3 + 0.2 * i })),
      },
    ];
  }, 60_000);

  it('reports the labels used, raises the false-alarm device threshold (stored), leaves labelled beats out of history, compares on known positives', async () => {
    const registry = new MemoryRegistry(champion);
    const labels = memoryLabels(alerts, { episode: 2 });
    const result = await runRetrainJob(
      { history: memoryHistory(history), registry, labels: labels.ports },
      { timeBudgetMs: 30_000, train: { epochs: 3 }, minDeviceThresholdBeats: 100 },
    );
    expect(result.labels).toMatchObject({
      used: 2,
      skipped: { episode: 2 },
      falseAlarms: { alerts: 1, beats: 2 },
      truePositives: { alerts: 1, beats: 3 },
      unfitBeats: 0,
      devicesChanged: 1,
    });
    // Every labelled beat has its copy in history, and none of them was sampled as a history beat.
    expect(result.labels?.historyBeatsLeftOut).toBe(5);
    const five = result.labels?.devices.find((d) => d.deviceId === 'dev-5');
    expect(five).toMatchObject({ falseAlarms: 1, falseAlarmBeats: 2, capped: false, stored: { table: true, profile: true } });
    expect(five?.threshold.before).toBe(1);
    expect(five?.threshold.after).toBeCloseTo(1.5 * (1 + LABEL_MARGIN), 4);
    expect(labels.stored.get('dev-5')?.threshold).toBe(five?.threshold.after);
    const three = result.labels?.devices.find((d) => d.deviceId === 'dev-3');
    expect(three).toMatchObject({ truePositives: 1, threshold: { before: 1, after: 1 } });
    // The true alarms' beats are what the challenger is compared on besides the held-out beats.
    const known = result.comparison?.checks.find((c) => c.name === 'known-positives');
    expect(known?.status).not.toBe('skipped');
    expect(result.comparison?.champion.knownPositives?.aboveNormalP99).toBe(1);
    expect(result.comparison?.challenger.falseAlarms).not.toBeNull();
    // Seeded: the challenger is promoted, and its threshold of dev-5 sits above its false alarms' scores.
    expect(result.decision).toBe('promoted');
    const { artifact, model } = parseArtifact(registry.objects.get(registry.pointer!.value.key)!);
    const fa = labelledBeats(alerts, { artifact, model }).normal.get('dev-5')!;
    const scores = model.score(fa.data, fa.count);
    expect(artifact.deviceThresholds['dev-5']).toBeGreaterThan(Math.max(...scores));
    expect(five?.modelThreshold?.after).toBe(artifact.deviceThresholds['dev-5']);
    expect(five?.modelThreshold?.after).toBeGreaterThan(five?.modelThreshold?.before as number);
    expect(result.thresholds?.raisedByLabels).toBe(1);

    // A second run over the same labels changes nothing (and writes nothing), even with no history.
    const again = await runRetrainJob({ history: memoryHistory([]), registry, labels: labels.ports }, { timeBudgetMs: 5_000 });
    expect(again.decision).toBe('kept');
    expect(again.labels?.used).toBe(2);
    expect(again.labels?.devicesChanged).toBe(0);
    expect(again.labels?.devices.every((d) => d.stored === null)).toBe(true);
    expect(labels.writes).toEqual(['dev-3', 'dev-5']);
  }, 120_000);

  it('without label ports the result says so (labels: null)', async () => {
    const result = await runRetrainJob({ history: memoryHistory([]), registry: new MemoryRegistry(champion) }, { timeBudgetMs: 5_000 });
    expect(result.labels).toBeNull();
  });
});
