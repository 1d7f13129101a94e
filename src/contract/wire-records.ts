import { encodeWireRecord, type WireEncodeOptions } from './wire';
import { encodeWireRecordV2, leadBits } from './wire-v2';

/**
 * Cutting a device's signal into wire records (docs/ARCHITECTURE.md §3.1), v1 (one lead) or v2
 * (every lead): the one encoder of the device simulator, the demo's audit, the benchmarks and
 * `eval mitdb`, so evaluation feeds the detector exactly the bytes a device would send.
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

/** A multi-lead signal sent as one device: every lead in mV at `fs` Hz, with its name and resolution (ADC units per mV). */
export interface WireLeadsSignal {
  readonly deviceId: string;
  readonly fs: number;
  /** Every lead, equally long; NaN samples are sent as the lead's last valid value. */
  readonly leads: readonly { readonly name: string; readonly gain: number; readonly samples: Float32Array }[];
}

/**
 * Cuts record `seq` of a multi-lead device as wire-format v2 bytes (every lead, lossless at its
 * gain, `bits` as few as the record needs), with the bounds and NaN handling of
 * {@link cutWireRecord}.
 *
 * @example
 * const bytes = cutWireRecordV2({ deviceId: '208', fs: 360, leads }, 0, Date.UTC(2026, 0, 1), 1).data;
 */
export function cutWireRecordV2(
  device: WireLeadsSignal,
  seq: number,
  startTime: number,
  recordSeconds: number,
): { data: Uint8Array; held: number } {
  const length = device.leads[0].samples.length;
  const { start, end } = recordBounds(seq, device.fs, recordSeconds, length);
  let held = 0;
  const leads = device.leads.map((lead) => {
    const samples = new Float32Array(end - start);
    let last = 0;
    for (let i = start - 1; i >= 0; i--) {
      if (Number.isFinite(lead.samples[i])) {
        last = lead.samples[i];
        break;
      }
    }
    for (let i = 0; i < samples.length; i++) {
      const x = lead.samples[start + i];
      if (Number.isFinite(x)) last = x;
      else held++;
      samples[i] = last;
    }
    return { name: lead.name, gain: lead.gain, bits: leadBits(samples, lead.gain), samples };
  });
  const t0 = startTime + Math.round((start / device.fs) * 1000);
  return { data: encodeWireRecordV2({ deviceId: device.deviceId, seq, t0, fs: device.fs, leads }), held };
}
