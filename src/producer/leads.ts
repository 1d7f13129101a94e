import { MAX_SAMPLE_BITS, MIN_SAMPLE_BITS } from '../contract/wire-v2';

/** Resolution used when a recording states none (a CSV in mV): 1 µV, i.e. 1000 ADC units per mV. */
export const DEFAULT_PRODUCER_GAIN = 1000;

/**
 * The gain (ADC units per mV) to send a lead at: the caller's, else the file's, else
 * {@link DEFAULT_PRODUCER_GAIN}.
 *
 * @example
 * leadGain(readEcgFile('data/mitdb/100').leads[0]); // 200
 */
export function leadGain(lead: { readonly gain?: number }, override?: number): number {
  return override ?? lead.gain ?? DEFAULT_PRODUCER_GAIN;
}

/**
 * The fewest signed bits that hold every finite sample of a lead at `gain` (at least 2). Throws a
 * `RangeError` when 24 bits are not enough (a gain far finer than any ECG front end).
 *
 * @example
 * leadBits(Float32Array.of(-0.145, 2.5), 200); // 10: 500 adu needs 10 signed bits
 */
export function leadBits(samples: ArrayLike<number>, gain: number): number {
  let max = 0;
  for (let i = 0; i < samples.length; i++) {
    const x = samples[i];
    if (!Number.isFinite(x)) continue;
    const q = Math.round(x * gain);
    // A negative value -m needs as many bits as m - 1 does when positive.
    const m = q < 0 ? -q - 1 : q;
    if (m > max) max = m;
  }
  const bits = Math.max(MIN_SAMPLE_BITS, Math.ceil(Math.log2(max + 1)) + 1);
  if (bits > MAX_SAMPLE_BITS) throw new RangeError(`samples at gain ${gain} need ${bits} bits, at most ${MAX_SAMPLE_BITS} allowed`);
  return bits;
}
