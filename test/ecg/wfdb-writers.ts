/**
 * Writers for each WFDB signal format, written from the signal(5) descriptions: the reader is
 * checked against these (test/ecg/wfdb-formats.test.ts), and the commands are given records in
 * every format with them (test/cli).
 */

/** Format 16 (little-endian) or 61 (big-endian) 16-bit two's complement. */
export function encode16(samples: readonly number[], littleEndian: boolean): Uint8Array {
  const out = new Uint8Array(samples.length * 2);
  const view = new DataView(out.buffer);
  samples.forEach((v, i) => view.setInt16(2 * i, v, littleEndian));
  return out;
}

/** Format 80: offset binary, unsigned byte = value + 128. */
export function encode80(samples: readonly number[]): Uint8Array {
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
export function encode310(samples: readonly number[]): Uint8Array {
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

export function encode(format: number, samples: readonly number[]): Uint8Array {
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
export const interleave = (signals: readonly number[][]): number[] => signals[0].flatMap((_, t) => signals.map((s) => s[t]));

/** WFDB's 16-bit checksum of a signal, as a signed number. */
export function checksum(values: readonly number[]): number {
  const s = values.reduce((a, b) => (a + b) & 0xffff, 0);
  return s > 32767 ? s - 65536 : s;
}
