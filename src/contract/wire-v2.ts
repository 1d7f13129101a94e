/**
 * Wire format v2 (docs/ARCHITECTURE.md §3.1): one binary, self-describing record per Kinesis
 * record, several leads, samples as the device's integers (ADC units) coded as first
 * differences. The layout is documented byte by byte in the architecture document; this file
 * and that table change together.
 *
 * Decoding is bounded: every length and count is checked against the bytes that remain before
 * anything is allocated, so a record can never make the decoder allocate more than a small
 * multiple of its own size (a sample costs at least one byte with varints, one bit with Rice
 * codes, and decodes to four bytes of Float32).
 */
import {
  MAX_RECORD_BYTES,
  checkDeviceId,
  checkFs,
  checkSampleCount,
  checkSeq,
  checkT0,
  checkUnit,
  type WireRejection,
} from './wire-validate';

/** First byte of every v2 record. 0xB2 is a UTF-8 continuation byte: no JSON text (v1) starts with it. */
export const WIRE_V2_MAGIC = 0xb2;
/** Second byte: the format version. */
export const WIRE_V2_VERSION = 2;
/** Most leads in one record (a 12-lead ECG plus spares). */
export const MAX_LEADS = 16;
/** Longest lead name, in bytes of printable ASCII. */
export const MAX_LEAD_NAME_LENGTH = 32;
/** Resolution bounds of a lead's integers, in bits (signed two's-complement range). */
export const MIN_SAMPLE_BITS = 2;
export const MAX_SAMPLE_BITS = 24;
/** Unit code of a lead: samples are ADC units and `mV = adu / gain`. The only code v2 defines. */
export const UNIT_ADU = 1;
/** Sample codings (byte `coding` of a lead). */
export const CODING_VARINT = 0;
export const CODING_RICE = 1;
/** A Rice quotient of this many ones or more is an escape: the zig-zag value follows raw. */
export const RICE_ESCAPE = 16;
/** Longest varint of `seq` (56 bits hold every safe integer). */
const MAX_SEQ_VARINT_BYTES = 8;

/** Sample codings by name. */
export type WireV2Coding = 'varint' | 'rice';

/** One lead of a v2 record to encode. */
export interface WireV2LeadInput {
  /** Lead name (`MLII`, `V1`): 1–32 printable ASCII characters. */
  readonly name: string;
  /** Samples in `unit`: mV (quantized as `round(x · gain)`) or integer ADC units. */
  readonly samples: ArrayLike<number>;
  /** Defaults to `mV`. */
  readonly unit?: 'mV' | 'adu';
  /** ADC units per mV (finite, > 0): the device's resolution. */
  readonly gain: number;
  /** Bits of the device's ADC (2–24, default 16): samples must fit the signed range. */
  readonly bits?: number;
}

/** What {@link encodeWireRecordV2} accepts. */
export interface WireRecordV2Input {
  readonly deviceId: string;
  readonly seq: number;
  readonly t0: number;
  readonly fs: number;
  readonly leads: readonly WireV2LeadInput[];
}

/** Options of {@link encodeWireRecordV2}. */
export interface WireV2EncodeOptions {
  /**
   * Sample coding (default {@link DEFAULT_V2_CODING}). Both decode everywhere; Rice codes are
   * smaller, varints a little simpler to write on a microcontroller.
   */
  readonly coding?: WireV2Coding;
}

/**
 * Default coding. On the bundled MIT-BIH records (both leads) Rice codes take 5.0 bits per
 * sample against 8.2 for zig-zag varints and decode at about the same speed
 * (`npm run bench -- --only wire`), so Rice is the default.
 */
export const DEFAULT_V2_CODING: WireV2Coding = 'rice';

/** One decoded lead: its name and samples in mV. */
export interface DecodedLead {
  readonly name: string;
  readonly samples: Float32Array;
}

/** A decoded v2 record: metadata and every lead (in mV), before a lead is chosen. */
export interface WireRecordV2Leads {
  readonly v: 2;
  readonly deviceId: string;
  readonly seq: number;
  readonly t0: number;
  readonly fs: number;
  readonly leads: readonly DecodedLead[];
}

