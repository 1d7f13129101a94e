import { createHmac } from 'node:crypto';
import { encodeWireRecord, type WireEncodeOptions } from '../contract/wire';

/** A device to simulate: a signal in mV at `fs` Hz, sent under a pseudonymous id. */
export interface SimulatedDevice {
  /** Pseudonymous id (see {@link pseudonymousDeviceId}); also the partition key. */
  readonly deviceId: string;
  /** The whole signal in mV; NaN (WFDB's invalid samples) is sent as the last valid value. */
  readonly signal: Float32Array;
  readonly fs: number;
}

/** Salt of {@link pseudonymousDeviceId} when none is given: fine for demos, not for real patients. */
export const DEFAULT_DEVICE_ID_SALT = 'beatwatch-local';

/**
 * A stable pseudonymous device id for a source label (a record name, a serial number): `dev-`
 * and 16 hex digits of HMAC-SHA256(salt, label). The label cannot be read back from the id,
 * and the same label and salt always give the same id.
 *
 * @example
 * pseudonymousDeviceId('mitdb/208') // 'dev-…' (16 hex digits)
 */
export function pseudonymousDeviceId(label: string, salt = DEFAULT_DEVICE_ID_SALT): string {
  return `dev-${createHmac('sha256', salt).update(label, 'utf8').digest('hex').slice(0, 16)}`;
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
  device: SimulatedDevice,
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
