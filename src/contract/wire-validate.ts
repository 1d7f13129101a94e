/**
 * Field rules of wire format v1 (docs/ARCHITECTURE.md §3.1), shared by the decoder and the encoder so
 * both sides agree on what a valid record is. Every check returns a rejection reason or
 * `undefined`; reasons name the field and what was wrong and never echo a sample value or
 * the raw device id (health data, pseudonymous ids).
 */

/** Largest Kinesis record payload (1 MiB): anything bigger cannot have come from Kinesis. */
export const MAX_RECORD_BYTES = 1024 * 1024;
import { QRS_FS_RANGE } from '../ecg';
/**
 * Sampling-rate bounds in Hz: exactly the rates the detector processes (the QRS detector's
 * range, defined once in `src/ecg/qrs-options.ts`, below this layer), so every record the
 * decoder accepts can be segmented and none the detector could take is refused here.
 */
export const MIN_FS = QRS_FS_RANGE[0];
export const MAX_FS = QRS_FS_RANGE[1];
/** A record holds at most this many seconds of signal (`samples.length <= 60 * fs`). */
export const MAX_RECORD_SECONDS = 60;
/** Device id length bounds and alphabet (defined in ids.ts, re-exported for the validator's users). */
export { DEVICE_ID_PATTERN, MAX_DEVICE_ID_LENGTH } from './ids';
import { DEVICE_ID_PATTERN, MAX_DEVICE_ID_LENGTH } from './ids';
/** Largest epoch millisecond a JavaScript `Date` can represent. */
export const MAX_T0 = 8.64e15;

/** A rejection: which field (if one) and why. */
export interface WireRejection {
  readonly reason: string;
  readonly field?: string;
}

/** Names the JSON type of a value for a reason, without echoing the value itself. */
export function jsonTypeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** `deviceId`: 1–128 chars of `[A-Za-z0-9._:-]`. */
export function checkDeviceId(value: unknown): WireRejection | undefined {
  const field = 'deviceId';
  if (value === undefined) return { field, reason: 'deviceId is missing' };
  if (typeof value !== 'string') return { field, reason: `deviceId must be a string, got ${jsonTypeOf(value)}` };
  if (value.length === 0) return { field, reason: 'deviceId is empty' };
  if (value.length > MAX_DEVICE_ID_LENGTH)
    return { field, reason: `deviceId is ${value.length} characters long, at most ${MAX_DEVICE_ID_LENGTH} allowed` };
  if (!DEVICE_ID_PATTERN.test(value)) {
    // Position only, never the character: the id itself is pseudonymous but still not logged.
    const at = [...value].findIndex((ch) => !DEVICE_ID_PATTERN.test(ch));
    return { field, reason: `deviceId has a character outside [A-Za-z0-9._:-] at index ${at}` };
  }
  return undefined;
}

/** `seq`: integer ≥ 0 (safe integer). */
export function checkSeq(value: unknown): WireRejection | undefined {
  const field = 'seq';
  if (value === undefined) return { field, reason: 'seq is missing' };
  if (typeof value !== 'number') return { field, reason: `seq must be a number, got ${jsonTypeOf(value)}` };
  if (!Number.isSafeInteger(value) || value < 0) return { field, reason: `seq must be an integer >= 0, got ${describeNumber(value)}` };
  return undefined;
}

/** `t0`: epoch milliseconds of the first sample, in [0, 8.64e15]. */
export function checkT0(value: unknown): WireRejection | undefined {
  const field = 't0';
  if (value === undefined) return { field, reason: 't0 is missing' };
  if (typeof value !== 'number') return { field, reason: `t0 must be a number (epoch ms), got ${jsonTypeOf(value)}` };
  if (!Number.isFinite(value) || value < 0 || value > MAX_T0)
    return { field, reason: `t0 must be epoch milliseconds in [0, ${MAX_T0}], got ${describeNumber(value)}` };
  return undefined;
}

/** `fs`: sampling rate in Hz, {@link MIN_FS}–{@link MAX_FS}. */
export function checkFs(value: unknown): WireRejection | undefined {
  const field = 'fs';
  if (value === undefined) return { field, reason: 'fs is missing' };
  if (typeof value !== 'number') return { field, reason: `fs must be a number (Hz), got ${jsonTypeOf(value)}` };
  if (!Number.isFinite(value) || value < MIN_FS || value > MAX_FS)
    return { field, reason: `fs must be in [${MIN_FS}, ${MAX_FS}] Hz, got ${describeNumber(value)}` };
  return undefined;
}

/** `unit` (absent = mV) and, for `adu`, `gain` (adu per mV, finite and > 0). */
export function checkUnit(unit: unknown, gain: unknown): WireRejection | undefined {
  if (unit === undefined || unit === 'mV') return undefined;
  if (unit !== 'adu') {
    return typeof unit === 'string'
      ? { field: 'unit', reason: 'unit must be "mV" or "adu", got an unknown unit string' }
      : { field: 'unit', reason: `unit must be "mV" or "adu", got ${jsonTypeOf(unit)}` };
  }
  if (gain === undefined) return { field: 'gain', reason: 'gain (adu per mV) is required when unit is "adu"' };
  if (typeof gain !== 'number') return { field: 'gain', reason: `gain must be a number, got ${jsonTypeOf(gain)}` };
  if (!Number.isFinite(gain) || gain <= 0)
    return { field: 'gain', reason: `gain must be a finite number > 0, got ${describeNumber(gain)}` };
  return undefined;
}

/**
 * `samples`: an array of 1 to 60·fs finite numbers. `fs` must already be valid. Elements are
 * checked one by one so the reason names the first bad index.
 */
export function checkSamples(value: unknown, fs: number): WireRejection | undefined {
  const field = 'samples';
  if (value === undefined) return { field, reason: 'samples is missing' };
  if (!Array.isArray(value)) return { field, reason: `samples must be an array, got ${jsonTypeOf(value)}` };
  const badCount = checkSampleCount(value.length, fs);
  if (badCount) return badCount;
  for (let i = 0; i < value.length; i++) {
    const x: unknown = value[i];
    if (typeof x !== 'number') return { field: `samples[${i}]`, reason: `samples[${i}] must be a number, got ${jsonTypeOf(x)}` };
    // JSON.parse turns 1e999 into Infinity: out-of-range numbers are caught here.
    if (!Number.isFinite(x)) return { field: `samples[${i}]`, reason: `samples[${i}] is not a finite number` };
  }
  return undefined;
}

/**
 * The sample count of a record (per lead in v2): 1 to 60·fs. `fs` must already be valid. v1 and
 * v2 share it so both formats refuse the same counts with the same words.
 */
export function checkSampleCount(count: number, fs: number): WireRejection | undefined {
  const field = 'samples';
  if (count === 0) return { field, reason: 'samples is empty' };
  const max = Math.floor(MAX_RECORD_SECONDS * fs);
  if (count > max) return { field, reason: `samples has ${count} elements, at most ${max} allowed (${MAX_RECORD_SECONDS} s at ${fs} Hz)` };
  return undefined;
}

/**
 * Describes a bad metadata number for a reason. Only used for seq/t0/fs/gain, which are not
 * health data; values are shortened so a reason stays one short line.
 */
function describeNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const text = String(value);
  return text.length > 24 ? `${text.slice(0, 24)}…` : text;
}