/** Result of {@link decodeWireRecordV2}. */
export type WireV2DecodeResult = { ok: true; record: WireRecordV2Leads } | ({ ok: false } & WireRejection);

// ---------------------------------------------------------------------------------------------
// encoding

/** Bytes of `value` (a safe integer >= 0) as an unsigned LEB128 varint. */
function varintLength(value: number): number {
  let n = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 128);
    n++;
  }
  return n;
}

/** Writes an unsigned LEB128 varint of a safe integer; returns the next offset. */
function writeVarint(out: Uint8Array, pos: number, value: number): number {
  while (value >= 0x80) {
    out[pos++] = (value % 128) | 0x80;
    value = Math.floor(value / 128);
  }
  out[pos++] = value;
  return pos;
}

/**
 * Zig-zag first differences of a lead's integers into `u` (the first against 0): small signed
 * steps become small unsigned numbers, which both codings store in few bits.
 */
function zigzagDifferences(q: Int32Array, u: Uint32Array): void {
  let prev = 0;
  for (let i = 0; i < q.length; i++) {
    const d = q[i] - prev;
    prev = q[i];
    u[i] = ((d << 1) ^ (d >> 31)) >>> 0;
  }
}

/** Varint coding of zig-zag values into `out` from `pos`; returns the end offset. */
function writeVarints(u: Uint32Array, out: Uint8Array, pos: number): number {
  for (let i = 0; i < u.length; i++) {
    let x = u[i];
    while (x >= 0x80) {
      out[pos++] = (x & 0x7f) | 0x80;
      x >>>= 7;
    }
    out[pos++] = x;
  }
  return pos;
}

/** Bits of the raw value after an escape: enough for any zig-zag difference of 24-bit samples. */
const RICE_RAW_BITS = MAX_SAMPLE_BITS + 1;

/** The Rice parameter that codes `u` in the fewest bits, and that size. */
function bestRiceParameter(u: Uint32Array): { k: number; bits: number } {
  let best = { k: 0, bits: Infinity };
  for (let k = 0; k <= MAX_SAMPLE_BITS; k++) {
    let bits = 0;
    for (let i = 0; i < u.length; i++) {
      const q = u[i] >>> k;
      bits += q < RICE_ESCAPE ? q + 1 + k : RICE_ESCAPE + RICE_RAW_BITS;
    }
    if (bits < best.bits) best = { k, bits };
  }
  return best;
}

/** Bytes of a Rice-coded lead: the parameter byte and the bit stream, padded to a byte. */
function riceLength(u: Uint32Array): { k: number; bytes: number } {
  const { k, bits } = bestRiceParameter(u);
  return { k, bytes: 1 + Math.ceil(bits / 8) };
}

/**
 * Rice coding, MSB first: per value, quotient `u >> k` in unary (ones, then a zero) and the `k`
 * low bits; a quotient of {@link RICE_ESCAPE} or more is written as that many ones followed by
 * the value in {@link RICE_RAW_BITS} bits. `out` must be zeroed from `pos` (padding bits are 0).
 */
function writeRice(u: Uint32Array, k: number, out: Uint8Array, pos: number): number {
  out[pos++] = k;
  let bit = pos * 8;
  const put = (value: number, width: number) => {
    for (let b = width - 1; b >= 0; b--, bit++) if ((value >>> b) & 1) out[bit >> 3] |= 0x80 >>> (bit & 7);
  };
  for (let i = 0; i < u.length; i++) {
    const q = u[i] >>> k;
    if (q < RICE_ESCAPE) {
      for (let j = 0; j < q; j++, bit++) out[bit >> 3] |= 0x80 >>> (bit & 7);
      bit++; // the terminating zero
      if (k > 0) put(u[i] & ((1 << k) - 1), k);
    } else {
      for (let j = 0; j < RICE_ESCAPE; j++, bit++) out[bit >> 3] |= 0x80 >>> (bit & 7);
      put(u[i], RICE_RAW_BITS);
    }
  }
  return (bit + 7) >> 3;
}

