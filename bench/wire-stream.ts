import type { InputRecord } from '../src/detect';
import { cutWireRecord, cutWireRecordV2, recordCount, type WireLeadsSignal, type WireSignal } from '../src/contract';

/** A device as the pipeline bench streams it: how many 1 s wire records it makes, and the bytes of each. */
export interface StreamedDevice {
  readonly records: number;
  /** Record `seq`, its t0 counted from the device clock's `startTime` (epoch ms). */
  cut(seq: number, startTime: number): Uint8Array;
}

/**
 * A one-lead device sent as v1 records (what `npm start` and the device simulator send).
 *
 * @example
 * const device = oneLeadDevice({ deviceId: 'dev-1', signal, fs: 360 });
 */
export function oneLeadDevice(device: WireSignal): StreamedDevice {
  // One scratch per device: cutWireRecord writes the record's samples there (no allocation per record).
  const scratch = new Float32Array(Math.ceil(device.fs) + 1);
  return {
    records: recordCount(device.signal.length, device.fs, 1),
    cut: (seq, startTime) => Buffer.from(cutWireRecord(device, seq, startTime, 1, scratch).text),
  };
}

/**
 * A device of several leads sent as v2 records of every lead (what `eval mitdb` sends by default).
 *
 * @example
 * const device = twoLeadDevice({ deviceId: 'dev-1', fs: 360, leads: withGains(record.leads) });
 */
export function twoLeadDevice(device: WireLeadsSignal): StreamedDevice {
  return {
    records: recordCount(device.leads[0].samples.length, device.fs, 1),
    cut: (seq, startTime) => cutWireRecordV2(device, seq, startTime, 1).data,
  };
}

/**
 * The stream as the handler would see it: tick by tick across devices (record `seq` of every
 * device, then `seq + 1`), in batches of `batchSize` records. Every device's clock starts at
 * `startTime`, record `seq` arrives `seq` seconds after it; ids are the records' positions in the stream.
 *
 * @example
 * const batches = streamBatches([oneLeadDevice(a), twoLeadDevice(b)], Date.UTC(2026, 0, 1), 100);
 */
export function streamBatches(devices: readonly StreamedDevice[], startTime: number, batchSize: number): InputRecord[][] {
  const all: InputRecord[] = [];
  const longest = Math.max(0, ...devices.map((d) => d.records));
  for (let seq = 0; seq < longest; seq++)
    for (const d of devices)
      if (seq < d.records) all.push({ id: String(all.length), data: d.cut(seq, startTime), arrivedAt: startTime + seq * 1000 });
  const batches: InputRecord[][] = [];
  for (let i = 0; i < all.length; i += batchSize) batches.push(all.slice(i, i + batchSize));
  return batches;
}
