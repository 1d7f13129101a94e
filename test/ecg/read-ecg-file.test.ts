import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EcgFormatError } from '../../src/ecg/ecg-format-error';
import { chooseLead, listEcgFiles, readEcgFile, type EcgLead } from '../../src/ecg/read-ecg-file';
import { readWfdbRecord } from '../../src/ecg/wfdb-record';
import { record100Edf, SECONDS, writeEdf } from './edf-writer';
import { MITDB, tempFiles } from './helpers';

/** The error `fn` throws (fails the test if none). */
function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}

const leadsNamed = (...names: string[]): { leads: EcgLead[] } => ({
  leads: names.map((name) => ({ name, unit: 'mV', samples: new Float32Array(1) })),
});

describe('readEcgFile: WFDB', () => {
  const reference = readWfdbRecord(join(MITDB, '100'));

  it('reads a record by base name, .hea or .dat path, with its .atr annotations', () => {
    for (const path of ['100', '100.hea', '100.dat']) {
      const rec = readEcgFile(join(MITDB, path));
      expect(rec.fs).toBe(360);
      expect(rec.source).toEqual({ format: 'wfdb', file: join(MITDB, '100.hea') });
      expect(rec.leads.map((l) => [l.name, l.unit])).toEqual([
        ['MLII', 'mV'],
        ['V5', 'mV'],
      ]);
      expect(rec.leads[0].samples).toEqual(reference.signals[0].samples);
      expect(rec.annotations?.from).toBe('atr');
      expect(rec.annotations?.label.filter((s) => s === 'V')).toHaveLength(1);
      expect(rec.annotations?.sample.length).toBe(rec.annotations?.label.length);
      expect(rec.warnings).toEqual([]);
    }
  });

  it('converts units to mV and leaves non-voltage signals out with a warning', () => {
    const bytes = new Uint8Array(12);
    const view = new DataView(bytes.buffer);
    [1000, 50, 2, -2000, 60, 3].forEach((v, i) => view.setInt16(2 * i, v, true));
    const { dir, cleanup } = tempFiles({
      'p.hea': 'p 3 250 2\np.dat 16 1/uV 16 0 1000 -1000 0 ECG II\np.dat 16 1/mmHg 16 0 50 110 0 ABP\np.dat 16 1/V 16 0 2 5 0 V1\n',
      'p.dat': bytes,
    });
    try {
      const rec = readEcgFile(join(dir, 'p'));
      expect(rec.leads.map((l) => l.name)).toEqual(['ECG II', 'V1']);
      expect(Array.from(rec.leads[0].samples)).toEqual([1, -2]);
      expect(Array.from(rec.leads[1].samples)).toEqual([2000, 3000]);
      expect(rec.warnings).toEqual(['left out 1 non-voltage signal(s): ABP (mmHg)']);
      expect(rec.annotations).toBeUndefined();
    } finally {
      cleanup();
    }
  });

  it('checks fs and lead options against the file, and warns about CSV-only options', () => {
    expect(thrown(() => readEcgFile(join(MITDB, '100'), { fs: 250 })).message).toMatch(
      /100\.hea: sampling rate: the file says 360 Hz but fs 250 was passed/,
    );
    expect(thrown(() => readEcgFile(join(MITDB, '100'), { lead: 'V1' })).message).toMatch(
      /100\.hea: lead: no lead "V1" \(leads: MLII, V5\)/,
    );
    expect(readEcgFile(join(MITDB, '100'), { lead: 'v5', fs: 360 }).leads).toHaveLength(2);
    expect(readEcgFile(join(MITDB, '100'), { unit: 'uV' }).warnings[0]).toMatch(/unit\/gain\/baseline options ignored/);
  });

  it('reports missing files as EcgFormatError naming them', () => {
    const { dir, cleanup } = tempFiles({ 'h.hea': 'h 1 100 2\nh.dat 16\n', 'x.bin': Uint8Array.of(1, 0, 2, 0) });
    try {
      const missing = thrown(() => readEcgFile(join(dir, 'nothing')));
      expect(missing).toBeInstanceOf(EcgFormatError);
      expect(missing.message).toMatch(/nothing: file: no such file/);
      expect(thrown(() => readEcgFile(join(dir, 'h'))).message).toMatch(/h\.dat: file: no such file/);
      expect(thrown(() => readEcgFile(join(dir, 'x.bin'))).message).toMatch(/x\.bin: file: not a recognised ECG file/);
      expect(thrown(() => readEcgFile(dir)).message).toMatch(/is a folder/);
    } finally {
      cleanup();
    }
  });
});

