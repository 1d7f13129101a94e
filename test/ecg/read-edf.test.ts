import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EcgFormatError } from '../../src/ecg/ecg-format-error';
import { EdfFormatError, parseEdf, readEdf } from '../../src/ecg/read-edf';
import { record100Edf, SECONDS, writeEdf } from './edf-writer';
import { tempFiles } from './helpers';

/** The error `fn` throws (fails the test if none). */
function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}

describe('readEdf', () => {
  it('reads back a two-lead EDF made from record 100 within quantization error', () => {
    const { bytes, mlii, v5 } = record100Edf();
    const { dir, cleanup } = tempFiles({ '100.edf': bytes });
    try {
      const edf = readEdf(join(dir, '100.edf'));
      expect(edf).toMatchObject({ format: 'EDF', recordCount: SECONDS, recordDuration: 1, startDate: '01.02.03', startTime: '04.05.06' });
      expect(edf.signals.map((s) => [s.label, s.unit, s.fs])).toEqual([
        ['MLII', 'mV', 360],
        ['V5', 'uV', 360],
      ]);
      expect(edf.signals[0].transducer).toBe('AgAgCl electrode');
      const step0 = 10.24 / 65535;
      const step1 = 10240 / 65535;
      let worst0 = 0;
      let worst1 = 0;
      for (let t = 0; t < mlii.length; t++) {
        worst0 = Math.max(worst0, Math.abs(edf.signals[0].samples[t] - mlii[t]));
        worst1 = Math.max(worst1, Math.abs(edf.signals[1].samples[t] - v5[t] * 1000));
      }
      // Half a quantization step, plus float32 rounding.
      expect(worst0).toBeLessThanOrEqual(step0 / 2 + 1e-6);
      expect(worst1).toBeLessThanOrEqual(step1 / 2 + 1e-3);
      expect(edf.annotations).toEqual([]);
    } finally {
      cleanup();
    }
  });

  it('reads BDF (24-bit) with a finer quantization', () => {
    const { bytes, mlii } = record100Edf({ bdf: true });
    const edf = parseEdf(bytes, 'x.bdf');
    expect(edf.format).toBe('BDF');
    let worst = 0;
    for (let t = 0; t < mlii.length; t++) worst = Math.max(worst, Math.abs(edf.signals[0].samples[t] - mlii[t]));
    expect(worst).toBeLessThan(1e-6);
  });

  it('gives each signal its own rate and maps digital extremes to physical extremes', () => {
    const bytes = writeEdf(
      [
        {
          label: 'ECG',
          unit: 'mV',
          physicalMin: -1,
          physicalMax: 1,
          digitalMin: -100,
          digitalMax: 100,
          samplesPerRecord: 4,
          values: [-1, 1, 0, 0.5, -1, 1, 0, 0.5],
        },
        // Inverted physical range (legal): digital max maps to physical min.
        {
          label: 'Resp',
          unit: '',
          physicalMin: 10,
          physicalMax: -10,
          digitalMin: 0,
          digitalMax: 20,
          samplesPerRecord: 1,
          values: [10, -10],
        },
      ],
      { recordDuration: 2 },
    );
    const edf = parseEdf(bytes, 'rates.edf');
    expect(edf.signals.map((s) => s.fs)).toEqual([2, 0.5]);
    expect(Array.from(edf.signals[0].samples)).toEqual([-1, 1, 0, 0.5, -1, 1, 0, 0.5]);
    expect(Array.from(edf.signals[1].samples)).toEqual([10, -10]);
  });

  it('parses EDF+ annotations and leaves the annotation signal out of the signals', () => {
    const bytes = writeEdf(
      [
        {
          label: 'ECG',
          unit: 'uV',
          physicalMin: -1000,
          physicalMax: 1000,
          digitalMin: -1000,
          digitalMax: 1000,
          samplesPerRecord: 3,
          values: [1, 2, 3, 4, 5, 6],
        },
        {
          label: 'EDF Annotations',
          unit: '',
          physicalMin: -1,
          physicalMax: 1,
          digitalMin: -32768,
          digitalMax: 32767,
          samplesPerRecord: 30,
          records: ['+0\x14\x14\x00+0.5\x150.2\x14PVC\x14\x00', '+1\x14\x14\x00+1.25\x14Lead off\x14electrode\x14\x00'],
        },
      ],
      { reserved: 'EDF+C' },
    );
    const edf = parseEdf(bytes, 'plus.edf');
    expect(edf.format).toBe('EDF+');
    expect(edf.signals.map((s) => s.label)).toEqual(['ECG']);
    expect(Array.from(edf.signals[0].samples)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(edf.annotations).toEqual([
      { onset: 0.5, duration: 0.2, text: 'PVC' },
      { onset: 1.25, duration: undefined, text: 'Lead off' },
      { onset: 1.25, duration: undefined, text: 'electrode' },
    ]);
  });

  it('rejects EDF+D (discontinuous) naming the field', () => {
    const { bytes } = record100Edf({ reserved: 'EDF+D' });
    expect(() => parseEdf(bytes, 'd.edf')).toThrow(/d\.edf: field "reserved": EDF\+D \(discontinuous\) recordings are not supported/);
  });

  it('takes the record count from the file size when the header says -1', () => {
    const { bytes } = record100Edf({ recordCountField: '-1' });
    expect(parseEdf(bytes, 'u.edf').recordCount).toBe(SECONDS);
  });

  it('rejects truncated files and corrupt headers with one error naming file and field', () => {
    const { bytes } = record100Edf();
    const cases: [Uint8Array, RegExp][] = [
      [bytes.subarray(0, 100), /cut\.edf: header: truncated: 100 bytes, an EDF header needs 256/],
      [bytes.subarray(0, 600), /cut\.edf: field "number of signals": truncated: 2 signals need a 768-byte header, the file has 600 bytes/],
      [
        bytes.subarray(0, bytes.length - 1),
        /cut\.edf: field "number of data records": truncated: 20 data records of 1440 bytes need 28800 bytes/,
      ],
    ];
    const patch = (at: number, value: string): Uint8Array => {
      const copy = bytes.slice();
      for (let i = 0; i < value.length; i++) copy[at + i] = value.charCodeAt(i);
      return copy;
    };
    cases.push([patch(0, 'X'), /field "version": expected "0" \(EDF\) or 0xFF "BIOSEMI" \(BDF\), got "X"/]);
    cases.push([patch(252, 'ab  '), /field "number of signals": must be an integer, got "ab"/]);
    cases.push([patch(252, '9999'), /field "number of bytes in header record": 768 does not match 9999 signals/]);
    // A huge record count must fail on the size check, not by allocating.
    cases.push([patch(236, '99999999'), /field "number of data records": truncated: 99999999 data records/]);
    cases.push([patch(244, '0       '), /field "duration of a data record": must be positive, got 0/]);
    // Signal 2's sample count sits at 256 + 2 * (16 + 80 + 8 * 5 + 80) + 8.
    cases.push([
      patch(256 + 2 * 216 + 8, '-3      '),
      /signal 2 \("V5"\) field "number of samples in each data record": must be at least 1, got -3/,
    ]);
    // Signal 1's digital maximum sits at 256 + 2 * (16 + 80 + 8 * 4).
    cases.push([
      patch(256 + 2 * 128, '-40000  '),
      /signal 1 \("MLII"\) field "digital maximum": -40000 must exceed the digital minimum -32768/,
    ]);
    for (const [data, message] of cases) {
      const error = thrown(() => parseEdf(data, 'cut.edf'));
      expect(error).toBeInstanceOf(EdfFormatError);
      expect(error).toBeInstanceOf(EcgFormatError);
      expect(error.message).toMatch(message);
    }
  });

  it('rejects a malformed annotation with its byte offset', () => {
    const bytes = writeEdf(
      [
        {
          label: 'EDF Annotations',
          unit: '',
          physicalMin: -1,
          physicalMax: 1,
          digitalMin: -32768,
          digitalMax: 32767,
          samplesPerRecord: 8,
          records: ['+0\x14\x14\x00x1\x14a\x14\x00'],
        },
      ],
      { reserved: 'EDF+C' },
    );
    expect(() => parseEdf(bytes, 'a.edf')).toThrow(/a\.edf: byte 517: EDF\+ annotation onset must look like \+1\.5, got "x1"/);
  });
});
