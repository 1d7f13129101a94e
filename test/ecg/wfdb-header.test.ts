import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseWfdbHeader, readWfdbHeader } from '../../src/ecg/wfdb-header';
import { WfdbFormatError } from '../../src/ecg/wfdb-error';
import { MITDB } from './helpers';

describe('readWfdbHeader', () => {
  it('reads the bundled record 100 header (CRLF, two format-212 signals)', () => {
    const h = readWfdbHeader(join(MITDB, '100.hea'));
    expect(h.name).toBe('100');
    expect(h.fs).toBe(360);
    expect(h.length).toBe(650000);
    expect(h.signals).toHaveLength(2);
    expect(h.signals[0]).toMatchObject({
      file: '100.dat',
      format: 212,
      gain: 200,
      adcResolution: 11,
      adcZero: 1024,
      baseline: 1024,
      initialValue: 995,
      checksum: -22131,
      blockSize: 0,
      description: 'MLII',
      units: 'mV',
    });
    expect(h.signals[1].description).toBe('V5');
    expect(h.comments.length).toBeGreaterThan(0);
  });

  it('parses gain with baseline and units, byte offsets, fs with counter frequency', () => {
    const h = parseWfdbHeader('rec 1 250/1000(0) 10\nrec.dat 16+24 100(-5)/uV 16 0 7 0 0 ECG lead I\n', 'x.hea');
    expect(h.fs).toBe(250);
    expect(h.signals[0]).toMatchObject({ format: 16, byteOffset: 24, gain: 100, baseline: -5, units: 'uV', description: 'ECG lead I' });
  });

  it('uses the WFDB default gain when the gain is 0 and the ADC zero as baseline', () => {
    const h = parseWfdbHeader('r 1 360 5\nr.dat 16 0 12 7\n', 'x.hea');
    expect(h.signals[0].gain).toBe(200);
    expect(h.signals[0].baseline).toBe(7);
  });

  it('rejects an unsupported format, naming file, line and format', () => {
    expect(() => parseWfdbHeader('r 1 360 5\nr.dat 8 200 8 0\n', 'rec.hea')).toThrow(/rec\.hea: line 2: unsupported signal format 8 /);
  });

  it('rejects a bad number with the field name and line', () => {
    expect(() => parseWfdbHeader('r 1 360 5\nr.dat 16 abc 8 0\n', 'rec.hea')).toThrow(/rec\.hea: line 2: gain must be a number, got "abc"/);
    expect(() => parseWfdbHeader('r two 360\n', 'rec.hea')).toThrow(/line 1: number of signals must be an integer/);
  });

  it('rejects a header with fewer signal lines than declared (truncated)', () => {
    const err = (() => {
      try {
        parseWfdbHeader('# comment\nr 2 360 5\nr.dat 16 200 12 0\n', 'cut.hea');
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(WfdbFormatError);
    expect((err as Error).message).toMatch(/cut\.hea: line \d+: truncated: 2 signals declared, 1 signal lines found/);
  });

  it('rejects multi-segment records and empty headers', () => {
    expect(() => parseWfdbHeader('r/3 2 360 100\n', 'm.hea')).toThrow(/multi-segment/);
    expect(() => parseWfdbHeader('# only a comment\n', 'e.hea')).toThrow(/no record line/);
  });
});
