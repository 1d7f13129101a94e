import { describe, expect, it } from 'vitest';
import { oneLeadDevice, streamBatches, twoLeadDevice } from '../../bench/wire-stream';
import { decodeRecord } from '../../src/contract/decode-record';

const FS = 100;
const START = Date.UTC(2026, 0, 1);
/** A ramp in mV, exactly representable at 1 µV per unit. */
const ramp = (n: number, from: number) => Float32Array.from({ length: n }, (_, i) => (from + i) / 1000);

function decoded(data: Uint8Array) {
  const r = decodeRecord(data);
  if (!r.ok) throw new Error(r.reason);
  return r.record;
}

describe('bench wire stream', () => {
  it('interleaves devices tick by tick and cuts batches of the given size', () => {
    const a = oneLeadDevice({ deviceId: 'dev-a', signal: ramp(3 * FS, 0), fs: FS });
    const b = oneLeadDevice({ deviceId: 'dev-b', signal: ramp(2 * FS, 500), fs: FS });
    const batches = streamBatches([a, b], START, 2);
    expect(batches.map((batch) => batch.length)).toEqual([2, 2, 1]);
    const all = batches.flat();
    expect(all.map((r) => r.id)).toEqual(['0', '1', '2', '3', '4']);
    const records = all.map((r) => decoded(r.data));
    expect(records.map((r) => `${r.deviceId}:${r.seq}`)).toEqual(['dev-a:0', 'dev-b:0', 'dev-a:1', 'dev-b:1', 'dev-a:2']);
    // Record seq arrives seq seconds after the start, and its t0 is its first sample's time.
    expect(all.map((r) => r.arrivedAt - START)).toEqual([0, 0, 1000, 1000, 2000]);
    expect(records.map((r) => r.t0 - START)).toEqual([0, 0, 1000, 1000, 2000]);
    expect(Array.from(records[3].samples)).toEqual(Array.from(ramp(FS, 500 + FS)));
  });

  it('sends every lead of a two-lead device as v2 records', () => {
    const leads = [
      { name: 'MLII', gain: 1000, samples: ramp(2 * FS, 0) },
      { name: 'V1', gain: 1000, samples: ramp(2 * FS, -300) },
    ];
    const [first, second] = streamBatches([twoLeadDevice({ deviceId: 'dev-c', fs: FS, leads })], START, 100)[0].map((r) => decoded(r.data));
    expect(second.seq).toBe(1);
    expect(second.leads?.map((l) => l.name)).toEqual(['MLII', 'V1']);
    expect(Array.from(second.leads?.[1].samples ?? [])).toEqual(Array.from(ramp(FS, -300 + FS)));
    // The model's lead is the one the detector reads.
    expect(Array.from(first.samples)).toEqual(Array.from(ramp(FS, 0)));
  });

  it('makes no batch of no devices', () => {
    expect(streamBatches([], START, 100)).toEqual([]);
  });
});
