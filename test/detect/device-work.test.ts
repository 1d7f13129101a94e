import { describe, expect, it } from 'vitest';
import { arrivalsOf, inDeviceOrder, latestArrival, newDeviceWork, type DeviceWork } from '../../src/detect/device-work';
import type { DecodedRecord } from '../../src/detect/ports';
import type { ScoredBeat } from '../../src/detect/batch-result';

const record = (seq: number, t0: number) => ({
  record: { deviceId: 'a', seq, t0, fs: 10, samples: new Float32Array(10) } as DecodedRecord,
});
const seqs = (records: { record: DecodedRecord }[]) => records.map((r) => r.record.seq);

function work(deviceId: string, arrivals: number[]): DeviceWork {
  const w = newDeviceWork(deviceId);
  arrivals.forEach((arrivedAt, i) =>
    w.records.push({
      id: `${deviceId}${i}`,
      record: record(i, i * 1000).record,
      item: { id: `${deviceId}${i}`, data: new Uint8Array(), arrivedAt },
    }),
  );
  return w;
}

const beat = (deviceId: string, t: number, phase: ScoredBeat['phase']): ScoredBeat => ({
  deviceId,
  t,
  score: 0,
  modelScore: 0,
  threshold: 1,
  anomalous: false,
  kind: 'normal',
  phase,
});

describe('inDeviceOrder', () => {
  it('sorts records a producer reordered (neither seq nor t0 increasing) by seq', () => {
    const records = [record(2, 2000), record(0, 0), record(1, 1000)];
    inDeviceOrder(records);
    expect(seqs(records)).toEqual([0, 1, 2]);
  });

  it('keeps the stream order of a device that restarted its counter (seq back, time on)', () => {
    const records = [record(41, 0), record(42, 1000), record(0, 2000), record(1, 3000)];
    inDeviceOrder(records);
    expect(seqs(records)).toEqual([41, 42, 0, 1]);
  });
});

describe('latestArrival and arrivalsOf', () => {
  it('gives each device its latest arrival and its latest scored beat', () => {
    const byDevice = new Map([
      ['a', work('a', [5, 9, 7])],
      ['b', work('b', [3])],
    ]);
    expect(latestArrival(byDevice.get('a') as DeviceWork)).toBe(9);
    const arrivals = arrivalsOf(byDevice, [beat('a', 100, 'learning'), beat('a', 300, 'learned'), beat('a', 200, 'learning')]);
    expect(arrivals).toEqual([
      { deviceId: 'a', sighting: { arrivedAt: 9, lastBeat: { t: 300, phase: 'learned' } } },
      // No beat scored in the batch: no last beat to report.
      { deviceId: 'b', sighting: { arrivedAt: 3 } },
    ]);
  });
});
