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

/** WFDB's marker for a missing sample in format 212 (and -32768 in format 16). */
const INVALID_212 = -2048;
const INVALID_16 = -32768;

/** Decodes `count` format-212 samples (two 12-bit values in three bytes) starting at `offset`. */
function decode212(bytes: Uint8Array, offset: number, count: number, out: Int16Array): void {
  let p = offset;
  for (let k = 0; k < count; k += 2) {
    const b0 = bytes[p];
    const b1 = bytes[p + 1];
    const s0 = b0 | ((b1 & 0x0f) << 8);
    out[k] = s0 > 2047 ? s0 - 4096 : s0;
    if (k + 1 < count) {
      const s1 = bytes[p + 2] | ((b1 & 0xf0) << 4);
      out[k + 1] = s1 > 2047 ? s1 - 4096 : s1;
    }
    p += 3;
  }
}

/** Decodes `count` format-16 samples (16-bit two's complement, little-endian). */
function decode16(bytes: Uint8Array, offset: number, count: number, out: Int16Array): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let k = 0; k < count; k++) out[k] = view.getInt16(offset + 2 * k, true);
}

function bytesFor(format: number, samples: number): number {
  return format === 212 ? Math.ceil((samples * 3) / 2) : samples * 2;
}

/**
 * Reads a WFDB record: its header `<basePath>.hea` and the data files it names (formats 212 and
 * 16, interleaved signals), converted to physical units with each signal's gain and baseline.
 * Truncated or corrupted data files throw a {@link WfdbFormatError} naming the file and byte.
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
    let frames = length;
    if (frames === 0) frames = Math.floor((first.format === 212 ? Math.floor((available * 2) / 3) : Math.floor(available / 2)) / k);
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
    if (first.format === 212) decode212(bytes, first.byteOffset, stream.length, stream);
    else decode16(bytes, first.byteOffset, stream.length, stream);
    members.forEach((signalIndex, j) => {
      const adc = new Int16Array(frames);
      for (let t = 0; t < frames; t++) adc[t] = stream[t * k + j];
      decoded[signalIndex] = adc;
    });
  }
  const signals = header.signals.map((spec, i): WfdbSignal => {
    const adc = decoded[i];
    if (verify) verifySignal(spec, adc, i, headerPath);
    const invalid = spec.format === 212 ? INVALID_212 : INVALID_16;
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