const ASCII_PRINTABLE = /^[\x20-\x7e]*$/;

/**
 * The fewest signed bits that hold every finite sample of a lead at `gain` (at least 2): the
 * `bits` to send it with. Throws a `RangeError` when 24 bits are not enough (a gain far finer
 * than any ECG front end).
 *
 * @example
 * leadBits(Float32Array.of(-0.145, 2.5), 200); // 10: 500 adu needs 10 signed bits
 */
export function leadBits(samples: ArrayLike<number>, gain: number): number {
  let max = 0;
  for (let i = 0; i < samples.length; i++) {
    const x = samples[i];
    if (!Number.isFinite(x)) continue;
    const q = Math.round(x * gain);
    // A negative value -m needs as many bits as m - 1 does when positive.
    const m = q < 0 ? -q - 1 : q;
    if (m > max) max = m;
  }
  const bits = Math.max(MIN_SAMPLE_BITS, Math.ceil(Math.log2(max + 1)) + 1);
  if (bits > MAX_SAMPLE_BITS) throw new RangeError(`samples at gain ${gain} need ${bits} bits, at most ${MAX_SAMPLE_BITS} allowed`);
  return bits;
}

/**
 * Whether `name` is a lead name as wire format v2 carries it: 1-32 printable ASCII characters.
 * The model artifact's `lead` follows the same rule, so any lead a record can name, a model can.
 *
 * @example
 * isLeadName('MLII'); // true
 * isLeadName(''); // false
 */
export function isLeadName(name: unknown): name is string {
  return typeof name === 'string' && name.length >= 1 && name.length <= MAX_LEAD_NAME_LENGTH && ASCII_PRINTABLE.test(name);
}

function encodeError(reason: string): RangeError {
  return new RangeError(`cannot encode wire record v2: ${reason}`);
}

/**
 * Encodes a record as wire format v2 (docs/ARCHITECTURE.md §3.1). Lossless at the device's
 * resolution: samples given in mV are rounded to the nearest ADC unit (`round(x · gain)`), ADC
 * units are kept as they are. Throws a `RangeError` naming the field when the input would not
 * decode (a producer's programming error), as {@link encodeWireRecord} does for v1.
 *
 * @example
 * const data = encodeWireRecordV2({ deviceId: 'dev-7f3a', seq: 0, t0: Date.now(), fs: 360,
 *   leads: [{ name: 'MLII', samples: mlii, gain: 200, bits: 11 }, { name: 'V1', samples: v1, gain: 200, bits: 11 }] });
 * await kinesis.send(new PutRecordCommand({ StreamName, PartitionKey: 'dev-7f3a', Data: data }));
 */