describe('readEcgFile: EDF and BDF', () => {
  it('reads a two-lead EDF made from record 100, every lead in mV within quantization error', () => {
    const { bytes, mlii, v5 } = record100Edf();
    const { dir, cleanup } = tempFiles({ '100.edf': bytes, '100.bdf': record100Edf({ bdf: true }).bytes, noext: bytes });
    try {
      const rec = readEcgFile(join(dir, '100.edf'));
      expect(rec).toMatchObject({ fs: 360, source: { format: 'edf', file: join(dir, '100.edf') }, warnings: [] });
      expect(rec.leads.map((l) => l.name)).toEqual(['MLII', 'V5']);
      expect(rec.leads[0].samples).toHaveLength(360 * SECONDS);
      let worst = 0;
      for (let t = 0; t < mlii.length; t++) {
        worst = Math.max(worst, Math.abs(rec.leads[0].samples[t] - mlii[t]), Math.abs(rec.leads[1].samples[t] - v5[t]));
      }
      expect(worst).toBeLessThanOrEqual(10.24 / 65535 / 2 + 1e-6);
      expect(readEcgFile(join(dir, '100.bdf')).source.format).toBe('bdf');
      // Recognised by its header when the name says nothing.
      expect(readEcgFile(join(dir, 'noext')).source.format).toBe('edf');
    } finally {
      cleanup();
    }
  });

  it('keeps the rate of the chosen lead, leaves out other rates and non-voltage signals, maps EDF+ annotations to samples', () => {
    const ramp = (n: number): number[] => Array.from({ length: n }, (_, i) => (i % 10) / 10);
    const bytes = writeEdf(
      [
        {
          label: 'EEG Fpz',
          unit: 'uV',
          physicalMin: -500,
          physicalMax: 500,
          digitalMin: -32768,
          digitalMax: 32767,
          samplesPerRecord: 100,
          values: ramp(200),
        },
        {
          label: 'ECG II',
          unit: 'mV',
          physicalMin: -5,
          physicalMax: 5,
          digitalMin: -32768,
          digitalMax: 32767,
          samplesPerRecord: 256,
          values: ramp(512),
        },
        {
          label: 'SpO2',
          unit: '%',
          physicalMin: 0,
          physicalMax: 100,
          digitalMin: 0,
          digitalMax: 100,
          samplesPerRecord: 1,
          values: [97, 98],
        },
        {
          label: 'EDF Annotations',
          unit: '',
          physicalMin: -1,
          physicalMax: 1,
          digitalMin: -32768,
          digitalMax: 32767,
          samplesPerRecord: 20,
          records: ['+0\x14\x14\x00', '+1\x14\x14\x00+1.5\x14Arousal\x14\x00'],
        },
      ],
      { reserved: 'EDF+C' },
    );
    const { dir, cleanup } = tempFiles({ 'psg.edf': bytes });
    try {
      const rec = readEcgFile(join(dir, 'psg.edf'));
      expect(rec.fs).toBe(256);
      expect(rec.leads.map((l) => l.name)).toEqual(['ECG II']);
      expect(rec.warnings).toEqual([
        'left out 1 non-voltage signal(s): SpO2 (%)',
        'left out "EEG Fpz": 100 Hz, the recording keeps 256 Hz',
      ]);
      expect(rec.annotations).toEqual({ from: 'edf+', sample: Int32Array.of(384), label: ['Arousal'], aux: [undefined] });
      // Asking for the EEG lead keeps its rate instead.
      const eeg = readEcgFile(join(dir, 'psg.edf'), { lead: 'EEG Fpz' });
      expect(eeg.fs).toBe(100);
      expect(eeg.leads[0].samples[1]).toBeCloseTo(0.1 / 1000, 5);
    } finally {
      cleanup();
    }
  });
});

