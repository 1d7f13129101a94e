// Signal quality in the explanations the detector stores, on a real record: record 119 (frequent
// ventricular ectopy; a 30 s learning period) with bursts of a slow baseline swing from 100 s on.
// Alerts raised before them report good signal; alerts between them report the wander around them
// (beats next to a wander second are no evidence for an alert, so a swing that never stops would
// leave no alert to explain; test/detect/wander-alerts.test.ts tests that rule).
import { describe, expect, it } from 'vitest';
import { decodeRecord } from '../../src/contract/decode-record';
import { cutWireRecord, recordCount } from '../../src/contract/wire-records';
import type { AlertSnippet, InputRecord } from '../../src/detect';
import { Detector } from '../../src/detect/process-batch';
import { loadMitdbRecord } from '../../src/ecg/mitdb';
import { defaultModelFor } from '../../src/evaluate/default-model';
import { EVAL_EPOCH } from '../../src/evaluate/mitdb-product';
import { MemorySinks } from './fakes';

const FS = 360;

describe('signal quality in stored explanations (record 119)', () => {
  it('judges the seconds around each alert: good in the clean minute, wander where the baseline swings nearby', async () => {
    const record = loadMitdbRecord('data/mitdb', '119');
    const signal = Float32Array.from(record.signal.subarray(0, 200 * FS));
    // From 100 s, every 10 s, one period (4 s) of a 0.25 Hz swing of 4 mV: the 1 s mean moves by
    // more than 1 mV in most of its seconds; the 6 s between bursts are steady.
    const inBurst = (second: number) => second >= 100 && (second - 100) % 10 < 4;
    for (let i = 100 * FS; i < signal.length; i++)
      if (inBurst(Math.floor(i / FS))) signal[i] += 2 * Math.sin((2 * Math.PI * 0.25 * (i - 100 * FS)) / FS);
    const sinks = new MemorySinks();
    const detector = new Detector(sinks, decodeRecord, { learningSeconds: 30 });
    const model = defaultModelFor('119').model;
    const device = { deviceId: 'dev-119', signal, fs: FS };
    const scratch = new Float32Array(FS + 1);
    const n = recordCount(signal.length, FS, 1);
    for (let from = 0; from < n; from += 10) {
      const batch: InputRecord[] = [];
      for (let seq = from; seq < Math.min(n, from + 10); seq++)
        batch.push({ id: String(seq), data: Buffer.from(cutWireRecord(device, seq, EVAL_EPOCH, 1, scratch).text), arrivedAt: EVAL_EPOCH });
      await detector.processBatch(batch, model);
    }
    const explained = [...sinks.snippets.values()].map((s: AlertSnippet) => ({ from: s.alert.from, e: s.explanation }));
    const clean = explained.filter((x) => x.from < EVAL_EPOCH + 88_000);
    const swinging = explained.filter((x) => x.from > EVAL_EPOCH + 112_000);
    expect(clean.length).toBeGreaterThan(0);
    expect(swinging.length).toBeGreaterThan(0);
    for (const { e } of explained) {
      const q = e?.signalQuality;
      expect(q?.seconds).toBeGreaterThanOrEqual(10); // the strip: 12 s up to the alert
      expect(Object.values(q?.counts ?? {}).reduce((a, b) => a + b, 0)).toBe(q?.seconds);
      expect(e?.flagged.every((f) => f.quality !== undefined)).toBe(true);
    }
    expect(clean.every((x) => x.e?.signalQuality?.worst === 'good')).toBe(true);
    expect(swinging.every((x) => (x.e?.signalQuality?.counts.wander ?? 0) > 0)).toBe(true);
    expect(swinging.some((x) => /baseline wander/.test(x.e?.summary ?? ''))).toBe(true);
  });
});
