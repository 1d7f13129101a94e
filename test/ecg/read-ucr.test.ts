import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { parseUcr, readUcr, UcrFormatError } from '../../src/ecg/read-ucr';
import { tempFiles } from './helpers';

const TRAIN = fileURLToPath(new URL('../../data/ecg5000/ECG5000_TRAIN.txt', import.meta.url));

describe('readUcr on the bundled ECG5000 TRAIN split', () => {
  it('reads 500 beats of 140 samples with the documented class counts', async () => {
    const ds = await readUcr(TRAIN);
    expect(ds.rows).toBe(500);
    expect(ds.length).toBe(140);
    expect(ds.data.length).toBe(500 * 140);
    const counts = new Map<number, number>();
    for (const l of ds.labels) counts.set(l, (counts.get(l) ?? 0) + 1);
    expect(Object.fromEntries(counts)).toEqual({ 1: 292, 2: 177, 3: 10, 4: 19, 5: 2 });
    // First row of the file: label 1, samples -1.1252183e-01, -2.8272038e+00, ...
    expect(ds.labels[0]).toBe(1);
    expect(ds.data[0]).toBe(Math.fround(-0.11252183));
    expect(ds.data[1]).toBe(Math.fround(-2.8272038));
  });

  it('beats are z-normalised (mean ~0, std ~1 per row)', async () => {
    const ds = await readUcr(TRAIN);
    for (const r of [0, 250, 499]) {
      const row = ds.data.subarray(r * 140, (r + 1) * 140);
      const mean = row.reduce((a, b) => a + b, 0) / 140;
      const variance = row.reduce((a, b) => a + (b - mean) ** 2, 0) / 139;
      expect(Math.abs(mean)).toBeLessThan(1e-3);
      expect(Math.abs(Math.sqrt(variance) - 1)).toBeLessThan(1e-2);
    }
  });

  it('names only the file, not its directory, when it cannot be read', async () => {
    await expect(readUcr(fileURLToPath(new URL('../../data/ecg5000/NOPE.txt', import.meta.url)))).rejects.toThrow(
      /^NOPE\.txt: cannot read \(ENOENT\)$/,
    );
  });
});

describe('readUcr on gzipped files', () => {
  it('reads a .gz file exactly as the plain file it was made from', async () => {
    const { dir, cleanup } = tempFiles({ 'train.txt.gz': gzipSync(readFileSync(TRAIN), { level: 9 }) });
    try {
      const [plain, gz] = await Promise.all([readUcr(TRAIN), readUcr(join(dir, 'train.txt.gz'))]);
      expect(gz.rows).toBe(plain.rows);
      expect(gz.length).toBe(plain.length);
      expect(gz.labels).toEqual(plain.labels);
      expect(gz.data).toEqual(plain.data);
    } finally {
      cleanup();
    }
  });

  it('reads the bundled TEST split: 4,500 beats, 1,873 of them abnormal', async () => {
    const test = await readUcr(fileURLToPath(new URL('../../data/ecg5000/ECG5000_TEST.txt.gz', import.meta.url)));
    expect(test.rows).toBe(4500);
    expect(test.length).toBe(140);
    expect(test.labels.filter((l) => l !== 1)).toHaveLength(1873);
  });

  it('rejects a .gz file that is not gzip, naming the file only', async () => {
    const { dir, cleanup } = tempFiles({ 'plain.txt.gz': '1 0.5 0.25\n' });
    try {
      await expect(readUcr(join(dir, 'plain.txt.gz'))).rejects.toThrow(/^plain\.txt\.gz: not a valid gzip file/);
      await expect(readUcr(join(dir, 'plain.txt.gz'))).rejects.toBeInstanceOf(UcrFormatError);
    } finally {
      cleanup();
    }
  });
});

describe('parseUcr', () => {
  it('accepts whitespace- or comma-separated rows, skipping blank lines and CRLF', () => {
    const ds = parseUcr('  1.0e+00  0.5  0.25\r\n\n2,0.1,0.2\n', 'tiny.txt');
    expect(ds.rows).toBe(2);
    expect(ds.length).toBe(2);
    expect(Array.from(ds.labels)).toEqual([1, 2]);
    expect(Array.from(ds.data)).toEqual([0.5, 0.25, Math.fround(0.1), Math.fround(0.2)]);
  });

  it('names file, line and column of a malformed row', () => {
    expect(() => parseUcr('1 0.5 0.25\n2 0.1\n', 'bad.txt')).toThrow(/^bad\.txt: line 2: expected 3 fields .* got 2$/);
    expect(() => parseUcr('1 0.5 0.25\n\n2 0.1 abc\n', 'bad.txt')).toThrow(
      /^bad\.txt: line 3, column 3: sample is not a finite number: "abc"$/,
    );
    expect(() => parseUcr('1.5 0.5 0.25\n', 'bad.txt')).toThrow(/line 1, column 1: class label must be an integer/);
    expect(() => parseUcr('1 Infinity\n', 'bad.txt')).toThrow(/column 2/);
    expect(() => parseUcr('1\n', 'bad.txt')).toThrow(/at least one sample/);
    expect(() => parseUcr('\n \n', 'empty.txt')).toThrow(UcrFormatError);
  });
});
