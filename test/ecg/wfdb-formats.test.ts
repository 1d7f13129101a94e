import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EcgFormatError } from '../../src/ecg/ecg-format-error';
import { WfdbFormatError } from '../../src/ecg/wfdb-error';
import { SUPPORTED_WFDB_FORMATS } from '../../src/ecg/wfdb-header';
import { readWfdbRecord } from '../../src/ecg/wfdb-record';
import { tempFiles } from './helpers';
import { checksum, encode, encode16, encode310, encode80, interleave } from './wfdb-writers';

/** ADC range of each format: [min valid, max]; one below the min is the invalid-sample marker. */
const RANGE: Record<number, [number, number]> = {
  16: [-32767, 32767],
  61: [-32767, 32767],
  80: [-127, 127],
  212: [-2047, 2047],
  310: [-511, 511],
  311: [-511, 511],
};

/** A deterministic test signal covering both extremes, zero, and a spread of values in between. */
function testSignal(format: number, n: number, seed: number): number[] {
  const [lo, hi] = RANGE[format];
  const out: number[] = [];
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    out.push(lo + (x % (hi - lo + 1)));
  }
  out[0] = lo;
  if (n > 1) out[1] = hi;
  if (n > 2) out[2] = 0;
  return out;
}

describe('readWfdbRecord: every supported format', () => {
  for (const format of [16, 61, 80, 212, 310, 311]) {
    // 7 frames of 2 signals = 14 samples: a partial last group for the 3-sample formats too.
    for (const frames of [6, 7, 8]) {
      it(`format ${format}: two interleaved signals, ${frames} frames, read back exactly`, () => {
        const a = testSignal(format, frames, 1 + frames);
        const b = testSignal(format, frames, 99 + format);
        const header =
          `fmt 2 250 ${frames}\n` +
          `fmt.dat ${format} 0(5)/mV 12 0 ${a[0]} ${checksum(a)} 0 MLII\n` +
          `fmt.dat ${format} 100(-3)/uV 12 0 ${b[0]} ${checksum(b)} 0 V1\n`;
        const { dir, cleanup } = tempFiles({ 'fmt.hea': header, 'fmt.dat': encode(format, interleave([a, b])) });
        try {
          const rec = readWfdbRecord(join(dir, 'fmt'));
          expect(rec.length).toBe(frames);
          const [s0, s1] = rec.signals;
          // Gain 0 means WFDB's default 200; the baseline in parentheses is the ADC value of 0 units.
          expect(s0).toMatchObject({ lead: 'MLII', gain: 200, baseline: 5, units: 'mV' });
          expect(s1).toMatchObject({ lead: 'V1', gain: 100, baseline: -3, units: 'uV' });
          expect(Array.from(s0.samples)).toEqual(a.map((v) => Math.fround((v - 5) / 200)));
          expect(Array.from(s1.samples)).toEqual(b.map((v) => Math.fround((v + 3) / 100)));
        } finally {
          cleanup();
        }
      });
    }
  }

  it('supports exactly the formats listed', () => {
    expect([...SUPPORTED_WFDB_FORMATS].sort((x, y) => x - y)).toEqual([16, 61, 80, 212, 310, 311]);
  });

  it('decodes hand-packed 310, 311 and 80 bytes (bit layout, not just round trip)', () => {
    // Samples 1, -1, 300. 300 = 0b01001_01100: low five bits 12, high five bits 9.
    // 310: word0 = 1 << 1 | 12 << 11 = 0x6002, word1 = 0x3ff << 1 | 9 << 11 = 0x4ffe (both LE).
    // 311: word = 1 | 0x3ff << 10 | 300 << 20 = 0x12cffc01 (LE).
    const { dir, cleanup } = tempFiles({
      'a.hea': 'a 1 100 3\na.dat 310 1 10 0\n',
      'a.dat': Uint8Array.of(0x02, 0x60, 0xfe, 0x4f),
      'b.hea': 'b 1 100 3\nb.dat 311 1 10 0\n',
      'b.dat': Uint8Array.of(0x01, 0xfc, 0xcf, 0x12),
      'd.hea': 'd 1 100 3\nd.dat 80 1 8 0\n',
      'd.dat': Uint8Array.of(0x80, 0x00, 0xff),
    });
    try {
      expect(Array.from(readWfdbRecord(join(dir, 'a')).signals[0].samples)).toEqual([1, -1, 300]);
      expect(Array.from(readWfdbRecord(join(dir, 'b')).signals[0].samples)).toEqual([1, -1, 300]);
      expect(Array.from(readWfdbRecord(join(dir, 'd')).signals[0].samples)).toEqual([0, Number.NaN, 127]);
    } finally {
      cleanup();
    }
  });

  it('decodes big-endian format 61 from hand-packed bytes', () => {
    const { dir, cleanup } = tempFiles({
      'c.hea': 'c 1 100 3\nc.dat 61 1 16 0\n',
      'c.dat': Uint8Array.of(0x01, 0x02, 0xfe, 0xfe, 0x80, 0x00),
    });
    try {
      expect(Array.from(readWfdbRecord(join(dir, 'c')).signals[0].samples)).toEqual([0x0102, -0x0102, Number.NaN]);
    } finally {
      cleanup();
    }
  });

  it('maps each format’s invalid-sample marker to NaN', () => {
    for (const format of [16, 61, 80, 212, 310, 311]) {
      const marker = RANGE[format][0] - 1;
      const values = [3, marker, -3];
      const { dir, cleanup } = tempFiles({ 'n.hea': `n 1 100 3\nn.dat ${format} 1 10 0\n`, 'n.dat': encode(format, values) });
      try {
        expect(Array.from(readWfdbRecord(join(dir, 'n')).signals[0].samples)).toEqual([3, Number.NaN, -3]);
      } finally {
        cleanup();
      }
    }
  });

  it('reads signals stored in different files with different formats (per-signal formats)', () => {
    const a = [10, -20, 30, -40, 50];
    const b = [1, 2, 3, 4, 5];
    const c = [-7, 7, -7, 7, -7];
    const { dir, cleanup } = tempFiles({
      'mix.hea': `mix 3 360 5\nmix_a.dat 310 50 10 0\nmix_b.dat 80 10(1) 8 0\nmix_c.dat 61+4 2000/V 16 0\n`,
      'mix_a.dat': encode310(a),
      'mix_b.dat': encode80(b),
      'mix_c.dat': Uint8Array.of(9, 9, 9, 9, ...encode16(c, false)),
    });
    try {
      const rec = readWfdbRecord(join(dir, 'mix'));
      expect(Array.from(rec.signals[0].samples)).toEqual(a.map((v) => Math.fround(v / 50)));
      expect(Array.from(rec.signals[1].samples)).toEqual(b.map((v) => Math.fround((v - 1) / 10)));
      expect(Array.from(rec.signals[2].samples)).toEqual(c.map((v) => Math.fround(v / 2000)));
      expect(rec.signals[2].units).toBe('V');
    } finally {
      cleanup();
    }
  });

  it('infers the length from the file size for every format when the header omits it', () => {
    for (const format of [16, 61, 80, 212, 310, 311]) {
      const v = testSignal(format, 6, 7);
      const { dir, cleanup } = tempFiles({ 'l.hea': `l 1 100\nl.dat ${format} 1 10 0\n`, 'l.dat': encode(format, v) });
      try {
        const rec = readWfdbRecord(join(dir, 'l'));
        expect(rec.length).toBe(6);
        expect(Array.from(rec.signals[0].samples)).toEqual(v.map((x) => (x === RANGE[format][0] - 1 ? Number.NaN : x)));
      } finally {
        cleanup();
      }
    }
  });

  it('rejects a truncated data file of every format, naming the file', () => {
    for (const format of [16, 61, 80, 212, 310, 311]) {
      const v = testSignal(format, 9, 3);
      const bytes = encode(format, v);
      const { dir, cleanup } = tempFiles({
        'cut.hea': `cut 1 100 9\ncut.dat ${format} 1 10 0\n`,
        'cut.dat': bytes.subarray(0, bytes.length - 1),
      });
      try {
        let error: unknown;
        try {
          readWfdbRecord(join(dir, 'cut'));
        } catch (e) {
          error = e;
        }
        expect(error).toBeInstanceOf(WfdbFormatError);
        expect(error).toBeInstanceOf(EcgFormatError);
        expect((error as Error).message).toMatch(
          new RegExp(`cut\\.dat: byte ${bytes.length - 1}: truncated: 9 frames of 1 format-${format} signals need ${bytes.length} bytes`),
        );
      } finally {
        cleanup();
      }
    }
  });

  it('rejects a byte offset beyond the end of the file', () => {
    const { dir, cleanup } = tempFiles({ 'o.hea': 'o 1 100 1\no.dat 16+100 1 16 0\n', 'o.dat': Uint8Array.of(1, 2) });
    try {
      expect(() => readWfdbRecord(join(dir, 'o'))).toThrow(/o\.dat: byte 2: truncated: the header puts the first sample at byte 100/);
    } finally {
      cleanup();
    }
  });

  it('rejects a multi-segment header, naming the file', () => {
    const { dir, cleanup } = tempFiles({ 'multi.hea': 'multi/2 1 125 200\nseg_1 100\nseg_2 100\n' });
    try {
      expect(() => readWfdbRecord(join(dir, 'multi'))).toThrow(WfdbFormatError);
      expect(() => readWfdbRecord(join(dir, 'multi'))).toThrow(/multi\.hea: line 1: multi-segment record "multi\/2" is not supported/);
    } finally {
      cleanup();
    }
  });
});
