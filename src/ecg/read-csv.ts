import { readFileSync } from 'node:fs';
import { EcgFormatError } from './ecg-format-error';
import { millivoltsPerUnit } from './ecg-units';

/** A CSV/text ECG file that cannot be read; the message names the file, line and column. */
export class CsvFormatError extends EcgFormatError {
  override readonly name: string = 'CsvFormatError';
}

/** Unit of the sample values of a CSV file: a voltage, or raw ADC units (`adu`) with a gain. */
export type CsvUnit = 'mV' | 'uV' | 'V' | 'adu';

/** Options of {@link parseEcgCsv} / {@link readEcgCsv}. */
export interface ReadEcgCsvOptions {
  /**
   * Samples per second. Required when the file has no time column; when it has one, the two
   * must agree within 1 %.
   */
  readonly fs?: number;
  /**
   * Unit of the values. Default: the unit the file states (a units row such as `(mV)`, or a
   * header suffix such as `MLII (uV)`), else `mV`.
   */
  readonly unit?: CsvUnit;
  /** With `unit: 'adu'`: ADC units per mV (required). */
  readonly gain?: number;
  /** With `unit: 'adu'`: ADC value of 0 mV. Default 0. */
  readonly baseline?: number;
}

/** One lead of a CSV file, in mV. */
export interface CsvLead {
  readonly name: string;
  /** 1-based column in the file. */
  readonly column: number;
  readonly samples: Float32Array;
}

/** A decoded CSV/text ECG file. */
export interface EcgCsv {
  readonly fs: number;
  /** Where `fs` came from: the time column (named or detected) or the `fs` option. */
  readonly fsFrom: 'time column' | 'option';
  /** Name of the time column, when there is one. */
  readonly timeColumn: string | undefined;
  readonly delimiter: ',' | ';' | '\t' | 'whitespace';
  readonly leads: readonly CsvLead[];
}

/** Header names of a time column (lower case, unit suffix removed). */
const TIME_NAMES = new Set([
  'time',
  't',
  'seconds',
  'second',
  'sec',
  'secs',
  's',
  'ms',
  'msec',
  'millis',
  'milliseconds',
  'elapsed time',
  'timestamp',
]);
/** Header names meaning milliseconds by themselves. */
const MS_NAMES = new Set(['ms', 'msec', 'millis', 'milliseconds']);
/** Header names of a sample-number column: dropped, it says nothing about the rate. */
const INDEX_NAMES = new Set(['sample', 'sample #', 'sample#', 'samples', 'sample number', 'index', 'idx', 'n']);

/**
 * Rows an unnamed first column must increase over to be taken for time: an ECG lead rises for a
 * few samples at most, so a short file proves nothing.
 */
const MIN_ROWS_TO_DETECT_TIME = 10;

/** A growable column of doubles (no per-sample allocation beyond amortized doubling). */
class Column {
  values = new Float64Array(1024);
  length = 0;
  push(v: number): void {
    if (this.length === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.length++] = v;
  }
  view(): Float64Array {
    return this.values.subarray(0, this.length);
  }
}

/** Removes surrounding quotes, twice for exports that wrap `'MLII'` in double quotes. */
function unquote(cell: string): string {
  let s = cell.trim();
  for (let k = 0; k < 2; k++) {
    const q = s[0];
    if ((q === '"' || q === "'") && s.length >= 2 && s[s.length - 1] === q) s = s.slice(1, -1).trim();
  }
  return s;
}

/** Splits `Name (unit)` / `Name [unit]` into name and unit (whitespace-separated files cannot have spaces in names). */
function splitUnit(header: string): { name: string; unit: string | undefined } {
  const m = /^(.*?)\s*[([]\s*([^)\]]*)\s*[)\]]$/.exec(header);
  return m && m[1] !== '' ? { name: m[1], unit: m[2] } : { name: header, unit: undefined };
}

