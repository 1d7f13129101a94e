import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EcgFormatError } from '../../src/ecg/ecg-format-error';
import { CsvFormatError, parseEcgCsv, readEcgCsv } from '../../src/ecg/read-csv';
import { tempFiles } from './helpers';

const f32 = (values: number[]): number[] => values.map(Math.fround);

/** CSV text of `rows` rows: an optional time column (seconds at `fs`) and two leads. */
function csvText(rows: number, fs: number, delimiter: string, time = true): string {
  const lines = [time ? ['time', 'MLII', 'V5'].join(delimiter) : ['MLII', 'V5'].join(delimiter)];
  for (let i = 0; i < rows; i++) {
    const cells = [(i * 0.1).toFixed(1), (-i * 0.01).toFixed(2)];
    lines.push((time ? [(i / fs).toFixed(3), ...cells] : cells).join(delimiter));
  }
  return lines.join('\n') + '\n';
}

describe('parseEcgCsv', () => {
  it('detects comma, semicolon, tab and whitespace delimiters and infers fs from a time column', () => {
    for (const [delimiter, name] of [
      [',', ','],
      [';', ';'],
      ['\t', '\t'],
      ['  ', 'whitespace'],
    ] as const) {
      const csv = parseEcgCsv(csvText(50, 360, delimiter), 'x.csv');
      expect(csv.delimiter).toBe(name);
      // Times written to the millisecond at 360 Hz: steps of 2 and 3 ms, the span still gives 360.
      expect(csv.fs).toBe(360);
      expect(csv).toMatchObject({ fsFrom: 'time column', timeColumn: 'time' });
      expect(csv.leads.map((l) => [l.name, l.column])).toEqual([
        ['MLII', 2],
        ['V5', 3],
      ]);
      expect(csv.leads[0].samples[7]).toBeCloseTo(0.7, 6);
      expect(csv.leads[1].samples[7]).toBeCloseTo(-0.07, 6);
    }
  });

  it('reads a headerless file with fs given, naming leads by column', () => {
    const csv = parseEcgCsv('0.1 0.2\n0.3 -0.4\n0.5 0.6\n', 'x.txt', { fs: 250 });
    expect(csv).toMatchObject({ fs: 250, fsFrom: 'option', timeColumn: undefined });
    expect(csv.leads.map((l) => l.name)).toEqual(['column 1', 'column 2']);
    expect(Array.from(csv.leads[0].samples)).toEqual(f32([0.1, 0.3, 0.5]));
  });

  it('requires fs when there is no time column, saying to pass --fs', () => {
    const error = (() => {
      try {
        parseEcgCsv('MLII\n0.1\n0.2\n', 'one.csv');
      } catch (e) {
        return e as Error;
      }
    })();
    expect(error).toBeInstanceOf(CsvFormatError);
    expect(error).toBeInstanceOf(EcgFormatError);
    expect(error?.message).toMatch(/one\.csv: sampling rate: the file has no time column .*--fs/);
  });

  it('detects an unnamed increasing first column as time (seconds, or ms when seconds would be under 10 Hz)', () => {
    const rows = (t: (i: number) => number): string => Array.from({ length: 12 }, (_, i) => `${t(i)},${i % 3}`).join('\n');
    expect(
      parseEcgCsv(
        rows((i) => i * 0.002),
        'x.csv',
      ).fs,
    ).toBe(500);
    expect(
      parseEcgCsv(
        rows((i) => 10 + i * 2),
        'x.csv',
      ).fs,
    ).toBe(500);
    const csv = parseEcgCsv(
      rows((i) => i * 0.002),
      'x.csv',
    );
    expect(csv.leads.map((l) => l.name)).toEqual(['column 2']);
    expect(csv.timeColumn).toBe('column 1');
    // Fewer rows prove nothing: an increasing first column is then a lead.
    expect(parseEcgCsv('0,1\n0.002,2\n0.004,3\n', 'x.csv', { fs: 100 }).leads).toHaveLength(2);
  });

  it('reads a time column in ms by name or unit, and h:mm:ss.sss times with a units row (PhysioNet export)', () => {
    expect(parseEcgCsv('ms,ECG\n0,1\n4,2\n8,3\n', 'x.csv').fs).toBe(250);
    expect(parseEcgCsv('time (ms),ECG\n0,1\n4,2\n8,3\n', 'x.csv').fs).toBe(250);
    // Times rounded to the millisecond at 360 Hz: 0:00.000, 0:00.003, 0:00.006, 0:00.008...
    const clock = (i: number): string => `'0:${(i / 360).toFixed(3).padStart(6, '0')}'`;
    const physionet = [
      "'Elapsed time','MLII','V5'",
      "'hh:mm:ss.mmm','(mV)','(uV)'",
      ...Array.from({ length: 10 }, (_, i) => `${clock(i)},-0.145,${-65 - i}`),
      '',
    ].join('\n');
    expect(physionet).toContain("'0:00.008',-0.145,-68");
    const csv = parseEcgCsv(physionet, 'samples.csv');
    expect(csv.timeColumn).toBe('Elapsed time');
    expect(csv.leads.map((l) => l.name)).toEqual(['MLII', 'V5']);
    expect(csv.fs).toBe(360);
    expect(Array.from(csv.leads[1].samples.subarray(0, 3))).toEqual(f32([-0.065, -0.066, -0.067]));
  });

  it('drops a sample-number column (Kaggle MIT-BIH CSV) and converts ADC units with a gain', () => {
    const text = `"'sample #'","'MLII'","'V5'"\n0,995,1011\n1,995,1011\n2,1019,1024\n`;
    const csv = parseEcgCsv(text, '100.csv', { fs: 360, unit: 'adu', gain: 200, baseline: 1024 });
    expect(csv.leads.map((l) => l.name)).toEqual(['MLII', 'V5']);
    expect(Array.from(csv.leads[0].samples)).toEqual(f32([-0.145, -0.145, -0.025]));
    // Unnamed 0, 1, 2... is a sample number too, not a 1 Hz time.
    expect(() => parseEcgCsv('0,5\n1,6\n2,7\n', 'x.csv')).toThrow(/no time column/);
    expect(() => parseEcgCsv(text, '100.csv', { fs: 360, unit: 'adu' })).toThrow(/unit "adu" needs the gain/);
  });

  it('converts uV and V to mV, by option or by header suffix', () => {
    expect(Array.from(parseEcgCsv('a\n1000\n-500\n', 'x.csv', { fs: 100, unit: 'uV' }).leads[0].samples)).toEqual([1, -0.5]);
    expect(Array.from(parseEcgCsv('a\n0.001\n', 'x.csv', { fs: 100, unit: 'V' }).leads[0].samples)).toEqual([1]);
    expect(Array.from(parseEcgCsv('II [uV];V1 (mV)\n1000;2\n', 'x.csv', { fs: 100 }).leads.map((l) => l.samples[0]))).toEqual([1, 2]);
    expect(() => parseEcgCsv('SpO2 (%),ECG\n98,1\n', 'x.csv', { fs: 1 })).toThrow(/x\.csv: column "SpO2": unit "%" is not a voltage/);
  });

  it('accepts decimal commas with semicolons, comments, CRLF, a BOM and a trailing delimiter', () => {
    const csv = parseEcgCsv('\ufeff# exported\r\nt;ECG;\r\n0;0,5;\r\n0,01;-1,25;\r\n0,02;2;\r\n', 'x.csv');
    expect(csv.fs).toBe(100);
    expect(Array.from(csv.leads[0].samples)).toEqual([0.5, -1.25, 2]);
  });

  it('rejects a non-numeric cell with line and column', () => {
    expect(() => parseEcgCsv('time,MLII\n0,1\n0.004,abc\n', 'bad.csv')).toThrow(
      /bad\.csv: line 3, column 2 \("MLII"\): not a number: "abc"/,
    );
    expect(() => parseEcgCsv('time,MLII\n0,1\n0.004,\n', 'bad.csv')).toThrow(/line 3, column 2 \("MLII"\): not a number: ""/);
  });

  it('rejects ragged rows and irregular or non-increasing times', () => {
    expect(() => parseEcgCsv('a,b\n1,2\n3\n', 'r.csv', { fs: 1 })).toThrow(/r\.csv: line 3: expected 2 columns \(as in line 1\), found 1/);
    expect(() => parseEcgCsv('time,a\n0,1\n0.01,1\n0.02,1\n0.05,1\n0.06,1\n', 'g.csv')).toThrow(
      /g\.csv: line 5: time column "time" is irregular: step 0\.03.* against a median of 0\.01/,
    );
    expect(() => parseEcgCsv('time,a\n0,1\n0,1\n0,1\n', 'z.csv')).toThrow(/z\.csv: line 3: time column "time" does not increase/);
  });

  it('checks a given fs against the time column', () => {
    expect(parseEcgCsv(csvText(20, 250, ','), 'x.csv', { fs: 250 }).fs).toBe(250);
    expect(() => parseEcgCsv(csvText(20, 250, ','), 'x.csv', { fs: 360 })).toThrow(/the time column gives 250 Hz but fs 360 was passed/);
  });

  it('accepts NaN cells as missing samples', () => {
    expect(Array.from(parseEcgCsv('a\n1\nNaN\n2\n', 'x.csv', { fs: 1 }).leads[0].samples)).toEqual([1, Number.NaN, 2]);
    // A NaN in the first row does not make it a header.
    expect(Array.from(parseEcgCsv('NaN,1\n2,3\n', 'x.csv', { fs: 1 }).leads[0].samples)).toEqual([Number.NaN, 2]);
  });

  it('rejects empty files and files without data rows', () => {
    expect(() => parseEcgCsv('\n# nothing\n', 'e.csv', { fs: 1 })).toThrow(/e\.csv: line 1: no data: the file is empty/);
    expect(() => parseEcgCsv('time,MLII\n', 'h.csv', { fs: 1 })).toThrow(/h\.csv: line 1: no data rows/);
  });
});

describe('readEcgCsv', () => {
  it('reads a file from disk, naming it in errors', () => {
    const { dir, cleanup } = tempFiles({ 'a.tsv': csvText(10, 500, '\t'), 'b.csv': 'x,y\n1,2\n1,z\n' });
    try {
      expect(readEcgCsv(join(dir, 'a.tsv')).fs).toBe(500);
      expect(() => readEcgCsv(join(dir, 'b.csv'), { fs: 1 })).toThrow(/b\.csv: line 3, column 2 \("y"\)/);
    } finally {
      cleanup();
    }
  });
});
