import { readFileSync } from 'node:fs';
import { WfdbFormatError } from './wfdb-error';

/**
 * Signal storage formats this reader decodes: 212 (two 12-bit samples in 3 bytes), 16 (16-bit
 * little-endian), 61 (16-bit big-endian), 80 (8-bit offset binary), 310 and 311 (three 10-bit
 * samples in 4 bytes, two different packings). Together they cover the ECG databases on PhysioNet
 * that are not FLAC-compressed.
 */
export const SUPPORTED_WFDB_FORMATS: readonly number[] = Object.freeze([212, 16, 61, 80, 310, 311]);

/** Gain WFDB assumes when a header gives none (or 0): ADC units per physical unit. */
export const WFDB_DEFAULT_GAIN = 200;

/** One signal line of a WFDB header. */
export interface WfdbSignalSpec {
  /** Data file name, relative to the header's folder. */
  readonly file: string;
  /** Storage format, one of {@link SUPPORTED_WFDB_FORMATS}. */
  readonly format: number;
  /** Byte offset of the first sample in the data file (the `+offset` suffix), 0 when absent. */
  readonly byteOffset: number;
  /** ADC units per physical unit. */
  readonly gain: number;
  /** ADC value that corresponds to 0 physical units (defaults to `adcZero`). */
  readonly baseline: number;
  /** Physical units, `mV` by default. */
  readonly units: string;
  /** ADC resolution in bits (0 when absent). */
  readonly adcResolution: number;
  /** ADC value at the midpoint of its range. */
  readonly adcZero: number;
  /** Value of the first sample, when given. */
  readonly initialValue: number | undefined;
  /** 16-bit checksum of all samples of this signal, when given. */
  readonly checksum: number | undefined;
  /** Block size (0 = none). */
  readonly blockSize: number;
  /** Description: the lead name for ECG records (`MLII`, `V1`...). */
  readonly description: string;
}

/** A parsed single-segment WFDB header (`.hea`). */
export interface WfdbHeader {
  /** Record name. */
  readonly name: string;
  /** Samples per second per signal. */
  readonly fs: number;
  /** Samples per signal, 0 when the header leaves it unspecified. */
  readonly length: number;
  /** One entry per signal, in header order (= frame order). */
  readonly signals: readonly WfdbSignalSpec[];
  /** Comment lines (`#` removed, trimmed): age, sex, medications. */
  readonly comments: readonly string[];
}

function parseNumber(text: string, what: string, file: string, line: number, integer = false): number {
  const value = Number(text);
  if (text === '' || !Number.isFinite(value) || (integer && !Number.isInteger(value))) {
    throw new WfdbFormatError(file, `line ${line}`, `${what} must be ${integer ? 'an integer' : 'a number'}, got "${text}"`);
  }
  return value;
}

/** Parses `format[xsamp][:skew][+offset]`. */
function parseFormatField(field: string, file: string, line: number): { format: number; byteOffset: number } {
  const m = /^(\d+)(x\d+)?(:\d+)?(\+\d+)?$/.exec(field);
  if (!m) throw new WfdbFormatError(file, `line ${line}`, `bad format field "${field}"`);
  const format = Number(m[1]);
  if (!SUPPORTED_WFDB_FORMATS.includes(format)) {
    throw new WfdbFormatError(
      file,
      `line ${line}`,
      `unsupported signal format ${format} (supported: ${SUPPORTED_WFDB_FORMATS.join(', ')})`,
    );
  }
  if (m[2] && m[2] !== 'x1') throw new WfdbFormatError(file, `line ${line}`, `multiple samples per frame (${m[2]}) are not supported`);
  if (m[3] && m[3] !== ':0') throw new WfdbFormatError(file, `line ${line}`, `signal skew (${m[3]}) is not supported`);
  return { format, byteOffset: m[4] ? Number(m[4].slice(1)) : 0 };
}

