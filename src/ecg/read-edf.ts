import { readFileSync } from 'node:fs';
import { EcgFormatError } from './ecg-format-error';

/**
 * An EDF/BDF file that cannot be read. The message names the file and the header field (or the
 * byte of the data) where reading failed.
 */
export class EdfFormatError extends EcgFormatError {
  override readonly name: string = 'EdfFormatError';
}

/** One data signal of an EDF/BDF file, in its physical unit. */
export interface EdfSignal {
  /** Label (`ECG II`, `EEG Fpz-Cz`...), trimmed. */
  readonly label: string;
  /** Transducer type, trimmed. */
  readonly transducer: string;
  /** Physical dimension as written (`uV`, `mV`...), trimmed. */
  readonly unit: string;
  readonly physicalMin: number;
  readonly physicalMax: number;
  readonly digitalMin: number;
  readonly digitalMax: number;
  /** Prefiltering (`HP:0.1Hz LP:75Hz`), trimmed. */
  readonly prefiltering: string;
  /** Samples of this signal in each data record. */
  readonly samplesPerRecord: number;
  /** Samples per second: samples per record / record duration. */
  readonly fs: number;
  /** Physical values in `unit`: `(digital - digitalMin) * (physicalMax - physicalMin) / (digitalMax - digitalMin) + physicalMin`. */
  readonly samples: Float32Array;
}

/** One EDF+ annotation (a TAL entry with text). */
export interface EdfAnnotation {
  /** Seconds from the start of the recording. */
  readonly onset: number;
  /** Seconds, when given. */
  readonly duration: number | undefined;
  readonly text: string;
}

/** A decoded EDF, EDF+ (contiguous), BDF or BDF+ (contiguous) file. */
export interface EdfRecord {
  /** `EDF`, `EDF+` (EDF+C), `BDF` (24-bit) or `BDF+`. */
  readonly format: 'EDF' | 'EDF+' | 'BDF' | 'BDF+';
  /** Local patient identification, trimmed. */
  readonly patient: string;
  /** Local recording identification, trimmed. */
  readonly recording: string;
  /** `dd.mm.yy` as written. */
  readonly startDate: string;
  /** `hh.mm.ss` as written. */
  readonly startTime: string;
  /** Data records read. */
  readonly recordCount: number;
  /** Seconds per data record. */
  readonly recordDuration: number;
  /** Data signals in header order; EDF+/BDF+ annotation signals are not among them. */
  readonly signals: readonly EdfSignal[];
  /** EDF+/BDF+ annotations in file order (the per-record time-keeping entries left out). */
  readonly annotations: readonly EdfAnnotation[];
}

/** Bytes of the fixed header and of each signal's header entry. */
const HEADER_BYTES = 256;
const SIGNAL_HEADER_BYTES = 256;

/** Widths of the per-signal header fields, in file order (each field is stored for all signals in turn). */
const SIGNAL_FIELDS = [
  ['label', 16],
  ['transducer type', 80],
  ['physical dimension', 8],
  ['physical minimum', 8],
  ['physical maximum', 8],
  ['digital minimum', 8],
  ['digital maximum', 8],
  ['prefiltering', 80],
  ['number of samples in each data record', 8],
  ['reserved', 32],
] as const;

type SignalField = (typeof SIGNAL_FIELDS)[number][0];

/** TAL separators of EDF+ annotation signals. */
const TAL_DURATION = 0x15;
const TAL_FIELD = 0x14;

/** Field text as ASCII (latin1 so no byte is rejected), trimmed. */
function text(bytes: Uint8Array, start: number, length: number): string {
  let s = '';
  for (let i = start; i < start + length; i++) s += String.fromCharCode(bytes[i]);
  return s.trim();
}

/**
 * Parses an EDF or BDF file held in memory. EDF stores 16-bit little-endian samples, BDF
 * (version byte 0xFF then `BIOSEMI`) 24-bit ones; the layout is otherwise the same. Every count
 * in the header is checked against the file size before anything is allocated, so a corrupt
 * header fails with an {@link EdfFormatError} naming the field instead of exhausting memory.
 * EDF+D (discontinuous) files are rejected: their data records are not back to back in time.
 *
 * @param bytes - the file's contents
 * @param file - the name used in error messages
 */
