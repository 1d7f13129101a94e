import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { gunzipSync } from 'node:zlib';

/**
 * A UCR time-series file (e.g. ECG5000): one series per line, the class label first, then the
 * samples, separated by whitespace (the archive's `.txt` form) or commas (`.csv`/`.tsv` forms).
 */
export interface UcrDataset {
  /** Class label of each row, in file order. */
  labels: Int32Array;
  /** Row-major samples: row r occupies `data[r * length, (r + 1) * length)`. */
  data: Float32Array;
  /** Number of rows (series). */
  rows: number;
  /** Samples per row (140 for ECG5000). */
  length: number;
}

/** A malformed UCR file: the message names the file and the 1-based line (and column). */
export class UcrFormatError extends Error {
  override readonly name = 'UcrFormatError';
}

const SEPARATOR = /[\s,]+/;

/**
 * Parses UCR text. Every non-blank line must have the same number of fields (taken from the first
 * data line), the first an integer class label (the archive writes it as `1.0000000e+00`), the
 * rest finite numbers.
 *
 * @param text the file's contents.
 * @param name how to call the file in error messages (its name, not a full path).
 * @throws UcrFormatError naming `name`, the line and the column of the first problem.
 * @example
 * const { labels, data, rows, length } = parseUcr('1 0.5 0.25\n2 0.1 0.2\n', 'tiny.txt');
 * // rows 2, length 2, labels [1, 2], data [0.5, 0.25, 0.1, 0.2]
 */
export function parseUcr(text: string, name: string): UcrDataset {
  const lines = text.split('\n');
  let length = -1;
  let rows = 0;
  for (const line of lines) if (line.trim() !== '') rows++;
  if (rows === 0) throw new UcrFormatError(`${name}: no data rows`);

  const labels = new Int32Array(rows);
  let data = new Float32Array(0);
  let row = 0;
  for (let li = 0; li < lines.length; li++) {
    const trimmed = lines[li].trim();
    if (trimmed === '') continue;
    const fields = trimmed.split(SEPARATOR);
    const where = `${name}: line ${li + 1}`;
    if (length < 0) {
      if (fields.length < 2) throw new UcrFormatError(`${where}: expected a label and at least one sample, got ${fields.length} field(s)`);
      length = fields.length - 1;
      data = new Float32Array(rows * length);
    } else if (fields.length !== length + 1) {
      throw new UcrFormatError(
        `${where}: expected ${length + 1} fields (label + ${length} samples) as on the first row, got ${fields.length}`,
      );
    }
    const label = Number(fields[0]);
    if (!Number.isInteger(label)) throw new UcrFormatError(`${where}, column 1: class label must be an integer, got "${fields[0]}"`);
    labels[row] = label;
    const base = row * length;
    for (let c = 1; c < fields.length; c++) {
      const v = Number(fields[c]);
      if (!Number.isFinite(v))
        throw new UcrFormatError(`${where}, column ${c + 1}: sample is not a finite number: "${fields[c].slice(0, 32)}"`);
      data[base + c - 1] = v;
    }
    row++;
  }
  return { labels, data, rows, length };
}

/**
 * Reads and parses a UCR file; errors name the file by its base name (no directories, so logs
 * carry no paths of the machine). A name ending in `.gz` is gunzipped first: the repository ships
 * the 10 MB ECG5000 TEST split gzipped (a third of the size), and reading it as it is keeps every
 * command free of an unpack step.
 *
 * @throws UcrFormatError when the file cannot be read, is not valid gzip (for `.gz`), or is malformed.
 * @example
 * const train = await readUcr('ECG5000_TRAIN.txt');
 * const test = await readUcr('ECG5000_TEST.txt.gz'); // same rows as the plain file
 */
export async function readUcr(path: string): Promise<UcrDataset> {
  const name = basename(path);
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw new UcrFormatError(`${name}: cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  if (name.toLowerCase().endsWith('.gz')) {
    try {
      bytes = gunzipSync(bytes);
    } catch (err) {
      throw new UcrFormatError(`${name}: not a valid gzip file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
  }
  return parseUcr(bytes.toString('utf8'), name);
}
