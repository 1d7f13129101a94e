import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { WfdbFormatError } from './wfdb-error';
import { readWfdbHeader, type WfdbSignalSpec } from './wfdb-header';

/** One decoded signal of a WFDB record. */
export interface WfdbSignal {
  /** Lead name from the header description (`MLII`, `V1`...). */
  readonly lead: string;
  /** ADC units per physical unit. */
  readonly gain: number;
  /** ADC value of 0 physical units. */
  readonly baseline: number;
  /** Physical units of `samples` (`mV` for MIT-BIH). */
  readonly units: string;
  /** Physical values, `(adc - baseline) / gain`; WFDB's invalid-sample marker decodes to NaN. */
  readonly samples: Float32Array;
}

/** A decoded WFDB record: header facts plus every signal in physical units. */
export interface WfdbRecord {
  readonly name: string;
  readonly fs: number;
  /** Samples per signal. */
  readonly length: number;
  readonly signals: readonly WfdbSignal[];
}

/** Options of {@link readWfdbRecord}. */
export interface ReadWfdbRecordOptions {
  /**
   * Check each signal's first sample and 16-bit checksum against the header and fail on a
   * mismatch (a corrupted or mismatched data file). Default true.
   */
  readonly verify?: boolean;
}

/**
 * WFDB marks a missing sample with the most negative value of the format's range; such samples
 * decode to NaN so no filter takes them for a real amplitude.
 */
function invalidMarker(format: number): number {
  switch (format) {
    case 212:
      return -2048;
    case 80:
      return -128;
    case 310:
    case 311:
      return -512;
    default:
      return -32768; // 16 and 61
  }
}

/** Sign-extends a 10-bit two's complement value. */
const signed10 = (v: number): number => (v > 511 ? v - 1024 : v);

/** Sign-extends a 12-bit two's complement value. */
const signed12 = (v: number): number => (v > 2047 ? v - 4096 : v);

/** Decodes `count` format-212 samples (two 12-bit values in three bytes) starting at `offset`. */
function decode212(bytes: Uint8Array, offset: number, count: number, out: Int16Array): void {
  let p = offset;
  for (let k = 0; k < count; k += 2) {
    const b1 = bytes[p + 1];
    // The low byte of each sample is whole; the middle byte holds both high nibbles.
    out[k] = signed12(bytes[p] | ((b1 & 0x0f) << 8));
    if (k + 1 < count) out[k + 1] = signed12(bytes[p + 2] | ((b1 & 0xf0) << 4));
    p += 3;
  }
}

/** Decodes `count` format-16 (little-endian) or format-61 (big-endian) 16-bit samples. */
function decode16(bytes: Uint8Array, offset: number, count: number, out: Int16Array, littleEndian: boolean): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let k = 0; k < count; k++) out[k] = view.getInt16(offset + 2 * k, littleEndian);
}

/** Decodes `count` format-80 samples: unsigned bytes with 128 standing for 0 (offset binary). */
function decode80(bytes: Uint8Array, offset: number, count: number, out: Int16Array): void {
  for (let k = 0; k < count; k++) out[k] = bytes[offset + k] - 128;
}

/**
 * Decodes `count` format-310 samples. Each group of three samples fills two little-endian 16-bit
 * words: samples 0 and 1 sit in bits 1-10 of words 0 and 1 (bit 0 unused); sample 2 is split,
 * its low five bits in bits 11-15 of word 0 and its high five bits in bits 11-15 of word 1.
 */
function decode310(bytes: Uint8Array, offset: number, count: number, out: Int16Array): void {
  let p = offset;
  for (let k = 0; k < count; k += 3) {
    const w0 = bytes[p] | (bytes[p + 1] << 8);
    out[k] = signed10((w0 >> 1) & 0x3ff);
    if (k + 1 < count) {
      const w1 = bytes[p + 2] | (bytes[p + 3] << 8);
      out[k + 1] = signed10((w1 >> 1) & 0x3ff);
      if (k + 2 < count) out[k + 2] = signed10(((w0 >> 11) & 0x1f) | (((w1 >> 11) & 0x1f) << 5));
    }
    p += 4;
  }
}

/**
 * Decodes `count` format-311 samples. Each group of three samples is one little-endian 32-bit
 * word: sample 0 in bits 0-9, sample 1 in bits 10-19, sample 2 in bits 20-29 (bits 30-31 unused).
 */
function decode311(bytes: Uint8Array, offset: number, count: number, out: Int16Array): void {
  let p = offset;
  for (let k = 0; k < count; k += 3) {
    // Only the bytes a partial last group needs are read: a short file must not add zeros.
    const b2 = k + 1 < count ? bytes[p + 2] : 0;
    const b3 = k + 2 < count ? bytes[p + 3] : 0;
    const word = (bytes[p] | (bytes[p + 1] << 8) | (b2 << 16) | (b3 << 24)) >>> 0;
    out[k] = signed10(word & 0x3ff);
    if (k + 1 < count) out[k + 1] = signed10((word >>> 10) & 0x3ff);
    if (k + 2 < count) out[k + 2] = signed10((word >>> 20) & 0x3ff);
    p += 4;
  }
}

function decodeSamples(format: number, bytes: Uint8Array, offset: number, count: number, out: Int16Array): void {
  switch (format) {
    case 212:
      return decode212(bytes, offset, count, out);
    case 16:
      return decode16(bytes, offset, count, out, true);
    case 61:
      return decode16(bytes, offset, count, out, false);
    case 80:
      return decode80(bytes, offset, count, out);
    case 310:
      return decode310(bytes, offset, count, out);
    case 311:
      return decode311(bytes, offset, count, out);
    default:
      throw new RangeError(`decodeSamples: format ${format} has no decoder`);
  }
}