describe('readEcgFile: CSV', () => {
  it('reads .csv, .tsv and .txt files with the CSV options', () => {
    const { dir, cleanup } = tempFiles({
      'a.csv': 'time,MLII\n0,0.1\n0.004,0.2\n0.008,0.3\n',
      'b.tsv': 'II\tV1\n100\t200\n300\t400\n',
      'c.txt': '1 2\n3 4\n',
    });
    try {
      expect(readEcgFile(join(dir, 'a.csv'))).toMatchObject({ fs: 250, source: { format: 'csv', file: join(dir, 'a.csv') } });
      const b = readEcgFile(join(dir, 'b.tsv'), { fs: 500, unit: 'uV' });
      expect(Array.from(b.leads[1].samples)).toEqual([0.2, 0.4].map(Math.fround));
      expect(readEcgFile(join(dir, 'c.txt'), { fs: 100, unit: 'adu', gain: 2 }).leads[0].samples[1]).toBe(1.5);
      expect(thrown(() => readEcgFile(join(dir, 'c.txt'))).message).toMatch(/c\.txt: sampling rate: .*--fs/);
      expect(thrown(() => readEcgFile(join(dir, 'b.tsv'), { fs: 500, lead: 'MLII' })).message).toMatch(
        /b\.tsv: lead: no lead "MLII" \(leads: II, V1\)/,
      );
    } finally {
      cleanup();
    }
  });
});

describe('chooseLead', () => {
  it('prefers MLII without a warning', () => {
    expect(chooseLead(leadsNamed('V5', 'MLII'))).toMatchObject({ index: 1, warning: undefined });
    expect(chooseLead(leadsNamed('V1', 'ml2')).index).toBe(1);
  });

  it('takes a preferred name case-insensitively, II matching ECG II and Lead II', () => {
    expect(chooseLead(leadsNamed('MLII', 'V5'), 'v5')).toMatchObject({ index: 1, warning: undefined });
    expect(chooseLead(leadsNamed('I', 'ECG II'), 'II')).toMatchObject({ index: 1, warning: undefined });
    expect(chooseLead(leadsNamed('Lead I', 'Lead II'), 'ii').index).toBe(1);
  });

  it('falls back to II, then an ECG-named lead, then the first, saying so', () => {
    const ii = chooseLead(leadsNamed('I', 'II', 'III'));
    expect(ii.index).toBe(1);
    expect(ii.warning).toMatch(/using lead "II" in place of MLII/);
    const ecg = chooseLead(leadsNamed('Resp', 'ECG1'));
    expect(ecg.index).toBe(1);
    expect(ecg.warning).toMatch(/using "ECG1": its placement is unknown/);
    const first = chooseLead(leadsNamed('V1', 'V2'));
    expect(first.index).toBe(0);
    expect(first.warning).toMatch(/no MLII, II or ECG lead; using the first, "V1"/);
  });

  it('warns when the preferred lead is missing', () => {
    const r = chooseLead(leadsNamed('MLII', 'V5'), 'V9');
    expect(r.lead.name).toBe('MLII');
    expect(r.warning).toMatch(/lead "V9" not found \(leads: MLII, V5\); using "MLII"/);
    expect(chooseLead(leadsNamed('A', 'B'), 'C').warning).toMatch(/lead "C" not found .*; no MLII, II or ECG lead; using the first, "A"/);
  });

  it('chooses from a real record', () => {
    expect(chooseLead(readEcgFile(join(MITDB, '100'))).lead.name).toBe('MLII');
    expect(() => chooseLead({ leads: [] })).toThrow(/no leads/);
  });
});

describe('listEcgFiles', () => {
  it('lists WFDB base names and EDF/CSV files, sorted', () => {
    const { dir, cleanup } = tempFiles({ 'b.hea': '', 'b.dat': '', 'b.atr': '', 'a.edf': '', 'c.csv': '', 'd.TSV': '', 'notes.md': '' });
    try {
      mkdirSync(join(dir, 'sub'));
      expect(listEcgFiles(dir)).toEqual(['a.edf', 'b', 'c.csv', 'd.TSV'].map((n) => join(dir, n)));
    } finally {
      cleanup();
    }
  });
});