/** `h:mm:ss.sss`, `mm:ss.sss` (PhysioNet exports) in seconds, or NaN. */
function clockSeconds(cell: string): number {
  if (!/^\d+(:\d+){1,2}(\.\d+)?$/.test(cell)) return Number.NaN;
  return cell.split(':').reduce((acc, part) => acc * 60 + Number(part), 0);
}

/**
 * Parses the text of a CSV or plain-text ECG file: one row per sample, one column per lead, an
 * optional header row of lead names (and an optional units row below it, as PhysioNet exports
 * write), an optional time column. The delimiter is the first of tab, semicolon, comma found in
 * the first row, else whitespace; with tab or semicolon a decimal comma is accepted. Lines
 * starting with `#` are comments. Quoted cells are unquoted, but a delimiter inside quotes is
 * not supported.
 *
 * The sampling rate comes from a time column — one named `time`/`t`/`seconds`/`ms`..., or a
 * first column strictly increasing over at least 10 rows (seconds; milliseconds if seconds would
 * mean under 10 Hz) —
 * as (rows - 1) / time span, after checking every step is within 0.5-1.5 times the median step
 * (so gaps and duplicated rows are rejected, rounding of written times is not). A first column
 * counting 0, 1, 2... (or named `sample`/`index`) is a sample number: dropped, `fs` then needed.
 *
 * @param text - the file's contents
 * @param file - the name used in error messages
 * @example
 * const csv = parseEcgCsv('time,MLII\n0,0.1\n0.004,0.12\n0.008,0.3\n', 'x.csv');
 * csv.fs; // 250
 */
