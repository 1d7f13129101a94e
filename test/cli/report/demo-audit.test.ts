import { describe, expect, it } from 'vitest';
import { expectedBeats, percentile } from '../../../src/cli/report/demo-audit';
import { decodeWireRecord } from '../../../src/contract/wire';
import { Detector } from '../../../src/detect/process-batch';
import { segmenterFactoryFor } from '../../../src/model/beat-model';
import type { BeatModel } from '../../../src/detect/ports';
import { DEFAULT_BEAT_WINDOW } from '../../../src/ecg/beat-window-spec';
import { ecgSimulate } from '../../../src/ecg/ecg-simulate';
import { cutWireRecord, recordCount } from '../../../src/local/device-records';

describe('expectedBeats', () => {
  it('finds exactly the beats the streaming detector scores for the same wire records', async () => {
    const fs = 250;
    const signal = Float32Array.from(ecgSimulate({ seconds: 30, fs, heartRate: 70, seed: 3 }).signal);
    const device = { deviceId: 'dev-sim', signal, fs };
    const start = Date.UTC(2026, 0, 1);
    const segmenters = segmenterFactoryFor(DEFAULT_BEAT_WINDOW);
    const model: BeatModel = {
      version: 'v',
      threshold: 1,
      deviceThresholds: {},
      segmenters,
      scoreBeats: (b) => new Float32Array(b.length),
    };
    const detector = new Detector(
      { quarantine: async () => {}, putSnippet: async () => {}, publishAlert: async () => {} },
      decodeWireRecord,
    );
    const scratch = new Float32Array(fs);
    const records = Array.from({ length: recordCount(signal.length, fs, 1) }, (_, seq) => ({
      id: String(seq),
      data: Buffer.from(cutWireRecord(device, seq, start, 1, scratch).text),
      arrivedAt: start,
    }));
    const scored: number[] = [];
    for (let i = 0; i < records.length; i += 7)
      scored.push(...(await detector.processBatch(records.slice(i, i + 7), model)).beats.map((b) => b.t));
    const expected = expectedBeats(device, start, segmenters);
    expect(expected.length).toBeGreaterThan(25);
    expect(scored).toEqual(expected);
  });
});

describe('percentile', () => {
  it('is the nearest-rank quantile', () => {
    expect(percentile([5, 1, 3, 2, 4], 0.5)).toBe(3);
    expect(percentile([5, 1, 3, 2, 4], 0.95)).toBe(5);
    expect(percentile([], 0.5)).toBeNaN();
  });
});
