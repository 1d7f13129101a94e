import { describe, expect, it } from 'vitest';
import { OFF_ADAPTER } from '../../src/detect/adapters';
import { Detector } from '../../src/detect/process-batch';
import type { AlertMessage, AlertSnippet } from '../../src/detect/ports';
import { fakeModel, MemorySinks, rec, testDecoder } from './fakes';

const OFF = { adaptation: OFF_ADAPTER } as const;
/** Three anomalous beats (score 1.5x the threshold 2) open a warning; one beat of 7 (3.5x) a critical alert. */
const warningRecord = (device: string, seq: number) => rec(device, seq, { 1: 3, 4: 3, 7: 3 });
const criticalRecord = (device: string, seq: number) => rec(device, seq, { 2: 7 });

describe('alert context: strip, explanation, alert state, snoozes', () => {
  it('stores the strip and an explanation with each alert, and records the alert before it is published', async () => {
    const order: string[] = [];
    const sinks = new MemorySinks();
    const recorded: AlertSnippet[] = [];
    const publish = sinks.publishAlert.bind(sinks);
    sinks.publishAlert = async (m: AlertMessage) => {
      order.push('publish');
      await publish(m);
    };
    const withRecord = Object.assign(sinks, {
      async recordAlert(_m: AlertMessage, s: AlertSnippet) {
        order.push('record');
        recorded.push(s);
      },
    });
    const model = {
      ...fakeModel(),
      window: { before: 0, after: 0.1, steps: 1 },
      reconstructBeats: (beats: readonly { window: Float32Array }[]) => beats.map(() => Float32Array.of(1)),
    };
    const detector = new Detector(withRecord, testDecoder, OFF);
    for (let seq = 0; seq < 3; seq++) await detector.processBatch([rec('a', seq, { 5: 1 })], model);
    const result = await detector.processBatch([warningRecord('a', 3)], model);
    expect(result.alerts).toHaveLength(1);
    expect(order).toEqual(['record', 'publish']);
    const snippet = sinks.snippets.get(result.alerts[0].snippetKey) as AlertSnippet;
    expect(recorded[0]).toBe(snippet);
    // 4 records of 10 samples at 10 Hz: all of it is within the 12 s strip
    expect(snippet.strip?.samples).toHaveLength(40);
    expect(snippet.strip?.t0).toBe(1_000_000);
    expect(snippet.strip?.beats.filter((b) => b.anomalous).map((b) => b.t)).toEqual([1_003_100, 1_003_400, 1_003_700]);
    const e = snippet.explanation;
    expect(e?.flagged.map((f) => f.t)).toEqual([1_003_100, 1_003_400, 1_003_700]);
    expect(e?.flagged[0].reconstruction).toEqual([1]);
    expect(e?.flagged[0].shapeError).toBeCloseTo(4, 5); // (3 - 1)^2
    expect(e?.typical?.source).toBe('recent-median');
    expect(e?.modelVersion).toBe('test-v1');
    expect(result.explainMs).toBeGreaterThanOrEqual(0);
  });

  it('a batch spanning far more than the strip (a shard catching up): the strip is cut around each alert, then trimmed', async () => {
    const sinks = new MemorySinks();
    const detector = new Detector(sinks, testDecoder, OFF);
    const records = Array.from({ length: 40 }, (_, seq) => (seq === 20 ? warningRecord('a', seq) : rec('a', seq, { 5: 1 })));
    const result = await detector.processBatch(records, fakeModel());
    expect(result.alerts).toHaveLength(1);
    const strip = sinks.snippets.get(result.alerts[0].snippetKey)?.strip;
    const { from, to } = result.alerts[0];
    expect(strip?.t0).toBeLessThanOrEqual(from - 9_000);
    expect((strip?.t0 as number) + (strip?.samples.length as number) * 100).toBeLessThanOrEqual(to + 1_100);
    expect(strip?.samples).toHaveLength(120);
    expect(strip?.beats.some((b) => b.t === from)).toBe(true);
    // After the batch the device keeps only the last 12 s.
    const state = detector.devices.get('a');
    expect(state.strip?.samples).toHaveLength(120);
    expect(state.marks.every((m) => m.t >= (state.strip?.t0 as number))).toBe(true);
  });

  it('a snoozed device: warnings are not sent (counted), critical alerts are', async () => {
    const sinks = new MemorySinks();
    const asked: string[][] = [];
    const detector = new Detector(sinks, testDecoder, {
      ...OFF,
      now: () => 5_000,
      snoozes: {
        async snoozedUntil(ids) {
          asked.push([...ids]);
          return new Map([['a', 10_000]]);
        },
      },
    });
    const warned = await detector.processBatch([warningRecord('a', 0), warningRecord('b', 0)], fakeModel());
    expect(asked).toEqual([['a', 'b']]);
    expect(warned.counts.snoozedAlerts).toBe(1);
    expect(warned.alerts.map((a) => [a.deviceId, a.severity])).toEqual([['b', 'warning']]);
    const critical = await detector.processBatch([criticalRecord('a', 1)], fakeModel());
    expect(critical.alerts.map((a) => [a.deviceId, a.severity])).toEqual([['a', 'critical']]);
  });

  it('a snooze that has run out, or a store that cannot be read, silences nothing', async () => {
    const sinks = new MemorySinks();
    let fail = false;
    const detector = new Detector(sinks, testDecoder, {
      ...OFF,
      now: () => 20_000,
      snoozes: {
        async snoozedUntil() {
          if (fail) throw new Error('table down');
          return new Map([['a', 10_000]]);
        },
      },
    });
    expect((await detector.processBatch([warningRecord('a', 0)], fakeModel())).alerts).toHaveLength(1);
    fail = true;
    expect((await detector.processBatch([warningRecord('c', 0)], fakeModel())).alerts).toHaveLength(1);
  });
});
