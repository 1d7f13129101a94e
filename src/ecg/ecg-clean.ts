import { butterworthBandpass, type BiquadCascade } from './biquad';

/** Options of {@link ecgClean} and {@link createEcgCleaner}. */
export interface EcgCleanOptions {
  /** High-pass edge in Hz: removes baseline wander (breathing, electrode motion). Default 0.5. */
  readonly low?: number;
  /** Low-pass edge in Hz: removes muscle noise while keeping the QRS shape. Default 40 (clamped below fs/2). */
  readonly high?: number;
}

/** Default morphology band: 0.5-40 Hz keeps P, QRS and T shapes and drops baseline wander. */
export const DEFAULT_CLEAN_BAND: Readonly<{ low: number; high: number }> = Object.freeze({ low: 0.5, high: 40 });

/**
 * The streaming morphology filter (band-pass {@link DEFAULT_CLEAN_BAND}, causal Butterworth).
 * Beat windows are cut from its output.
 */
export function createEcgCleaner(fs: number, options: EcgCleanOptions = {}): BiquadCascade {
  return butterworthBandpass(options.low ?? DEFAULT_CLEAN_BAND.low, options.high ?? DEFAULT_CLEAN_BAND.high, fs);
}

/**
 * Delay in samples of the cleaner's low-pass at low frequencies (sqrt(2) / (2 pi fc) seconds for a
 * second-order Butterworth), rounded: R peaks located on the cleaned signal are shifted back by it.
 */
export function ecgCleanDelay(fs: number, options: EcgCleanOptions = {}): number {
  const high = Math.min(options.high ?? DEFAULT_CLEAN_BAND.high, 0.45 * fs);
  return Math.round((fs * Math.SQRT2) / (2 * Math.PI * high));
}

/**
 * Removes baseline wander and high-frequency noise from a whole signal (causal, the same filter
 * the streaming path uses). The signal is taken relative to its first sample so the filter
 * starts as if that level had lasted forever (no start-up transient).
 *
 * @example
 * const clean = ecgClean(record.signals[0].samples, record.fs);
 */
export function ecgClean(signal: ArrayLike<number>, fs: number, options: EcgCleanOptions = {}): Float64Array {
  const filter = createEcgCleaner(fs, options);
  const out = new Float64Array(signal.length);
  const offset = signal.length > 0 ? signal[0] : 0;
  for (let i = 0; i < signal.length; i++) out[i] = filter.step(signal[i] - offset);
  return out;
}
