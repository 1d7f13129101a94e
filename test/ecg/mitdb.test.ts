import { describe, expect, it } from 'vitest';
import { listMitdbRecords, loadMitdbRecord } from '../../src/ecg/mitdb';
import { streamBeats, scoreQrs } from '../../src/ecg/qrs-evaluation';
import { MITDB, tempFiles } from './helpers';

describe('MIT-BIH records', () => {
  it('lists the bundled records: all of DS1 and four DS2 records, sorted', () => {
    const ds1 = '101 106 108 109 112 114 115 116 118 119 122 124 201 203 205 207 208 209 215 220 223 230'.split(' ');
    const ds2 = ['100', '103', '200', '210'];
    expect(listMitdbRecords(MITDB)).toEqual([...ds1, ...ds2].sort());
  });

  it('loads MLII by name, every lead, and the beat annotations only', () => {
    const rec = loadMitdbRecord(MITDB, '106');
    expect(rec).toMatchObject({ name: '106', fs: 360, lead: 'MLII' });
    expect(rec.leads?.map((l) => l.name)).toEqual(['MLII', 'V1']);
    expect(rec.signal).toBe(rec.leads?.[0].samples);
    expect(rec.warning).toBeUndefined();
    expect(rec.signal).toHaveLength(650000);
    expect(rec.beatSamples).toHaveLength(2027);
    expect(rec.beatSymbols.filter((s) => s === 'V')).toHaveLength(520);
  });

  it('takes MLII by name where a record stores it second (114), and another lead when asked', () => {
    const rec = loadMitdbRecord(MITDB, '114');
    expect(rec.leads?.map((l) => l.name)).toEqual(['V5', 'MLII']);
    expect(rec.lead).toBe('MLII');
    expect(rec.signal).toBe(rec.leads?.[1].samples);
    const v5 = loadMitdbRecord(MITDB, '114', 'V5');
    expect(v5.lead).toBe('V5');
    expect(v5.signal).toBe(v5.leads?.[0].samples);
    const missing = loadMitdbRecord(MITDB, '114', 'V1');
    expect(missing.lead).toBe('MLII');
    expect(missing.warning).toMatch(/lead "V1" not found/);
  });

  it('marks ventricular flutter episodes ([ to ]) as excluded ranges', () => {
    const words = [
      [1, 100], // N at 100
      [32, 200], // [ at 300
      [31, 50], // ! at 350 (flutter wave, not a beat)
      [33, 400], // ] at 750
      [1, 50], // N at 800
      [32, 100], // [ at 900, never closed
      [0, 0],
    ];
    const atr = Uint8Array.from(words.flatMap(([code, i]) => [((code << 10) | i) & 0xff, ((code << 10) | i) >> 8]));
    const { dir, cleanup } = tempFiles({ 'vf.hea': 'vf 1 360 1000\nvf.dat 16 200 16 0\n', 'vf.dat': new Uint8Array(2000), 'vf.atr': atr });
    try {
      const rec = loadMitdbRecord(dir, 'vf');
      expect(Array.from(rec.beatSamples)).toEqual([100, 800]);
      expect(rec.excluded).toEqual([
        [300, 750],
        [900, 1000],
      ]);
    } finally {
      cleanup();
    }
  });

  it('streams a record in 1 s chunks to beats matching the reference', () => {
    const rec = loadMitdbRecord(MITDB, '100');
    const beats = streamBeats(rec.signal, rec.fs, 1);
    const score = scoreQrs(
      rec.beatSamples,
      beats.map((b) => b.rIndex),
      rec.fs,
    );
    expect(score.se).toBeGreaterThanOrEqual(0.999);
    expect(score.ppv).toBeGreaterThanOrEqual(0.999);
  });
});