/** Parses `gain[(baseline)][/units]`. */
function parseGainField(field: string, file: string, line: number): { gain: number; baseline: number | undefined; units: string } {
  const m = /^([^(/]+)(?:\((-?\d+)\))?(?:\/(.+))?$/.exec(field);
  if (!m) throw new WfdbFormatError(file, `line ${line}`, `bad gain field "${field}"`);
  const gain = parseNumber(m[1], 'gain', file, line);
  return { gain: gain === 0 ? WFDB_DEFAULT_GAIN : gain, baseline: m[2] === undefined ? undefined : Number(m[2]), units: m[3] ?? 'mV' };
}

/**
 * Parses the text of a WFDB header. Multi-segment records and formats outside
 * {@link SUPPORTED_WFDB_FORMATS} are rejected with a {@link WfdbFormatError} naming the line.
 *
 * @param text - header contents (LF or CRLF line endings)
 * @param file - the file name used in error messages
 */
export function parseWfdbHeader(text: string, file: string): WfdbHeader {
  const lines = text.split(/\r?\n/);
  const comments: string[] = [];
  let record: { name: string; signalCount: number; fs: number; length: number; line: number } | undefined;
  const signals: WfdbSignalSpec[] = [];
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const raw = lines[i].trim();
    if (raw === '') continue;
    if (raw.startsWith('#')) {
      comments.push(raw.slice(1).trim());
      continue;
    }
    const fields = raw.split(/\s+/);
    if (!record) {
      if (fields.length < 2) throw new WfdbFormatError(file, `line ${lineNo}`, 'record line needs at least a name and a number of signals');
      if (fields[0].includes('/')) {
        // `name/segments`: the signals live in other records, one per segment, listed below.
        throw new WfdbFormatError(
          file,
          `line ${lineNo}`,
          `multi-segment record "${fields[0]}" is not supported: read one of its segment records instead`,
        );
      }
      const signalCount = parseNumber(fields[1], 'number of signals', file, lineNo, true);
      // fs may be written `360/...(...)` (counter frequency and base counter value follow).
      const fs = fields[2] === undefined ? 250 : parseNumber(fields[2].split('/')[0], 'sampling frequency', file, lineNo);
      if (fs <= 0) throw new WfdbFormatError(file, `line ${lineNo}`, `sampling frequency must be positive, got ${fs}`);
      const length = fields[3] === undefined ? 0 : parseNumber(fields[3], 'number of samples', file, lineNo, true);
      if (signalCount < 0 || length < 0) throw new WfdbFormatError(file, `line ${lineNo}`, 'counts must not be negative');
      record = { name: fields[0], signalCount, fs, length, line: lineNo };
      continue;
    }
    if (signals.length === record.signalCount)
      throw new WfdbFormatError(file, `line ${lineNo}`, `more signal lines than the ${record.signalCount} declared`);
    if (fields.length < 2) throw new WfdbFormatError(file, `line ${lineNo}`, 'signal line needs at least a file name and a format');
    const { format, byteOffset } = parseFormatField(fields[1], file, lineNo);
    const { gain, baseline, units } =
      fields[2] === undefined ? { gain: WFDB_DEFAULT_GAIN, baseline: undefined, units: 'mV' } : parseGainField(fields[2], file, lineNo);
    const adcResolution = fields[3] === undefined ? 0 : parseNumber(fields[3], 'ADC resolution', file, lineNo, true);
    const adcZero = fields[4] === undefined ? 0 : parseNumber(fields[4], 'ADC zero', file, lineNo, true);
    signals.push({
      file: fields[0],
      format,
      byteOffset,
      gain,
      baseline: baseline ?? adcZero,
      units,
      adcResolution,
      adcZero,
      initialValue: fields[5] === undefined ? undefined : parseNumber(fields[5], 'initial value', file, lineNo, true),
      checksum: fields[6] === undefined ? undefined : parseNumber(fields[6], 'checksum', file, lineNo, true),
      blockSize: fields[7] === undefined ? 0 : parseNumber(fields[7], 'block size', file, lineNo, true),
      description: fields.slice(8).join(' '),
    });
  }
  if (!record) throw new WfdbFormatError(file, `line ${lines.length}`, 'no record line');
  if (signals.length < record.signalCount) {
    throw new WfdbFormatError(
      file,
      `line ${lines.length}`,
      `truncated: ${record.signalCount} signals declared, ${signals.length} signal lines found`,
    );
  }
  return { name: record.name, fs: record.fs, length: record.length, signals, comments };
}

/**
 * Reads and parses a WFDB header file.
 *
 * @example
 * const header = readWfdbHeader('data/mitdb/100.hea');
 * header.fs; // 360
 * header.signals[0].description; // 'MLII'
 */
export function readWfdbHeader(path: string): WfdbHeader {
  return parseWfdbHeader(readFileSync(path, 'latin1'), path);
}