/**
 * Bytes that hold `samples` samples. A last, partial group of 212/310/311 needs only the bytes
 * its samples touch (310 keeps sample 1 in the second word, 311 packs sample 1 into byte 2).
 */
function bytesFor(format: number, samples: number): number {
  const groups3 = Math.floor(samples / 3);
  const rest3 = samples - 3 * groups3;
  switch (format) {
    case 212:
      return Math.ceil((samples * 3) / 2);
    case 80:
      return samples;
    case 310:
      return 4 * groups3 + [0, 2, 4][rest3];
    case 311:
      return 4 * groups3 + [0, 2, 3][rest3];
    default:
      return samples * 2;
  }
}

/** Whole samples in `bytes` bytes of a format (when the header leaves the length out). */
function samplesIn(format: number, bytes: number): number {
  const groups4 = Math.floor(bytes / 4);
  const rest4 = bytes - 4 * groups4;
  switch (format) {
    case 212:
      return Math.floor((bytes * 2) / 3);
    case 80:
      return bytes;
    case 310:
      return 3 * groups4 + (rest4 >= 2 ? 1 : 0);
    case 311:
      return 3 * groups4 + (rest4 >= 3 ? 2 : rest4 >= 2 ? 1 : 0);
    default:
      return Math.floor(bytes / 2);
  }
}

/**
 * Reads a WFDB record: its header `<basePath>.hea` and the data files it names (formats 212, 16,
 * 61, 80, 310 and 311; signals sharing a file are interleaved, each file may have its own
 * format), converted to physical units with each signal's gain and baseline. Truncated or
 * corrupted data files throw a {@link WfdbFormatError} naming the file and byte.
 *
 * @param basePath - path of the record without extension, e.g. `data/mitdb/100`
 * @example
 * const rec = readWfdbRecord('data/mitdb/100');
 * rec.signals[0].lead;        // 'MLII'
 * rec.signals[0].samples[0];  // -0.145 (mV)
 */
export function readWfdbRecord(basePath: string, options: ReadWfdbRecordOptions = {}): WfdbRecord {
  const verify = options.verify ?? true;
  const headerPath = `${basePath}.hea`;
  const header = readWfdbHeader(headerPath);
  const folder = dirname(headerPath);
  // Signals sharing a data file are interleaved frame by frame, in header order.
  const groups = new Map<string, number[]>();
  header.signals.forEach((spec, i) => {
    const group = groups.get(spec.file);
    if (group) group.push(i);
    else groups.set(spec.file, [i]);
  });
  let length = header.length;
  const decoded: Int16Array[] = new Array(header.signals.length);
  for (const [file, members] of groups) {
    const first: WfdbSignalSpec = header.signals[members[0]];
    for (const i of members) {
      const spec = header.signals[i];
      if (spec.format !== first.format || spec.byteOffset !== first.byteOffset) {
        throw new WfdbFormatError(headerPath, `signal ${i}`, `signals stored in ${file} must share one format and offset`);
      }
    }
    const dataPath = join(folder, file);
    const bytes = new Uint8Array(readFileSync(dataPath));
    const k = members.length;
    const available = bytes.length - first.byteOffset;
    if (available < 0) {
      throw new WfdbFormatError(
        dataPath,
        `byte ${bytes.length}`,
        `truncated: the header puts the first sample at byte ${first.byteOffset}`,
      );
    }
    let frames = length;
    if (frames === 0) frames = Math.floor(samplesIn(first.format, available) / k);
    const need = bytesFor(first.format, frames * k);
    if (available < need) {
      throw new WfdbFormatError(
        dataPath,
        `byte ${bytes.length}`,
        `truncated: ${frames} frames of ${k} format-${first.format} signals need ${need + first.byteOffset} bytes`,
      );
    }
    if (length === 0) length = frames;
    const stream = new Int16Array(frames * k);
    decodeSamples(first.format, bytes, first.byteOffset, stream.length, stream);
    members.forEach((signalIndex, j) => {
      const adc = new Int16Array(frames);
      for (let t = 0; t < frames; t++) adc[t] = stream[t * k + j];
      decoded[signalIndex] = adc;
    });
  }
  const signals = header.signals.map((spec, i): WfdbSignal => {
    const adc = decoded[i];
    if (verify) verifySignal(spec, adc, i, headerPath);
    const invalid = invalidMarker(spec.format);
    const samples = new Float32Array(adc.length);
    for (let t = 0; t < adc.length; t++) samples[t] = adc[t] === invalid ? Number.NaN : (adc[t] - spec.baseline) / spec.gain;
    return { lead: spec.description, gain: spec.gain, baseline: spec.baseline, units: spec.units, samples };
  });
  return { name: header.name, fs: header.fs, length, signals };
}

/** Compares the decoded signal with the header's initial value and 16-bit checksum. */
function verifySignal(spec: WfdbSignalSpec, adc: Int16Array, index: number, headerPath: string): void {
  if (spec.initialValue !== undefined && adc.length > 0 && adc[0] !== spec.initialValue) {
    throw new WfdbFormatError(
      headerPath,
      `signal ${index}`,
      `first sample ${adc[0]} differs from the header's initial value ${spec.initialValue}`,
    );
  }
  if (spec.checksum !== undefined && adc.length > 0) {
    let sum = 0;
    for (let t = 0; t < adc.length; t++) sum = (sum + adc[t]) & 0xffff;
    const signed = sum > 32767 ? sum - 65536 : sum;
    if (signed !== spec.checksum) {
      throw new WfdbFormatError(
        headerPath,
        `signal ${index}`,
        `checksum ${signed} of the data differs from the header's ${spec.checksum} (corrupted or mismatched ${spec.file})`,
      );
    }
  }
}