export function parseEdf(bytes: Uint8Array, file: string): EdfRecord {
  const fail = (where: string, problem: string): never => {
    throw new EdfFormatError(file, where, problem);
  };
  if (bytes.length < HEADER_BYTES) fail('header', `truncated: ${bytes.length} bytes, an EDF header needs ${HEADER_BYTES}`);

  const bdf = bytes[0] === 0xff && text(bytes, 1, 7) === 'BIOSEMI';
  if (!bdf && text(bytes, 0, 8) !== '0') {
    fail('field "version"', `expected "0" (EDF) or 0xFF "BIOSEMI" (BDF), got "${text(bytes, 0, 8)}"`);
  }
  const bytesPerSample = bdf ? 3 : 2;
  const digitalLimit = bdf ? 8388608 : 32768;

  const number = (start: number, length: number, field: string, integer: boolean): number => {
    const s = text(bytes, start, length);
    const value = Number(s);
    if (s === '' || !Number.isFinite(value) || (integer && !Number.isInteger(value))) {
      fail(field, `must be ${integer ? 'an integer' : 'a number'}, got "${s}"`);
    }
    return value;
  };

  const headerBytes = number(184, 8, 'field "number of bytes in header record"', true);
  const signalCount = number(252, 4, 'field "number of signals"', true);
  if (signalCount < 1) fail('field "number of signals"', `must be at least 1, got ${signalCount}`);
  const expectedHeader = HEADER_BYTES + SIGNAL_HEADER_BYTES * signalCount;
  if (headerBytes !== expectedHeader) {
    fail('field "number of bytes in header record"', `${headerBytes} does not match ${signalCount} signals (${expectedHeader} bytes)`);
  }
  if (bytes.length < headerBytes) {
    fail(
      'field "number of signals"',
      `truncated: ${signalCount} signals need a ${headerBytes}-byte header, the file has ${bytes.length} bytes`,
    );
  }

  const reserved = text(bytes, 192, 44);
  const plus = reserved.startsWith('EDF+') || reserved.startsWith('BDF+');
  if (plus && reserved[4] === 'D') {
    fail('field "reserved"', `${reserved.slice(0, 5)} (discontinuous) recordings are not supported: convert to a continuous EDF first`);
  }
  const format: EdfRecord['format'] = bdf ? (plus ? 'BDF+' : 'BDF') : plus ? 'EDF+' : 'EDF';

  const declaredRecords = number(236, 8, 'field "number of data records"', true);
  if (declaredRecords < -1) fail('field "number of data records"', `must be -1 (unknown) or a count, got ${declaredRecords}`);
  const recordDuration = number(244, 8, 'field "duration of a data record"', false);
  if (!(recordDuration > 0)) fail('field "duration of a data record"', `must be positive, got ${recordDuration}`);

  // Per-signal fields: each is stored for all signals before the next field begins.
  const fieldStart = new Map<SignalField, number>();
  let offset = HEADER_BYTES;
  for (const [name, width] of SIGNAL_FIELDS) {
    fieldStart.set(name, offset);
    offset += width * signalCount;
  }
  const signalText = (field: SignalField, i: number): string => {
    const width = SIGNAL_FIELDS.find(([name]) => name === field)![1];
    return text(bytes, fieldStart.get(field)! + width * i, width);
  };
  const labels = Array.from({ length: signalCount }, (_, i) => signalText('label', i));
  const signalNumber = (field: SignalField, i: number, integer: boolean): number =>
    number(fieldStart.get(field)! + 8 * i, 8, `signal ${i + 1} ("${labels[i]}") field "${field}"`, integer);

  interface SignalLayout {
    readonly index: number;
    readonly annotation: boolean;
    readonly samplesPerRecord: number;
    /** Byte offset of this signal's samples within a data record. */
    readonly offsetInRecord: number;
  }
  const layouts: SignalLayout[] = [];
  let recordBytes = 0;
  for (let i = 0; i < signalCount; i++) {
    const samplesPerRecord = signalNumber('number of samples in each data record', i, true);
    if (samplesPerRecord < 1) {
      fail(`signal ${i + 1} ("${labels[i]}") field "number of samples in each data record"`, `must be at least 1, got ${samplesPerRecord}`);
    }
    // By label, not by the EDF+ flag: some writers add annotation signals to plain EDF files too.
    const annotation = labels[i] === 'EDF Annotations' || labels[i] === 'BDF Annotations';
    layouts.push({ index: i, annotation, samplesPerRecord, offsetInRecord: recordBytes });
    recordBytes += samplesPerRecord * bytesPerSample;
  }

  const available = bytes.length - headerBytes;
  let recordCount = declaredRecords;
  if (recordCount === -1) recordCount = Math.floor(available / recordBytes);
  else if (recordCount * recordBytes > available) {
    fail(
      'field "number of data records"',
      `truncated: ${recordCount} data records of ${recordBytes} bytes need ${recordCount * recordBytes} bytes after the header, the file has ${available}`,
    );
  }

  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const signals: EdfSignal[] = [];
  const annotations: EdfAnnotation[] = [];
  for (const layout of layouts) {
    const i = layout.index;
    if (layout.annotation) {
      for (let r = 0; r < recordCount; r++) {
        const start = headerBytes + r * recordBytes + layout.offsetInRecord;
        parseTals(bytes, start, layout.samplesPerRecord * bytesPerSample, annotations, (at, problem) => fail(`byte ${at}`, problem));
      }
      continue;
    }
    const physicalMin = signalNumber('physical minimum', i, false);
    const physicalMax = signalNumber('physical maximum', i, false);
    const digitalMin = signalNumber('digital minimum', i, true);
    const digitalMax = signalNumber('digital maximum', i, true);
    const where = `signal ${i + 1} ("${labels[i]}")`;
    if (digitalMax <= digitalMin) fail(`${where} field "digital maximum"`, `${digitalMax} must exceed the digital minimum ${digitalMin}`);
    if (digitalMin < -digitalLimit || digitalMax > digitalLimit - 1) {
      fail(`${where} field "digital minimum"`, `range ${digitalMin}..${digitalMax} does not fit ${8 * bytesPerSample}-bit samples`);
    }
    if (physicalMax === physicalMin) fail(`${where} field "physical maximum"`, `equals the physical minimum ${physicalMin}`);
    const scale = (physicalMax - physicalMin) / (digitalMax - digitalMin);
    const n = layout.samplesPerRecord;
    const samples = new Float32Array(recordCount * n);
    let t = 0;
    for (let r = 0; r < recordCount; r++) {
      let p = headerBytes + r * recordBytes + layout.offsetInRecord;
      if (bdf) {
        for (let k = 0; k < n; k++, p += 3) {
          // 24-bit little-endian two's complement: shift to the top of an int32 and back to sign-extend.
          const digital = ((bytes[p] | (bytes[p + 1] << 8) | (bytes[p + 2] << 16)) << 8) >> 8;
          samples[t++] = (digital - digitalMin) * scale + physicalMin;
        }
      } else {
        for (let k = 0; k < n; k++, p += 2) samples[t++] = (view.getInt16(p, true) - digitalMin) * scale + physicalMin;
      }
    }
    signals.push({
      label: labels[i],
      transducer: signalText('transducer type', i),
      unit: signalText('physical dimension', i),
      physicalMin,
      physicalMax,
      digitalMin,
      digitalMax,
      prefiltering: signalText('prefiltering', i),
      samplesPerRecord: n,
      fs: n / recordDuration,
      samples,
    });
  }
  return {
    format,
    patient: text(bytes, 8, 80),
    recording: text(bytes, 88, 80),
    startDate: text(bytes, 168, 8),
    startTime: text(bytes, 176, 8),
    recordCount,
    recordDuration,
    signals,
    annotations,
  };
}

