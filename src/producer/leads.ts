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
 * The fewest signed bits that hold every finite sample of a lead at a gain: defined with wire
 * format v2 (`src/contract/wire-v2.ts`), where evaluation cuts records too.
 */
export { leadBits } from '../contract';
