import { describe, expect, it } from 'vitest';
import { OFF_ADAPTER } from '../../src/detect/adapters';
import { Detector, type InputRecord } from '../../src/detect/process-batch';
import { fakeModel, MemorySinks, poison, rec, SpikeSegmenter, testDecoder } from './fakes';

/** Plays the Kinesis event source mapping: batches of `size`, retrying from the lowest failed record. */
async function stream(detector: Detector, records: InputRecord[], model = fakeModel(), size = 4) {
  let pos = 0;
  let invocations = 0;
  while (pos < records.length) {
    const batch = records.slice(pos, pos + size);
    const { failedRecordIds } = await detector.processBatch(batch, model);
    invocations++;
    if (invocations > 100) throw new Error('no progress');
    if (failedRecordIds.length === 0) pos += batch.length;
    else pos += Math.min(...failedRecordIds.map((id) => batch.findIndex((r) => r.id === id)));
  }
  return invocations;
}

/** These tests pin the pipeline without patient adaptation (model score / model threshold); test/detect/adaptation.test.ts covers learning. */
const OFF = { adaptation: OFF_ADAPTER } as const;

describe('Detector.processBatch', () => {
  it('scores the beats of every device in one call and places them in time', async () => {
    const model = fakeModel();
    const detector = new Detector(new MemorySinks(), testDecoder, OFF);
    const result = await detector.processBatch([rec('a', 0, { 2: 1 }), rec('b', 0, { 5: 1.5 }), rec('a', 1, { 0: 1 })], model);
    expect(model.calls).toBe(1);
    expect(result.counts.beatsScored).toBe(3);
    expect(result.beats.map((b) => [b.deviceId, b.t, b.modelScore, b.score, b.phase])).toEqual([
      ['a', 1_000_200, 1, 0.5, 'learned'],
      ['a', 1_001_000, 1, 0.5, 'learned'],
      ['b', 1_000_500, 1.5, 0.75, 'learned'],
    ]);
    expect(result.failedRecordIds).toEqual([]);
  });

  it('quarantines poison records with their reason while the rest of the batch proceeds', async () => {
    const sinks = new MemorySinks();
    const detector = new Detector(sinks, testDecoder, OFF);
    const bad = poison('{not json');
    const result = await detector.processBatch([rec('a', 0, { 1: 1 }), bad, rec('a', 1, { 1: 1 })], fakeModel());
    expect(result.counts.rejected).toBe(1);
    expect(result.counts.beatsScored).toBe(2);
    expect(sinks.quarantined.map((q) => [q.recordId, q.reason])).toEqual([[bad.id, 'record is not JSON']]);
    expect(result.failedRecordIds).toEqual([]);
  });

  it('quarantines a record its segmenter cannot take, and the device goes on', async () => {
    const sinks = new MemorySinks();
    const detector = new Detector(sinks, testDecoder, OFF);
    const model = fakeModel();
    const picky = {
      ...model,
      segmenters: {
        ...model.segmenters,
        create: (fs: number) =>
          fs === 10
            ? model.segmenters.create(fs)
            : (() => {
                throw new RangeError(`fs must be 10, got ${fs}`);
              })(),
      },
    };
    const odd = { ...rec('a', 1), data: Buffer.from(JSON.stringify({ deviceId: 'a', seq: 1, t0: 1_001_000, fs: 2000, samples: [0, 5] })) };
    const result = await detector.processBatch([rec('a', 0, { 1: 1 }), odd, rec('a', 2, { 1: 1 })], picky);
    expect(result.failedRecordIds).toEqual([]);
    expect(result.counts.rejected).toBe(1);
    expect(sinks.quarantined.map((q) => [q.recordId, q.reason])).toEqual([[odd.id, 'record cannot be segmented: fs must be 10, got 2000']]);
    expect(result.counts.beatsScored).toBe(2);
    expect(result.counts.segmenterRestarts).toBe(1); // seq 1 never arrived for the segmenter: a gap
  });

  it('fails only the rejected record when its quarantine fails', async () => {
    const sinks = new MemorySinks();
    sinks.failQuarantine = 1;
    const bad = poison('nope');
    const result = await new Detector(sinks, testDecoder, OFF).processBatch([rec('a', 0), bad, rec('a', 1)], fakeModel());
    expect(result.failedRecordIds).toEqual([bad.id]);
  });

  it('skips duplicates and counts gaps as segmenter restarts', async () => {
    const detector = new Detector(new MemorySinks(), testDecoder, OFF);
    const model = fakeModel();
    await detector.processBatch([rec('a', 0, { 1: 1 }), rec('a', 1, { 1: 1 })], model);
    const again = await detector.processBatch([rec('a', 1, { 1: 1 }), rec('a', 2, { 1: 1 }), rec('a', 5, { 1: 1 })], model);
    expect(again.counts.duplicates).toBe(1);
    expect(again.counts.segmenterRestarts).toBe(1);
    expect(again.counts.beatsScored).toBe(2);
    // After the gap the beat is still placed by its own record's t0.
    expect(again.beats[1].t).toBe(1_005_100);
  });

  it("orders a device's records by seq within a batch", async () => {
    const detector = new Detector(new MemorySinks(), testDecoder, OFF);
    const result = await detector.processBatch([rec('a', 1, { 0: 1 }), rec('a', 0, { 0: 1 })], fakeModel());
    expect(result.counts.segmenterRestarts).toBe(0);
    expect(result.beats.map((b) => b.t)).toEqual([1_000_000, 1_001_000]);
  });

  it('publishes the §3.3 message and a snippet with the window beats', async () => {
    const sinks = new MemorySinks();
    const detector = new Detector(sinks, testDecoder, OFF);
    const result = await detector.processBatch([rec('dev-1', 0, { 1: 3, 3: 1, 5: 3, 7: 3, 9: 1 })], fakeModel(2));
    expect(result.alerts).toHaveLength(1);
    const [message] = sinks.published;
    expect(Object.keys(message).sort()).toEqual(
      [
        'type',
        'kind',
        'id',
        'deviceId',
        'severity',
        'from',
        'to',
        'anomalousBeats',
        'windowBeats',
        'maxScore',
        'threshold',
        'modelVersion',
        'snippetKey',
      ].sort(),
    );
    expect(message).toMatchObject({
      type: 'beatwatch.alert',
      kind: 'beat',
      id: 'dev-1:1000100',
      severity: 'warning',
      from: 1_000_100,
      to: 1_000_700,
      anomalousBeats: 3,
      windowBeats: 4,
      maxScore: 1.5, // relative: model score 3 over threshold 2
      threshold: 1,
      modelVersion: 'test-v1',
    });
    expect(message.snippetKey).toBe('alerts/1970/01/01/dev-1:1000100.json');
    const snippet = sinks.snippets.get(message.snippetKey);
    expect(snippet?.beats.map((b) => [b.t, b.window])).toEqual([
      [1_000_100, [3]],
      [1_000_300, [1]],
      [1_000_500, [3]],
      [1_000_700, [3]],
    ]);
  });

  it('uses a per-device threshold from the artifact over the global one, and the multiplier on both', async () => {
    const sinks = new MemorySinks();
    const model = fakeModel(2, { strict: 0.5 });
    const detector = new Detector(sinks, testDecoder, { ...OFF, thresholdMultiplier: 2 });
    const result = await detector.processBatch([rec('strict', 0, { 1: 1.5 }), rec('lax', 0, { 1: 3 })], model);
    // Relative scores: 1.5 / (0.5 x 2) and 3 / (2 x 2).
    expect(result.beats.map((b) => [b.deviceId, b.score, b.anomalous, b.kind])).toEqual([
      ['strict', 1.5, true, 'ventricular'],
      ['lax', 0.75, false, 'normal'],
    ]);
  });

  it('a duplicate record is not re-alerted', async () => {
    const sinks = new MemorySinks();
    // No cooldown: only the duplicate check stands between a redelivery and a second alert.
    const detector = new Detector(sinks, testDecoder, { ...OFF, policy: { k: 3, n: 10, criticalMultiple: 3, cooldownMs: 0 } });
    const r = rec('a', 0, { 1: 10 });
    await detector.processBatch([r], fakeModel());
    await detector.processBatch([r], fakeModel());
    expect(sinks.published).toHaveLength(1);
  });

  it('an SNS failure rolls back only that device, fails its records, and the retry neither loses nor doubles an alert', async () => {
    // Device a: alert in seq 1 (critical) and seq 4 (critical, after the cooldown); device b: alert in seq 2.
    const records = [
      rec('a', 0),
      rec('b', 0),
      rec('a', 1, { 2: 10 }),
      rec('b', 1),
      rec('b', 2, { 4: 10 }),
      rec('a', 2),
      rec('a', 3),
      rec('a', 4, { 9: 20 }, 1_000_000 + 70_000),
    ];
    const clean = new MemorySinks();
    await stream(new Detector(clean, testDecoder, { ...OFF, policy: { k: 3, n: 10, criticalMultiple: 3, cooldownMs: 60_000 } }), records);
    expect(clean.published.map((m) => m.id)).toEqual(['a:1001200', 'b:1002400', 'a:1070900']);

    for (let failures = 1; failures <= 3; failures++) {
      const sinks = new MemorySinks();
      sinks.failPublish = failures;
      const detector = new Detector(sinks, testDecoder, OFF);
      const invocations = await stream(detector, records);
      expect(invocations).toBeGreaterThan(2);
      expect(sinks.published.map((m) => m.id).sort()).toEqual(clean.published.map((m) => m.id).sort());
      expect(sinks.published).toEqual(expect.arrayContaining(clean.published));
    }
  });

  it('a retry after a rollback does not re-send the alerts of the batch that did go out', async () => {
    const records = [rec('a', 0, { 1: 10 }), rec('a', 1), rec('a', 2, { 5: 10 }, 1_000_000 + 90_000)];
    const sinks = new MemorySinks();
    sinks.failAttempts = new Set([2]);
    const invocations = await stream(new Detector(sinks, testDecoder, OFF), records, fakeModel(), 10);
    expect(invocations).toBe(2);
    expect(sinks.published.map((m) => m.id)).toEqual(['a:1000100', 'a:1090500']);
  });

  it('beyond the device cap, a new device is refused (counted) while the active ones keep their state', async () => {
    const sinks = new MemorySinks();
    const detector = new Detector(sinks, testDecoder, { ...OFF, maxDevices: 1 });
    const result = await detector.processBatch([rec('a', 0, { 1: 10 }), rec('b', 0, { 1: 10 })], fakeModel());
    expect(result.alerts.map((a) => a.deviceId)).toEqual(['a']);
    expect(result.counts).toMatchObject({ refusedDevices: 1, refusedRecords: 1, evictions: 0 });
    expect(result.failedRecordIds).toEqual([]);
    expect(detector.devices.size).toBe(1);
  });

  it('a failing scoring call fails the batch and leaves every device as it was, so the retry loses nothing', async () => {
    const sinks = new MemorySinks();
    const detector = new Detector(sinks, testDecoder, OFF);
    const model = fakeModel();
    await detector.processBatch([rec('a', 0)], model);
    const before = JSON.stringify(detector.devices.toJSON());
    const broken = {
      ...model,
      scoreBeats: () => {
        throw new Error('out of memory');
      },
    };
    const batch = [rec('a', 1, { 2: 10 }), rec('b', 0, { 3: 1 })];
    await expect(detector.processBatch(batch, broken)).rejects.toThrow(/out of memory/);
    expect(JSON.stringify(detector.devices.toJSON())).toBe(before);
    const retry = await detector.processBatch(batch, model);
    expect(retry.counts.beatsScored).toBe(2);
    expect(retry.counts.duplicates).toBe(0);
    expect(sinks.published.map((m) => m.id)).toEqual(['a:1001200']);
  });

  it('a model with another beat window restarts every segmenter but keeps seq bookkeeping; the same window does not', async () => {
    const detector = new Detector(new MemorySinks(), testDecoder, OFF);
    const model = fakeModel();
    await detector.processBatch([rec('a', 0, { 1: 1 })], model);
    const sameWindow = { ...fakeModel(), version: 'test-v2' };
    expect((await detector.processBatch([rec('a', 1, { 1: 1 })], sameWindow)).counts.segmenterRestarts).toBe(0);
    const otherWindow = {
      ...fakeModel(),
      version: 'test-v3',
      segmenters: { create: () => new SpikeSegmenter(), restore: (j: unknown) => new SpikeSegmenter((j as { index: number }).index) },
    };
    const switched = await detector.processBatch([rec('a', 1, { 1: 1 }), rec('a', 2, { 1: 1 })], otherWindow);
    expect(switched.counts.duplicates).toBe(1);
    expect(switched.counts.segmenterRestarts).toBe(1);
    expect(switched.counts.beatsScored).toBe(1);
  });

  it('after a rollback the device is exactly where it was, the other device keeps its progress', async () => {
    const sinks = new MemorySinks();
    const detector = new Detector(sinks, testDecoder, OFF);
    const model = fakeModel();
    await detector.processBatch([rec('a', 0), rec('b', 0)], model);
    const before = JSON.stringify(detector.devices.snapshot('a'));
    sinks.failPublish = 1;
    const a1 = rec('a', 1, { 3: 10 });
    const b1 = rec('b', 1, { 3: 1 });
    const result = await detector.processBatch([b1, a1], model);
    expect(result.failedRecordIds).toEqual([a1.id]);
    expect(result.counts.rolledBackDevices).toBe(1);
    expect(result.beats.map((b) => b.deviceId)).toEqual(['b']);
    expect(JSON.stringify(detector.devices.snapshot('a'))).toBe(before);
    expect(detector.devices.snapshot('b')?.lastSeq).toBe(1);
  });
});
