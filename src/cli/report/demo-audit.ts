import { decodeWireRecord } from '../../contract';
import type { SegmenterFactory } from '../../detect';
import { cutWireRecord, recordCount, type SimulatedDevice } from '../../local/device-records';

/**
 * The beats (epoch ms of each R peak) the pipeline should have scored for a device: its wire
 * records, cut and decoded exactly as sent, pushed through a fresh segmenter offline (no final
 * flush: the stream never ends, so the last beat is still waiting for its successor). An
 * independent count to check the streaming path against: the demo's `lost`.
 *
 * @example
 * const expected = expectedBeats(device, startTime, model.segmenters);
 */
export function expectedBeats(device: SimulatedDevice, startTime: number, segmenters: SegmenterFactory, recordSeconds = 1): number[] {
  const segmenter = segmenters.create(device.fs);
  const scratch = new Float32Array(Math.ceil(recordSeconds * device.fs) + 1);
  const anchors: [number, number][] = [];
  const times: number[] = [];
  let index = 0;
  for (let seq = 0; seq < recordCount(device.signal.length, device.fs, recordSeconds); seq++) {
    const decoded = decodeWireRecord(cutWireRecord(device, seq, startTime, recordSeconds, scratch).text);
    if (!decoded.ok) throw new Error(`record ${seq} of a simulated device does not decode: ${decoded.reason}`);
    anchors.push([index, decoded.record.t0]);
    index += decoded.record.samples.length;
    for (const beat of segmenter.push(decoded.record.samples)) {
      let k = anchors.length - 1;
      while (k > 0 && anchors[k][0] > beat.rIndex) k--;
      times.push(Math.round(anchors[k][1] + ((beat.rIndex - anchors[k][0]) * 1000) / device.fs));
    }
  }
  return times;
}

/** The q-quantile (0..1) of values by nearest rank; NaN when empty. */
export function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}
