import {
  MAX_RECORD_BYTES,
  checkDeviceId,
  checkFs,
  checkSamples,
  checkSeq,
  checkT0,
  checkUnit,
  jsonTypeOf,
  type WireRejection,
} from './wire-validate';

/**
 * A decoded record as every consumer sees it (the detector, the history reader, retraining):
 * whatever unit the device sent, samples are in mV (`adu` records are divided by their gain).
 */
export interface DecodedRecord {
  /** Pseudonymous device id, also the Kinesis partition key. Never log it raw. */
  readonly deviceId: string;
  /** Record counter of the device, +1 per record. */
  readonly seq: number;
  /** Epoch milliseconds of the first sample. */
  readonly t0: number;
  /** Sampling rate in Hz. */
  readonly fs: number;
  /** Samples in mV of the lead the detector uses (v2: chosen by name, MLII first; v1: the only one). */
  readonly samples: Float32Array;
  /**
   * Every lead of a multi-lead (v2) record, in mV, in the record's order; `samples` is one of
   * them. Absent for v1 records.
   */
  readonly leads?: readonly { readonly name: string; readonly samples: Float32Array }[];
}

/** One decoded wire-format v1 record (docs/ARCHITECTURE.md §3.1). */
export interface WireRecordV1 extends DecodedRecord {
  readonly v: 1;
}

/** Result of {@link decodeWireRecord}: a record or a precise rejection. */
export type WireDecodeResult = { ok: true; record: WireRecordV1 } | ({ ok: false } & WireRejection);

/** What {@link encodeWireRecord} accepts: samples in mV, or in adu with a gain. */
export interface WireRecordInput {
  readonly deviceId: string;
  readonly seq: number;
  readonly t0: number;
  readonly fs: number;
  readonly samples: ArrayLike<number>;
  /** Defaults to `mV`. */
  readonly unit?: 'mV' | 'adu';
  /** adu per mV, required with `unit: 'adu'`. */
  readonly gain?: number;
}

/** Options of {@link encodeWireRecord}. */
export interface WireEncodeOptions {
  /**
   * Decimal places written per sample (default {@link DEFAULT_SAMPLE_DECIMALS}). Five places
   * in mV is 10 nV, far below any ECG front end's resolution (MIT-BIH: 5 µV per adu), and keeps
   * Float32 round-off digits off the wire.
   */
  readonly decimals?: number;
}

/** Default decimal places of encoded samples. */
export const DEFAULT_SAMPLE_DECIMALS = 5;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Decodes one Kinesis record payload. Never throws: any input, however malformed, yields
 * either a record or `{ ok: false, reason, field? }` naming what was wrong where. Reasons
 * never contain sample values or the device id.
 *
 * @example
 * const r = decodeWireRecord(Buffer.from(kinesisRecord.data, 'base64'));
 * if (!r.ok) quarantine(r.reason); else process(r.record);
 */
export function decodeWireRecord(data: Uint8Array | string): WireDecodeResult {
  try {
    return decodeUnsafe(data);
  } catch {
    // The checks above cover every input shape; this is a last line of defence so one odd
    // record can never take the whole batch (and the shard) down with it.
    return { ok: false, reason: 'record could not be decoded' };
  }
}