export function encodeWireRecordV2(record: WireRecordV2Input, options: WireV2EncodeOptions = {}): Uint8Array {
  const coding = options.coding ?? DEFAULT_V2_CODING;
  if (coding !== 'varint' && coding !== 'rice') throw encodeError(`coding must be "varint" or "rice", got ${String(coding)}`);
  const bad = checkDeviceId(record.deviceId) ?? checkSeq(record.seq) ?? checkT0(record.t0) ?? checkFs(record.fs);
  if (bad) throw encodeError(bad.reason);
  const leads = record.leads;
  if (leads.length < 1 || leads.length > MAX_LEADS) throw encodeError(`leads must hold 1 to ${MAX_LEADS} leads, got ${leads.length}`);
  const n = leads[0].samples.length;
  const badCount = checkSampleCount(n, record.fs);
  if (badCount) throw encodeError(badCount.reason);

  const blocks = leads.map((lead, j) => {
    if (lead.samples.length !== n)
      throw encodeError(`leads[${j}] has ${lead.samples.length} samples, leads[0] has ${n}: every lead has the same count`);
    if (!isLeadName(lead.name)) throw encodeError(`leads[${j}].name must be 1-${MAX_LEAD_NAME_LENGTH} printable ASCII characters`);
    const badGain = checkUnit('adu', lead.gain);
    if (badGain) throw encodeError(`leads[${j}]: ${badGain.reason}`);
    const bits = lead.bits ?? 16;
    if (!Number.isInteger(bits) || bits < MIN_SAMPLE_BITS || bits > MAX_SAMPLE_BITS)
      throw encodeError(`leads[${j}].bits must be an integer in [${MIN_SAMPLE_BITS}, ${MAX_SAMPLE_BITS}], got ${bits}`);
    const lo = -(2 ** (bits - 1));
    const hi = 2 ** (bits - 1) - 1;
    const q = new Int32Array(n);
    const adu = lead.unit === 'adu';
    for (let i = 0; i < n; i++) {
      const x = adu ? lead.samples[i] : Math.round(lead.samples[i] * lead.gain);
      if (!Number.isInteger(x)) throw encodeError(`leads[${j}].samples[${i}] is not ${adu ? 'an integer (adu)' : 'a finite number'}`);
      if (x < lo || x > hi) throw encodeError(`leads[${j}].samples[${i}] is outside the ${bits}-bit range [${lo}, ${hi}] adu`);
      q[i] = x;
    }
    const u = new Uint32Array(n);
    zigzagDifferences(q, u);
    let bytes: number;
    let k = 0;
    if (coding === 'rice') ({ k, bytes } = riceLength(u));
    else {
      bytes = 0;
      for (let i = 0; i < n; i++) bytes += u[i] < 0x80 ? 1 : u[i] < 0x4000 ? 2 : u[i] < 0x200000 ? 3 : 4;
    }
    return { name: lead.name, gain: lead.gain, bits, u, k, bytes };
  });

  const idLength = record.deviceId.length;
  let size = 4 + idLength + varintLength(record.seq) + 16 + 1 + varintLength(n);
  for (const b of blocks) size += 1 + b.name.length + 1 + 1 + 8 + 1 + varintLength(b.bytes) + b.bytes;
  if (size > MAX_RECORD_BYTES) throw encodeError(`it would be ${size} bytes, more than ${MAX_RECORD_BYTES}`);

  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  out[0] = WIRE_V2_MAGIC;
  out[1] = WIRE_V2_VERSION;
  out[2] = 0; // flags
  out[3] = idLength;
  let pos = 4;
  for (let i = 0; i < idLength; i++) out[pos++] = record.deviceId.charCodeAt(i);
  pos = writeVarint(out, pos, record.seq);
  view.setFloat64(pos, record.t0, true);
  view.setFloat64(pos + 8, record.fs, true);
  pos += 16;
  out[pos++] = blocks.length;
  pos = writeVarint(out, pos, n);
  for (const b of blocks) {
    out[pos++] = b.name.length;
    for (let i = 0; i < b.name.length; i++) out[pos++] = b.name.charCodeAt(i);
    out[pos++] = UNIT_ADU;
    out[pos++] = b.bits;
    view.setFloat64(pos, b.gain, true);
    pos += 8;
    out[pos++] = coding === 'rice' ? CODING_RICE : CODING_VARINT;
    pos = writeVarint(out, pos, b.bytes);
    const end = coding === 'rice' ? writeRice(b.u, b.k, out, pos) : writeVarints(b.u, out, pos);
    if (end !== pos + b.bytes) throw new Error(`wire v2 encoder: lead block is ${end - pos} bytes, ${b.bytes} planned`);
    pos = end;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// decoding

/** A rejection from inside the decoder, carried by return value (never thrown). */
interface Fail {
  readonly reason: string;
  readonly field?: string;
}

function fail(reason: string, field?: string): Fail {
  return field === undefined ? { reason } : { reason, field };
}

function truncated(field: string, at: number, size: number): Fail {
  return fail(`record ends inside ${field} (byte ${at} of ${size})`, field);
}

/** Reads bytes in order; every read checks the bytes that remain first. */
class Reader {
  pos = 0;
  constructor(
    readonly bytes: Uint8Array,
    readonly view: DataView,
  ) {}

  get remaining(): number {
    return this.bytes.length - this.pos;
  }

  u8(field: string): number | Fail {
    if (this.pos >= this.bytes.length) return truncated(field, this.pos, this.bytes.length);
    return this.bytes[this.pos++];
  }

  f64(field: string): number | Fail {
    if (this.remaining < 8) return truncated(field, this.pos, this.bytes.length);
    const x = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return x;
  }

  /** Unsigned LEB128 of at most `maxBytes` bytes, as a (possibly unsafe) number. */
  varint(field: string, maxBytes: number): number | Fail {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < maxBytes; i++) {
      if (this.pos >= this.bytes.length) return truncated(field, this.pos, this.bytes.length);
      const b = this.bytes[this.pos++];
      value += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) return value;
      scale *= 128;
    }
    return fail(`${field} is a varint longer than ${maxBytes} bytes`, field);
  }

  /** `length` bytes as a string of char codes (ASCII); the caller checked `length` fits. */
  ascii(length: number): string {
    const s = String.fromCharCode(...this.bytes.subarray(this.pos, this.pos + length));
    this.pos += length;
    return s;
  }
}

