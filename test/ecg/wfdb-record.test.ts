import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readWfdbRecord } from '../../src/ecg/wfdb-record';
import { readWfdbHeader } from '../../src/ecg/wfdb-header';
import { MITDB, tempFiles } from './helpers';

/** ADC value of a physical sample, undoing (adc - baseline) / gain. */
const adc = (mv: number, gain = 200, baseline = 1024): number => Math.round(mv * gain + baseline);

describe('readWfdbRecord on bundled MIT-BIH records', () => {
  it('decodes record 100 (format 212) at known sample indices', () => {
    const rec = readWfdbRecord(join(MITDB, '100'));
    expect(rec).toMatchObject({ name: '100', fs: 360, length: 650000 });
    expect(rec.signals.map((s) => s.lead)).toEqual(['MLII', 'V5']);
    const [mlii, v5] = rec.signals;
    expect(mlii.samples).toHaveLength(650000);
    // Known values (ADC units) decoded independently of this reader.
    const known: [number, number, number][] = [
      [0, 995, 1011],
      [1000, 945, 970],
      [123456, 929, 938],
      [649999, 768, 1024],
    ];
    for (const [t, a, b] of known) {
      expect(adc(mlii.samples[t])).toBe(a);
      expect(adc(v5.samples[t])).toBe(b);
    }
    expect(mlii.samples[0]).toBeCloseTo(-0.145, 6);
  });

  it("matches each bundled record's header: first sample equals the initial value", () => {
    for (const name of ['100', '101', '106', '119', '208']) {
      const header = readWfdbHeader(join(MITDB, `${name}.hea`));
      const rec = readWfdbRecord(join(MITDB, name));
      rec.signals.forEach((s, i) => {
        expect(adc(s.samples[0], s.gain, s.baseline)).toBe(header.signals[i].initialValue);
      });
    }
    const r208 = readWfdbRecord(join(MITDB, '208'));
    expect(adc(r208.signals[0].samples[123456])).toBe(1029);
    expect(adc(r208.signals[1].samples[1000])).toBe(1074);
  });
});

/** A format-16 record of two interleaved signals. */
function format16(values: number[][], header?: string): Record<string, string | Uint8Array> {
  const frames = values[0].length;
  const bytes = new Uint8Array(frames * values.length * 2);
  const view = new DataView(bytes.buffer);
  for (let t = 0; t < frames; t++) values.forEach((v, j) => view.setInt16(2 * (t * values.length + j), v[t], true));
  const sum = (v: number[]): number => {
    const s = v.reduce((a, b) => (a + b) & 0xffff, 0);
    return s > 32767 ? s - 65536 : s;
  };
  return {
    'syn.hea':
      header ??
      `syn 2 500 ${frames}\nsyn.dat 16 1000(10)/mV 16 0 ${values[0][0]} ${sum(values[0])} 0 I\nsyn.dat 16 500 16 0 ${values[1][0]} ${sum(values[1])} 0 II\n`,
    'syn.dat': bytes,
  };
}

describe('readWfdbRecord on synthetic files', () => {
  it('decodes format 16 with gain, baseline and interleaving', () => {
    const { dir, cleanup } = tempFiles(
      format16([
        [10, 1010, -990, 32767],
        [0, 500, -500, -32767],
      ]),
    );
    try {
      const rec = readWfdbRecord(join(dir, 'syn'));
      expect(rec.fs).toBe(500);
      expect(Array.from(rec.signals[0].samples)).toEqual([0, 1, -1, (32767 - 10) / 1000].map(Math.fround));
      expect(Array.from(rec.signals[1].samples)).toEqual([0, 1, -1, -32767 / 500].map(Math.fround));
    } finally {
      cleanup();
    }
  });

  it('decodes format 212 with an odd number of samples in one signal', () => {
    // Samples 1, -1, 2047 packed as 212: (1, -1) in 3 bytes, then 2047 in the next pair.
    const bytes = Uint8Array.of(0x01, 0xf0, 0xff, 0xff, 0x07, 0x00);
    const { dir, cleanup } = tempFiles({ 'odd.hea': 'odd 1 100 3\nodd.dat 212 100 12 0 1\n', 'odd.dat': bytes });
    try {
      const rec = readWfdbRecord(join(dir, 'odd'));
      expect(Array.from(rec.signals[0].samples)).toEqual([0.01, -0.01, 20.47].map(Math.fround));
    } finally {
      cleanup();
    }
  });

  it('rejects a truncated data file naming the file and byte', () => {
    const files = format16([
      [1, 2, 3, 4],
      [5, 6, 7, 8],
    ]);
    files['syn.dat'] = (files['syn.dat'] as Uint8Array).subarray(0, 13);
    const { dir, cleanup } = tempFiles(files);
    try {
      expect(() => readWfdbRecord(join(dir, 'syn'))).toThrow(/syn\.dat: byte 13: truncated: 4 frames of 2 format-16 signals need 16 bytes/);
    } finally {
      cleanup();
    }
  });

  it('rejects data that contradicts the header checksum or initial value', () => {
    const files = format16([
      [1, 2, 3, 4],
      [5, 6, 7, 8],
    ]);
    const bad = (files['syn.dat'] as Uint8Array).slice();
    bad[4] ^= 1; // frame 1, signal 0
    const { dir, cleanup } = tempFiles({ ...files, 'syn.dat': bad });
    try {
      expect(() => readWfdbRecord(join(dir, 'syn'))).toThrow(/syn\.hea: signal 0: checksum .* differs/);
      expect(readWfdbRecord(join(dir, 'syn'), { verify: false }).signals[0].samples[1]).toBeCloseTo(-0.007, 6);
    } finally {
      cleanup();
    }
  });

  it('takes the length from the file size when the header omits it', () => {
    const files = format16(
      [
        [1, 2, 3],
        [4, 5, 6],
      ],
      'syn 2 250\nsyn.dat 16\nsyn.dat 16\n',
    );
    const { dir, cleanup } = tempFiles(files);
    try {
      const rec = readWfdbRecord(join(dir, 'syn'));
      expect(rec.length).toBe(3);
      expect(Array.from(rec.signals[1].samples)).toEqual([4 / 200, 5 / 200, 6 / 200].map(Math.fround));
    } finally {
      cleanup();
    }
  });
});