/**
 * Parses the time-stamped annotation lists (TALs) of one data record's annotation signal:
 * `+onset[\x15duration]\x14text\x14[text\x14...]\x00`, repeated, then zero padding. The first
 * TAL of each record only keeps time (no text) and adds nothing.
 */
function parseTals(
  bytes: Uint8Array,
  start: number,
  length: number,
  out: EdfAnnotation[],
  fail: (at: number, problem: string) => never,
): void {
  const end = start + length;
  const decoder = new TextDecoder('utf-8');
  let p = start;
  while (p < end) {
    if (bytes[p] === 0) {
      p++;
      continue;
    }
    let stop = p;
    while (stop < end && bytes[stop] !== 0) stop++;
    if (stop === end) fail(p, 'EDF+ annotation list (TAL) is not terminated by a 0 byte within its data record');
    // Timing: up to the first 0x14, with an optional 0x15-separated duration.
    let q = p;
    while (q < stop && bytes[q] !== TAL_FIELD) q++;
    if (q === stop) fail(p, 'EDF+ annotation list (TAL) has no 0x14 after its onset');
    let durationAt = p;
    while (durationAt < q && bytes[durationAt] !== TAL_DURATION) durationAt++;
    const onsetText = decoder.decode(bytes.subarray(p, durationAt));
    if (!/^[+-]\d+(\.\d+)?$/.test(onsetText)) fail(p, `EDF+ annotation onset must look like +1.5, got "${onsetText}"`);
    const onset = Number(onsetText);
    let duration: number | undefined;
    if (durationAt < q) {
      const durationText = decoder.decode(bytes.subarray(durationAt + 1, q));
      if (!/^\d+(\.\d+)?$/.test(durationText)) fail(durationAt + 1, `EDF+ annotation duration must be a number, got "${durationText}"`);
      duration = Number(durationText);
    }
    // Texts: each terminated by 0x14.
    let a = q + 1;
    while (a < stop) {
      let b = a;
      while (b < stop && bytes[b] !== TAL_FIELD) b++;
      if (b > a) out.push({ onset, duration, text: decoder.decode(bytes.subarray(a, b)) });
      a = b + 1;
    }
    p = stop + 1;
  }
}

/**
 * Reads an EDF, EDF+ (contiguous), BDF or BDF+ file. Signals keep their physical unit (see
 * {@link EdfSignal.unit}); each may have its own sampling rate.
 *
 * @example
 * const edf = readEdf('recording.edf');
 * const ecg = edf.signals.find((s) => /ecg/i.test(s.label));
 * ecg?.fs; // 256
 */
export function readEdf(path: string): EdfRecord {
  return parseEdf(new Uint8Array(readFileSync(path)), path);
}