function isFail(x: unknown): x is Fail {
  return typeof x === 'object';
}

/**
 * Decodes a v2 record (every lead, in mV). Never throws: malformed input of any kind yields a
 * rejection with the v1 vocabulary (`field` = `v`, `deviceId`, `seq`, `t0`, `fs`, `unit`,
 * `gain`, `samples`, `samples[i]`, plus `flags`, `leads`, `leads[j].name`, `leads[j].bits`,
 * `leads[j].coding`, `leads[j].length` that only v2 has). Reasons never hold a sample value or
 * the device id.
 *
 * @example
 * const r = decodeWireRecordV2(bytes);
 * if (r.ok) r.record.leads.map((l) => l.name); // ['MLII', 'V1']
 */
export function decodeWireRecordV2(bytes: Uint8Array): WireV2DecodeResult {
  try {
    const r = decodeV2(bytes);
    return 'record' in r ? { ok: true, record: r.record } : { ok: false, ...r };
  } catch {
    // The checks cover every input; this only keeps one odd record from failing a whole batch.
    return { ok: false, reason: 'record could not be decoded' };
  }
}

function decodeV2(bytes: Uint8Array): { record: WireRecordV2Leads } | Fail {
  const size = bytes.byteLength;
  if (size > MAX_RECORD_BYTES) return fail(`record is ${size} bytes, larger than ${MAX_RECORD_BYTES}`);
  const r = new Reader(bytes, new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  const magic = r.u8('v');
  if (isFail(magic)) return magic;
  if (magic !== WIRE_V2_MAGIC) return fail(`first byte must be 0x${WIRE_V2_MAGIC.toString(16)} for v2`, 'v');
  const version = r.u8('v');
  if (isFail(version)) return version;
  if (version !== WIRE_V2_VERSION) return fail(`unknown format version v=${version}`, 'v');
  const flags = r.u8('flags');
  if (isFail(flags)) return flags;
  if (flags !== 0) return fail('flags has bits set that v2 does not define', 'flags');

  const idLength = r.u8('deviceId');
  if (isFail(idLength)) return idLength;
  if (idLength === 0) return fail('deviceId is empty', 'deviceId');
  if (idLength > r.remaining) return truncated('deviceId', r.pos, size);
  const deviceId = r.ascii(idLength);
  const seq = r.varint('seq', MAX_SEQ_VARINT_BYTES);
  if (isFail(seq)) return seq;
  const t0 = r.f64('t0');
  if (isFail(t0)) return t0;
  const fs = r.f64('fs');
  if (isFail(fs)) return fs;
  const bad = checkDeviceId(deviceId) ?? checkSeq(seq) ?? checkT0(t0) ?? checkFs(fs);
  if (bad) return bad;

  const leadCount = r.u8('leads');
  if (isFail(leadCount)) return leadCount;
  if (leadCount < 1 || leadCount > MAX_LEADS) return fail(`leads must hold 1 to ${MAX_LEADS} leads, got ${leadCount}`, 'leads');
  const n = r.varint('samples', 4);
  if (isFail(n)) return n;
  const badCount = checkSampleCount(n, fs);
  if (badCount) return badCount;

  const leads: DecodedLead[] = [];
  for (let j = 0; j < leadCount; j++) {
    const nameLength = r.u8(`leads[${j}].name`);
    if (isFail(nameLength)) return nameLength;
    if (nameLength < 1 || nameLength > MAX_LEAD_NAME_LENGTH)
      return fail(`leads[${j}].name is ${nameLength} bytes long, 1 to ${MAX_LEAD_NAME_LENGTH} allowed`, `leads[${j}].name`);
    if (nameLength > r.remaining) return truncated(`leads[${j}].name`, r.pos, size);
    const name = r.ascii(nameLength);
    if (!ASCII_PRINTABLE.test(name)) return fail(`leads[${j}].name has a byte outside printable ASCII`, `leads[${j}].name`);
    const unit = r.u8('unit');
    if (isFail(unit)) return unit;
    if (unit !== UNIT_ADU) return fail(`unit must be ${UNIT_ADU} (adu) in leads[${j}], got an unknown unit code ${unit}`, 'unit');
    const bits = r.u8(`leads[${j}].bits`);
    if (isFail(bits)) return bits;
    if (bits < MIN_SAMPLE_BITS || bits > MAX_SAMPLE_BITS)
      return fail(`leads[${j}].bits must be in [${MIN_SAMPLE_BITS}, ${MAX_SAMPLE_BITS}], got ${bits}`, `leads[${j}].bits`);
    const gain = r.f64('gain');
    if (isFail(gain)) return gain;
    const badGain = checkUnit('adu', gain);
    if (badGain) return { field: badGain.field, reason: `leads[${j}]: ${badGain.reason}` };
    const coding = r.u8(`leads[${j}].coding`);
    if (isFail(coding)) return coding;
    if (coding !== CODING_VARINT && coding !== CODING_RICE)
      return fail(`leads[${j}].coding must be ${CODING_VARINT} (varint) or ${CODING_RICE} (Rice), got ${coding}`, `leads[${j}].coding`);
    const length = r.varint(`leads[${j}].length`, 3);
    if (isFail(length)) return length;
    if (length > r.remaining)
      return fail(`leads[${j}].length is ${length} bytes, only ${r.remaining} remain in the record`, `leads[${j}].length`);
    // Bound the allocation by what the block's bytes can hold before allocating anything.
    const capacity = coding === CODING_VARINT ? length : length * 8;
    if (n > capacity) return fail(`leads[${j}] cannot hold ${n} samples in ${length} bytes`, 'samples');
    const samples = new Float32Array(n);
    const block = r.bytes.subarray(r.pos, r.pos + length);
    const bad =
      coding === CODING_VARINT ? decodeVarintLead(block, bits, 1 / gain, samples) : decodeRiceLead(block, bits, 1 / gain, samples);
    if (bad) return { field: bad.field, reason: `leads[${j}]: ${bad.reason}` };
    r.pos += length;
    leads.push({ name, samples });
  }
  if (r.remaining > 0) return fail(`record has ${r.remaining} bytes after its last lead`);
  return { record: { v: 2, deviceId, seq, t0, fs, leads } };
}

/** Range check of a running sample; a failure names the sample index, never its value. */
function outOfRange(i: number, bits: number): Fail {
  return fail(`samples[${i}] is outside the ${bits}-bit range`, `samples[${i}]`);
}

/** Zig-zag varint first differences → mV. `block` is exactly the lead's bytes. */
function decodeVarintLead(block: Uint8Array, bits: number, scale: number, out: Float32Array): Fail | undefined {
  const lo = -(2 ** (bits - 1));
  const hi = 2 ** (bits - 1) - 1;
  const end = block.length;
  const n = out.length;
  let pos = 0;
  let x = 0;
  for (let i = 0; i < n; i++) {
    if (pos >= end) return fail(`samples end after ${i} of ${n}`, 'samples');
    let b = block[pos++];
    let u = b & 0x7f;
    // At most 4 bytes: 28 bits hold any zig-zag difference of 24-bit samples.
    for (let shift = 7; b & 0x80; shift += 7) {
      if (shift > 21) return fail(`samples[${i}] is a varint longer than 4 bytes`, `samples[${i}]`);
      if (pos >= end) return fail(`samples end inside samples[${i}]`, `samples[${i}]`);
      b = block[pos++];
      u |= (b & 0x7f) << shift;
    }
    x += (u >>> 1) ^ -(u & 1);
    if (x < lo || x > hi) return outOfRange(i, bits);
    out[i] = x * scale;
  }
  if (pos !== end) return fail(`${end - pos} bytes after the last sample`, 'samples');
  return undefined;
}

/** Rice-coded first differences → mV (see {@link writeRice} for the bit layout). */
function decodeRiceLead(block: Uint8Array, bits: number, scale: number, out: Float32Array): Fail | undefined {
  const lo = -(2 ** (bits - 1));
  const hi = 2 ** (bits - 1) - 1;
  if (block.length < 1) return fail('samples end before the Rice parameter', 'samples');
  const k = block[0];
  if (k > MAX_SAMPLE_BITS) return fail(`Rice parameter ${k} is above ${MAX_SAMPLE_BITS}`, 'samples');
  const totalBits = block.length * 8;
  const n = out.length;
  const len = block.length;
  // A left-aligned 32-bit window on the stream: `acc` holds `have` valid bits at its top,
  // refilled a byte at a time (zeros past the end; `used` catches reading into them).
  let acc = 0;
  let have = 0;
  let next = 1;
  let used = 8;
  let x = 0;
  for (let i = 0; i < n; i++) {
    while (have <= 24) {
      acc = (acc | ((next < len ? block[next] : 0) << (24 - have))) >>> 0;
      next++;
      have += 8;
    }
    const ones = Math.clz32(~acc);
    let u: number;
    if (ones < RICE_ESCAPE) {
      // ones + 1 <= 16 < 32: the shift is a real shift, never JavaScript's shift-by-32 no-op.
      acc = (acc << (ones + 1)) >>> 0;
      have -= ones + 1;
      used += ones + 1 + k;
      if (k === 0) u = ones;
      else {
        while (have < k) {
          acc = (acc | ((next < len ? block[next] : 0) << (24 - have))) >>> 0;
          next++;
          have += 8;
        }
        u = (ones << k) | (acc >>> (32 - k));
        acc = k === 32 ? 0 : (acc << k) >>> 0;
        have -= k;
      }
    } else {
      acc = (acc << RICE_ESCAPE) >>> 0;
      have -= RICE_ESCAPE;
      while (have < RICE_RAW_BITS) {
        acc = (acc | ((next < len ? block[next] : 0) << (24 - have))) >>> 0;
        next++;
        have += 8;
      }
      u = acc >>> (32 - RICE_RAW_BITS);
      acc = (acc << RICE_RAW_BITS) >>> 0;
      have -= RICE_RAW_BITS;
      used += RICE_ESCAPE + RICE_RAW_BITS;
    }
    if (used > totalBits) return fail(`samples end inside samples[${i}]`, `samples[${i}]`);
    x += (u >>> 1) ^ -(u & 1);
    if (x < lo || x > hi) return outOfRange(i, bits);
    out[i] = x * scale;
  }
  const bit = used;
  // Only zero padding may follow, and less than a byte of it.
  if (totalBits - bit >= 8) return fail(`${(totalBits - bit) >> 3} bytes after the last sample`, 'samples');
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// framing

/** Result of {@link v2RecordLength}. */
export type V2Framing =
  /** The record at the offset is `length` bytes long and every one of them is present. */
  | { readonly ok: true; readonly length: number }
  /** The bytes end before the record does: more may come (a stream), or it was cut. */
  | { readonly ok: false; readonly incomplete: true; readonly reason: string }
  /** The header cannot belong to a v2 record: its end cannot be found. */
  | { readonly ok: false; readonly incomplete: false; readonly reason: string };

/**
 * The length of the v2 record that starts at `offset`, found from its own header without
 * decoding a sample: a v2 record ends after the last lead block, whose byte count (`B`) each
 * block states (docs/ARCHITECTURE.md §3.1). This is what lets an archive hold binary records
 * back to back, or each followed by a newline, and still tell where one ends when its samples
 * contain 0x0A or 0xB2 bytes. Only the structure is checked (magic, version, flags, the counts
 * and lengths that locate the end, the 1 MiB limit); whether the record is valid is
 * {@link decodeWireRecordV2}'s job. Never throws.
 *
 * @example
 * const f = v2RecordLength(archiveBytes, pos);
 * if (f.ok) decodeWireRecordV2(archiveBytes.subarray(pos, pos + f.length));
 * else if (f.incomplete) waitForMoreBytes();
 */
export function v2RecordLength(bytes: Uint8Array, offset = 0): V2Framing {
  const size = bytes.length;
  let pos = offset;
  const short = (field: string): V2Framing => ({
    ok: false,
    incomplete: true,
    reason: `record ends inside ${field} (byte ${pos - offset} of ${size - offset})`,
  });
  const bad = (reason: string): V2Framing => ({ ok: false, incomplete: false, reason });
  // A structural check fails before the limit is passed when it can, so a corrupt length is
  // reported at once instead of waiting for a megabyte that will never make a record.
  const limit = offset + MAX_RECORD_BYTES;
  const varint = (field: string, maxBytes: number): number | V2Framing => {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < maxBytes; i++) {
      if (pos >= size) return short(field);
      const b = bytes[pos++];
      value += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) return value;
      scale *= 128;
    }
    return bad(`${field} is a varint longer than ${maxBytes} bytes`);
  };
  if (pos + 4 > size) return short('the header');
  if (bytes[pos] !== WIRE_V2_MAGIC) return bad(`first byte must be 0x${WIRE_V2_MAGIC.toString(16)} for v2`);
  if (bytes[pos + 1] !== WIRE_V2_VERSION) return bad(`unknown format version v=${bytes[pos + 1]}`);
  if (bytes[pos + 2] !== 0) return bad('flags has bits set that v2 does not define');
  const idLength = bytes[pos + 3];
  if (idLength < 1 || idLength > 128) return bad(`deviceId length ${idLength} is outside 1-128`);
  pos += 4 + idLength;
  const seq = varint('seq', MAX_SEQ_VARINT_BYTES);
  if (typeof seq !== 'number') return seq;
  pos += 16; // t0, fs
  if (pos >= size) return short('leads');
  const leadCount = bytes[pos++];
  if (leadCount < 1 || leadCount > MAX_LEADS) return bad(`leads must hold 1 to ${MAX_LEADS} leads, got ${leadCount}`);
  const n = varint('samples', 4);
  if (typeof n !== 'number') return n;
  for (let j = 0; j < leadCount; j++) {
    if (pos >= size) return short(`leads[${j}].name`);
    const nameLength = bytes[pos++];
    if (nameLength < 1 || nameLength > MAX_LEAD_NAME_LENGTH) return bad(`leads[${j}].name is ${nameLength} bytes long`);
    pos += nameLength + 1 + 1 + 8 + 1; // name, unit, bits, gain, coding
    if (pos > size) return short(`leads[${j}]`);
    const length = varint(`leads[${j}].length`, 3);
    if (typeof length !== 'number') return length;
    pos += length;
    if (pos > limit) return bad(`record would be longer than ${MAX_RECORD_BYTES} bytes`);
  }
  if (pos > size) return short('the last lead block');
  return { ok: true, length: pos - offset };
}
