import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EcgFormatError } from '../../src/ecg/ecg-format-error';
import { WfdbFormatError } from '../../src/ecg/wfdb-error';
import { SUPPORTED_WFDB_FORMATS } from '../../src/ecg/wfdb-header';
import { readWfdbRecord } from '../../src/ecg/wfdb-record';
import { tempFiles } from './helpers';

// Writers for each WFDB signal format, written from the signal(5) descriptions: the reader is
// checked against these, and against a few hand-packed byte strings below.

/** Format 16 (little-endian) or 61 (big-endian) 16-bit two's complement. */
function encode16(samples: readonly number[], littleEndian: boolean): Uint8Array {
  const out = new Uint8Array(samples.length * 2);
  const view = new DataView(out.buffer);
  samples.forEach((v, i) => view.setInt16(2 * i, v, littleEndian));
  return out;
}

/** Format 80: offset binary, unsigned byte = value + 128. */
function encode80(samples: readonly number[]): Uint8Array {
  return Uint8Array.from(samples, (v) => v + 128);
}

/** Format 212: pairs of 12-bit values in 3 bytes, the middle byte holding both high nibbles. */
function encode212(samples: readonly number[]): Uint8Array {
  const out = new Uint8Array(Math.ceil((samples.length * 3) / 2));
  for (let k = 0, p = 0; k < samples.length; k += 2, p += 3) {
    const a = samples[k] & 0xfff;
    const b = k + 1 < samples.length ? samples[k + 1] & 0xfff : 0;
    out[p] = a & 0xff;
    out[p + 1] = ((a >> 8) & 0x0f) | ((b >> 8) << 4);
    if (k + 1 < samples.length) out[p + 2] = b & 0xff;
  }
  return out;
}

/** Format 310: two LE 16-bit words per 3 samples; samples 0/1 in bits 1-10, sample 2 split over bits 11-15. */
function encode310(samples: readonly number[]): Uint8Array {
  const groups = Math.floor(samples.length / 3);
  const rest = samples.length % 3;
  const out = new Uint8Array(4 * groups + [0, 2, 4][rest]);
  for (let k = 0, p = 0; k < samples.length; k += 3, p += 4) {
    const s0 = samples[k] & 0x3ff;
    const s1 = k + 1 < samples.length ? samples[k + 1] & 0x3ff : 0;
    const s2 = k + 2 < samples.length ? samples[k + 2] & 0x3ff : 0;
    const w0 = (s0 << 1) | ((s2 & 0x1f) << 11);
    const w1 = (s1 << 1) | ((s2 >> 5) << 11);
    out[p] = w0 & 0xff;
    out[p + 1] = w0 >> 8;
    if (k + 1 < samples.length) {
      out[p + 2] = w1 & 0xff;
      out[p + 3] = w1 >> 8;
    }
  }
  return out;
}

/** Format 311: one LE 32-bit word per 3 samples, at bits 0-9, 10-19 and 20-29. */
function encode311(samples: readonly number[]): Uint8Array {
  const groups = Math.floor(samples.length / 3);
  const rest = samples.length % 3;
  const out = new Uint8Array(4 * groups + [0, 2, 3][rest]);
  for (let k = 0, p = 0; k < samples.length; k += 3, p += 4) {
    let word = samples[k] & 0x3ff;
    if (k + 1 < samples.length) word |= (samples[k + 1] & 0x3ff) << 10;
    if (k + 2 < samples.length) word |= (samples[k + 2] & 0x3ff) << 20;
    for (let b = 0; b < 4 && p + b < out.length; b++) out[p + b] = (word >>> (8 * b)) & 0xff;
  }
  return out;
}

function encode(format: number, samples: readonly number[]): Uint8Array {
  switch (format) {
    case 16:
      return encode16(samples, true);
    case 61:
      return encode16(samples, false);
    case 80:
      return encode80(samples);
    case 212:
      return encode212(samples);
    case 310:
      return encode310(samples);
    case 311:
      return encode311(samples);
    default:
      throw new Error(`no test writer for format ${format}`);
  }
}

/** Interleaves signals frame by frame (WFDB multiplexing). */
const interleave = (signals: readonly number[][]): number[] => signals[0].flatMap((_, t) => signals.map((s) => s[t]));

/** WFDB's 16-bit checksum of a signal, as a signed number. */
function checksum(values: readonly number[]): number {
  const s = values.reduce((a, b) => (a + b) & 0xffff, 0);
  return s > 32767 ? s - 65536 : s;
}

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
