import { describe, expect, it } from 'vitest';
import { listMitdbRecords, loadMitdbRecord } from '../../src/ecg/mitdb';
import { streamBeats, scoreQrs } from '../../src/ecg/qrs-evaluation';
import { MITDB } from './helpers';

describe('MIT-BIH records', () => {
  it('lists the bundled records', () => {
    expect(listMitdbRecords(MITDB)).toEqual(['100', '101', '106', '119', '208']);
  });

  it('loads the first channel and the beat annotations only', () => {
    const rec = loadMitdbRecord(MITDB, '106');
    expect(rec).toMatchObject({ name: '106', fs: 360, lead: 'MLII' });
    expect(rec.signal).toHaveLength(650000);
    expect(rec.beatSamples).toHaveLength(2027);
    expect(rec.beatSymbols.filter((s) => s === 'V')).toHaveLength(520);
  });

  it('streams a record in 1 s chunks to beats matching the reference', () => {
    const rec = loadMitdbRecord(MITDB, '100');
    const beats = streamBeats(rec.signal, rec.fs, 1);
    const score = scoreQrs(rec.beatSamples, beats.map((b) => b.rIndex), rec.fs);
    expect(score.se).toBeGreaterThanOrEqual(0.999);
    expect(score.ppv).toBeGreaterThanOrEqual(0.999);
  });
});