function decodeUnsafe(data: Uint8Array | string): WireDecodeResult {
  let text: string;
  if (typeof data === 'string') {
    if (Buffer.byteLength(data, 'utf8') > MAX_RECORD_BYTES) return reject(`record is larger than ${MAX_RECORD_BYTES} bytes`);
    text = data;
  } else {
    if (data.byteLength > MAX_RECORD_BYTES) return reject(`record is ${data.byteLength} bytes, larger than ${MAX_RECORD_BYTES}`);
    try {
      text = utf8.decode(data);
    } catch {
      return reject('record is not valid UTF-8');
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    // The engine's message quotes a slice of the input (possibly samples): keep the position only.
    const position = /position (\d+)/.exec((err as Error).message)?.[1];
    return reject(position === undefined ? 'record is not JSON' : `record is not JSON (syntax error at character ${position})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    return reject(`record must be a JSON object, got ${jsonTypeOf(parsed)}`);
  const o = parsed as Record<string, unknown>;
  if (o.v === undefined) return reject('v (format version) is missing', 'v');
  if (o.v !== 1)
    return reject(
      typeof o.v === 'number' ? `unknown format version v=${String(o.v).slice(0, 16)}` : `v must be the number 1, got ${jsonTypeOf(o.v)}`,
      'v',
    );
  const bad =
    checkDeviceId(o.deviceId) ??
    checkSeq(o.seq) ??
    checkT0(o.t0) ??
    checkFs(o.fs) ??
    checkUnit(o.unit, o.gain) ??
    checkSamples(o.samples, o.fs as number);
  if (bad) return { ok: false, ...bad };
  const raw = o.samples as number[];
  const scale = o.unit === 'adu' ? 1 / (o.gain as number) : 1;
  const samples = new Float32Array(raw.length);
  for (let i = 0; i < raw.length; i++) {
    samples[i] = raw[i] * scale;
    // A finite double can still overflow Float32 (e.g. 1e300 mV).
    if (!Number.isFinite(samples[i])) return reject(`samples[${i}] is out of the Float32 range in mV`, `samples[${i}]`);
  }
  return {
    ok: true,
    record: { v: 1, deviceId: o.deviceId as string, seq: o.seq as number, t0: o.t0 as number, fs: o.fs as number, samples },
  };
}

function reject(reason: string, field?: string): WireDecodeResult {
  return field === undefined ? { ok: false, reason } : { ok: false, reason, field };
}

/**
 * Encodes a record as wire format v1 (UTF-8 JSON text). Throws a `RangeError` naming the
 * field when the input would not decode (a programming error on the producer side).
 *
 * @example
 * const data = encodeWireRecord({ deviceId: 'dev-7f3a', seq: 0, t0: Date.now(), fs: 360, samples });
 * await kinesis.send(new PutRecordCommand({ StreamName, PartitionKey: 'dev-7f3a', Data: Buffer.from(data) }));
 */
export function encodeWireRecord(record: WireRecordInput, options: WireEncodeOptions = {}): string {
  const decimals = options.decimals ?? DEFAULT_SAMPLE_DECIMALS;
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > 12)
    throw new RangeError(`decimals must be an integer in [0, 12], got ${decimals}`);
  const samplesList = Array.from(record.samples);
  const bad =
    checkDeviceId(record.deviceId) ??
    checkSeq(record.seq) ??
    checkT0(record.t0) ??
    checkFs(record.fs) ??
    checkUnit(record.unit, record.gain) ??
    checkSamples(samplesList, record.fs);
  if (bad) throw new RangeError(`cannot encode wire record: ${bad.reason}`);
  const factor = 10 ** decimals;
  const parts = new Array<string>(samplesList.length);
  for (let i = 0; i < samplesList.length; i++) {
    // Rounding then String() gives the shortest text ("-0.145", not "-0.14500000")
    const rounded = Math.round(samplesList[i] * factor) / factor;
    parts[i] = String(Object.is(rounded, -0) ? 0 : rounded);
  }
  const unit = record.unit ?? 'mV';
  const head = `{"v":1,"deviceId":${JSON.stringify(record.deviceId)},"seq":${record.seq},"t0":${record.t0},"fs":${record.fs},"unit":"${unit}"`;
  const gain = unit === 'adu' ? `,"gain":${record.gain}` : '';
  const text = `${head}${gain},"samples":[${parts.join(',')}]}`;
  if (Buffer.byteLength(text, 'utf8') > MAX_RECORD_BYTES)
    throw new RangeError(`cannot encode wire record: it would exceed ${MAX_RECORD_BYTES} bytes`);
  return text;
}