export function parseEcgCsv(text: string, file: string, options: ReadEcgCsvOptions = {}): EcgCsv {
  const fail = (where: string, problem: string): never => {
    throw new CsvFormatError(file, where, problem);
  };
  if (options.fs !== undefined && !(Number.isFinite(options.fs) && options.fs > 0))
    fail('options', `fs must be a positive number, got ${options.fs}`);
  if (options.unit === 'adu' && !(Number.isFinite(options.gain) && options.gain! > 0)) {
    fail('options', 'unit "adu" needs the gain (ADC units per mV), e.g. 200 for MIT-BIH');
  }
  const lines = text.replace(/^\ufeff/, '').split(/\r?\n/);
  let first = 0;
  while (first < lines.length && (lines[first].trim() === '' || lines[first].trimStart().startsWith('#'))) first++;
  if (first === lines.length) fail('line 1', 'no data: the file is empty');

  const firstLine = lines[first];
  const delimiter: EcgCsv['delimiter'] = firstLine.includes('\t')
    ? '\t'
    : firstLine.includes(';')
      ? ';'
      : firstLine.includes(',')
        ? ','
        : 'whitespace';
  const split = (line: string): string[] =>
    delimiter === 'whitespace' ? line.trim().split(/\s+/).map(unquote) : line.split(delimiter).map(unquote);
  const decimalComma = delimiter !== ',';
  const toNumber = (cell: string): number => {
    if (cell === '') return Number.NaN;
    let v = Number(cell);
    if (Number.isNaN(v) && decimalComma && /^[+-]?\d*,\d+([eE][+-]?\d+)?$/.test(cell)) v = Number(cell.replace(',', '.'));
    return v;
  };
  const isNumeric = (cell: string): boolean => Number.isFinite(toNumber(cell)) || cell.toLowerCase() === 'nan';

  // Header row: any non-numeric cell in the first row.
  const firstCells = split(firstLine);
  // A trailing delimiter leaves an empty last cell: not a column.
  if (firstCells.length > 1 && firstCells[firstCells.length - 1] === '') firstCells.pop();
  const hasHeader = firstCells.some((c) => !isNumeric(c));
  const columnCount = firstCells.length;
  const names: string[] = [];
  const statedUnits: (string | undefined)[] = [];
  for (let c = 0; c < columnCount; c++) {
    const { name, unit } = hasHeader ? splitUnit(unquote(firstCells[c])) : { name: '', unit: undefined };
    names.push(name === '' ? `column ${c + 1}` : name);
    statedUnits.push(unit);
  }
  let row = hasHeader ? first + 1 : first;
  // A units row right below the header: no numeric cell.
  const nextContent = (from: number): number => {
    let i = from;
    while (i < lines.length && (lines[i].trim() === '' || lines[i].trimStart().startsWith('#'))) i++;
    return i;
  };
  if (hasHeader) {
    const i = nextContent(row);
    if (i < lines.length) {
      const cells = split(lines[i]);
      if (cells.length >= columnCount && cells.every((c) => !isNumeric(c) || c === '')) {
        cells.slice(0, columnCount).forEach((c, k) => (statedUnits[k] = unquote(c).replace(/^[([](.*)[)\]]$/, '$1')));
        row = i + 1;
      }
    }
  }

  // Parse all rows into columns.
  const columns = Array.from({ length: columnCount }, () => new Column());
  const lineOf = new Column(); // line number of each row, for error messages about time steps
  const named = names[0].toLowerCase();
  const clockTime = hasHeader && TIME_NAMES.has(named); // a named time column may be h:mm:ss.sss
  for (let i = row; i < lines.length; i++) {
    const line = lines[i];
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    const cells = split(line);
    // A trailing delimiter leaves an empty last cell: tolerated.
    if (cells.length === columnCount + 1 && cells[columnCount] === '') cells.pop();
    if (cells.length !== columnCount)
      fail(`line ${i + 1}`, `expected ${columnCount} columns (as in line ${first + 1}), found ${cells.length}`);
    for (let c = 0; c < columnCount; c++) {
      const cell = cells[c];
      let v = toNumber(cell);
      if (Number.isNaN(v) && c === 0 && clockTime) v = clockSeconds(cell);
      if (Number.isNaN(v) && cell.toLowerCase() === 'nan') v = Number.NaN;
      else if (!Number.isFinite(v)) fail(`line ${i + 1}, column ${c + 1} ("${names[c]}")`, `not a number: "${cell}"`);
      columns[c].push(v);
    }
    lineOf.push(i + 1);
  }
  const rows = columns[0].length;
  if (rows === 0) fail(`line ${first + 1}`, 'no data rows');

  // Time or sample-number column.
  let timeIndex = -1;
  let timeScale = 1; // to seconds
  let dropIndex = -1;
  const firstValues = columns[0].view();
  const statedTimeUnit = statedUnits[0]?.toLowerCase();
  if (hasHeader && INDEX_NAMES.has(named)) dropIndex = 0;
  else if (hasHeader && TIME_NAMES.has(named)) {
    timeIndex = 0;
    if (MS_NAMES.has(named) || statedTimeUnit === 'ms' || statedTimeUnit === 'msec') timeScale = 1e-3;
  } else if (columnCount >= 2 && rows >= MIN_ROWS_TO_DETECT_TIME && strictlyIncreasing(firstValues)) {
    if (isSampleCount(firstValues)) dropIndex = 0;
    else {
      timeIndex = 0;
      // Seconds unless that would be under 10 Hz: then the column is in milliseconds.
      const span = firstValues[rows - 1] - firstValues[0];
      if ((rows - 1) / span < 10) timeScale = 1e-3;
    }
  }

  let fs: number;
  let fsFrom: EcgCsv['fsFrom'];
  if (timeIndex >= 0) {
    fs = rateFromTimes(firstValues, timeScale, lineOf.view(), names[0], fail);
    fsFrom = 'time column';
    if (options.fs !== undefined && Math.abs(options.fs - fs) > 0.01 * fs) {
      fail(`column 1 ("${names[0]}")`, `the time column gives ${round3(fs)} Hz but fs ${options.fs} was passed`);
    }
  } else if (options.fs !== undefined) {
    fs = options.fs;
    fsFrom = 'option';
  } else {
    return fail('sampling rate', 'the file has no time column to infer it from: pass the sampling rate (--fs, samples per second)');
  }

  const leads: CsvLead[] = [];
  for (let c = 0; c < columnCount; c++) {
    if (c === timeIndex || c === dropIndex) continue;
    const { scale, offset } = leadScale(options, statedUnits[c], names[c], fail);
    const values = columns[c].view();
    const samples = new Float32Array(rows);
    for (let t = 0; t < rows; t++) samples[t] = (values[t] - offset) * scale;
    leads.push({ name: names[c], column: c + 1, samples });
  }
  if (leads.length === 0) fail(`line ${first + 1}`, 'no signal column (only a time or sample-number column)');
  return { fs, fsFrom, timeColumn: timeIndex >= 0 ? names[0] : undefined, delimiter, leads };
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

function strictlyIncreasing(v: Float64Array): boolean {
  for (let i = 1; i < v.length; i++) if (!(v[i] > v[i - 1])) return false;
  return true;
}

/** 0, 1, 2... or 1, 2, 3...: a sample number, not a time. */
function isSampleCount(v: Float64Array): boolean {
  if (v[0] !== 0 && v[0] !== 1) return false;
  for (let i = 1; i < v.length; i++) if (v[i] - v[i - 1] !== 1) return false;
  return true;
}

/**
 * Samples per second from a time column. Each step must lie within 0.5-1.5 times the median step
 * (a gap, a repeated row or a clock jump is an error: the detector assumes a fixed rate); the
 * rate is then (rows - 1) / span, which averages out the rounding of written times, and is
 * rounded to an integer when within 0.1 % of one (360 Hz written with millisecond times).
 */
function rateFromTimes(
  times: Float64Array,
  toSeconds: number,
  lineOf: Float64Array,
  name: string,
  fail: (where: string, problem: string) => never,
): number {
  const n = times.length;
  if (n < 2) fail(`line ${lineOf[0]}`, `one row only: the time column "${name}" cannot give a sampling rate; pass fs`);
  const steps = new Float64Array(n - 1);
  for (let i = 1; i < n; i++) steps[i - 1] = times[i] - times[i - 1];
  const median = steps.slice().sort()[(n - 1) >> 1];
  if (!(median > 0)) fail(`line ${lineOf[1]}`, `time column "${name}" does not increase`);
  for (let i = 0; i < n - 1; i++) {
    const step = steps[i];
    if (!(step >= 0.5 * median && step <= 1.5 * median)) {
      fail(
        `line ${lineOf[i + 1]}`,
        `time column "${name}" is irregular: step ${step} against a median of ${median} (a gap or repeated row); resample to a fixed rate first`,
      );
    }
  }
  const fs = (n - 1) / ((times[n - 1] - times[0]) * toSeconds);
  const nearest = Math.round(fs);
  return Math.abs(fs - nearest) <= 1e-3 * fs ? nearest : fs;
}

/** Scale and offset taking a column's values to mV. */
function leadScale(
  options: ReadEcgCsvOptions,
  stated: string | undefined,
  name: string,
  fail: (where: string, problem: string) => never,
): { scale: number; offset: number } {
  if (options.unit === 'adu') return { scale: 1 / options.gain!, offset: options.baseline ?? 0 };
  if (options.unit !== undefined) {
    const mv = millivoltsPerUnit(options.unit);
    if (mv === undefined) return fail('options', `unknown unit "${options.unit}" (mV, uV, V or adu)`);
    return { scale: mv, offset: 0 };
  }
  if (stated !== undefined && stated !== '') {
    const mv = millivoltsPerUnit(stated);
    if (mv === undefined)
      return fail(`column "${name}"`, `unit "${stated}" is not a voltage: pass the unit (mV, uV, V, or adu with a gain)`);
    return { scale: mv, offset: 0 };
  }
  return { scale: 1, offset: 0 };
}

/**
 * Reads a CSV, TSV or whitespace-separated text ECG file; see {@link parseEcgCsv}.
 *
 * @example
 * const csv = readEcgCsv('holter.csv', { fs: 250, unit: 'uV' });
 * csv.leads[0].samples; // mV
 */
export function readEcgCsv(path: string, options: ReadEcgCsvOptions = {}): EcgCsv {
  return parseEcgCsv(readFileSync(path, 'utf8'), path, options);
}
