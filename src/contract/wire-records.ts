import { encodeWireRecord, type WireEncodeOptions } from './wire';

/**
 * Cutting a device's signal into wire-format v1 records (docs/ARCHITECTURE.md §3.1): the one encoder of
 * the device simulator, the demo's audit, the benchmarks and `eval mitdb`, so evaluation feeds
 * the detector exactly the bytes a device would send.
 */

/** A signal sent as one device: mV at `fs` Hz under `deviceId` (also the partition key). */
export interface WireSignal {
  readonly deviceId: string;
  /** The whole signal in mV; NaN (WFDB's invalid samples) is sent as the last valid value. */
  readonly signal: Float32Array;
  readonly fs: number;
}

/** Sample range `[start, end)` of record `seq` of a device cut into `recordSeconds` records. */
export function recordBounds(seq: number, fs: number, recordSeconds: number, length: number): { start: number; end: number } {
  // Boundaries from the record index, not accumulated, so non-integer fs·seconds never drifts.
  const start = Math.min(length, Math.round(seq * recordSeconds * fs));
  const end = Math.min(length, Math.round((seq + 1) * recordSeconds * fs));
  return { start, end };
}

/** Number of records a signal of `length` samples makes. */
export function recordCount(length: number, fs: number, recordSeconds: number): number {
  // The smallest k whose last bound reaches the end, consistent with recordBounds' rounding.
  let k = Math.ceil(length / (recordSeconds * fs));
  while (k > 0 && Math.round((k - 1) * recordSeconds * fs) >= length) k--;
  while (Math.round(k * recordSeconds * fs) < length) k++;
  return k;
}

/**
 * Cuts record `seq` of a device as wire-format text: `t0` is `startTime` plus the record's
 * first sample time. NaN samples are replaced by the previous finite value (0 at the start),
 * as a device would hold its output; `held` counts them. Reuses `scratch` (no allocation per sample).
 */
export function cutWireRecord(
  device: WireSignal,
  seq: number,
  startTime: number,
  recordSeconds: number,
  scratch: Float32Array,
  encode: WireEncodeOptions = {},
): { text: string; held: number; samples: number } {
  const { start, end } = recordBounds(seq, device.fs, recordSeconds, device.signal.length);
  const n = end - start;
  const samples = scratch.length >= n ? scratch.subarray(0, n) : new Float32Array(n);
  let held = 0;
  let last = 0;
  for (let i = start - 1; i >= 0; i--) {
    if (Number.isFinite(device.signal[i])) {
      last = device.signal[i];
      break;
    }
  }
  for (let i = 0; i < n; i++) {
    const x = device.signal[start + i];
    if (Number.isFinite(x)) last = x;
    else held++;
    samples[i] = last;
  }
  const t0 = startTime + Math.round((start / device.fs) * 1000);
  return { text: encodeWireRecord({ deviceId: device.deviceId, seq, t0, fs: device.fs, samples }, encode), held, samples: n };
}
