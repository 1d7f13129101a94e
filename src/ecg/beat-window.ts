import type { BeatNormalization, BeatWindowSpec } from './beat-window-spec';

/** Below this standard deviation (mV) a window is flat: z-scoring only removes its mean. */
const FLAT_STD = 1e-6;

/**
 * Cuts one beat window out of a signal: the span `[center - before, center + after]` seconds,
 * resampled by linear interpolation to `spec.steps` points, then normalized per beat. Samples
 * outside the signal read as 0 (the cleaned signal's resting level).
 *
 * `center` may be fractional; `origin` is the absolute index of `signal[0]`, so a ring or an
 * excerpt of a longer stream can be passed with absolute indices.
 *
 * @example
 * const clean = ecgClean(samples, 360);
 * const w = ecgBeatWindow(clean, 360, 1234, DEFAULT_BEAT_WINDOW); // Float32Array(64), z-scored
 */
export function ecgBeatWindow(
  signal: ArrayLike<number>,
  fs: number,
  center: number,
  spec: BeatWindowSpec,
  out: Float32Array = new Float32Array(spec.steps),
  origin = 0,
): Float32Array {
  const steps = spec.steps;
  if (out.length !== steps) throw new RangeError(`ecgBeatWindow: out must hold ${steps} samples, got ${out.length}`);
  const start = center - spec.before * fs - origin;
  const stride = steps > 1 ? ((spec.before + spec.after) * fs) / (steps - 1) : 0;
  const last = signal.length - 1;
  for (let k = 0; k < steps; k++) {
    const t = start + k * stride;
    const i = Math.floor(t);
    const frac = t - i;
    const a = i >= 0 && i <= last ? signal[i] : 0;
    const b = i + 1 >= 0 && i + 1 <= last ? signal[i + 1] : 0;
    out[k] = a + (b - a) * frac;
  }
  normalizeBeat(out, spec.normalization);
  return out;
}

/**
 * How a window was normalized: `window[k] = (raw[k] - offset) / scale`, so the un-normalized
 * signal (mV) is `window[k] * scale + offset`. Kept because per-beat normalization discards
 * amplitude, which tells a large ectopic beat from a normal one of the same shape.
 */
export interface BeatScaling {
  /** mV subtracted (z-score: the window's mean; min-max: its minimum; none: 0). */
  readonly offset: number;
  /** mV per normalized unit (z-score: the standard deviation; min-max: the range; none or flat: 1). */
  readonly scale: number;
}

/**
 * Normalizes a beat window in place: `zscore` (mean 0, std 1; a flat window only loses its
 * mean), `minmax` (to [0, 1]; a flat window becomes 0), `none`. Returns the offset and scale
 * it used ({@link BeatScaling}).
 *
 * @example
 * const { offset, scale } = normalizeBeat(w, 'zscore'); // w[k] * scale + offset = original
 */
export function normalizeBeat(window: Float32Array, normalization: BeatNormalization): BeatScaling {
  const n = window.length;
  if (normalization === 'none' || n === 0) return { offset: 0, scale: 1 };
  if (normalization === 'zscore') {
    let mean = 0;
    for (let k = 0; k < n; k++) mean += window[k];
    mean /= n;
    let variance = 0;
    for (let k = 0; k < n; k++) variance += (window[k] - mean) ** 2;
    const std = Math.sqrt(variance / n);
    const scale = std > FLAT_STD ? 1 / std : 1;
    for (let k = 0; k < n; k++) window[k] = (window[k] - mean) * scale;
    return { offset: mean, scale: std > FLAT_STD ? std : 1 };
  }
  if (normalization === 'minmax') {
    let min = Infinity;
    let max = -Infinity;
    for (let k = 0; k < n; k++) {
      if (window[k] < min) min = window[k];
      if (window[k] > max) max = window[k];
    }
    const range = max - min;
    for (let k = 0; k < n; k++) window[k] = range > FLAT_STD ? (window[k] - min) / range : 0;
    return { offset: min, scale: range > FLAT_STD ? range : 1 };
  }
  throw new RangeError(`unknown beat normalization "${String(normalization)}"`);
}

/** Checks a window spec, naming the bad field. Returns it unchanged. */
export function validateBeatWindowSpec(spec: BeatWindowSpec): BeatWindowSpec {
  if (!(Number.isFinite(spec.before) && spec.before >= 0)) throw new RangeError(`beat window: before must be >= 0 s, got ${spec.before}`);
  if (!(Number.isFinite(spec.after) && spec.after >= 0)) throw new RangeError(`beat window: after must be >= 0 s, got ${spec.after}`);
  if (!(spec.before + spec.after > 0)) throw new RangeError('beat window: before + after must be positive');
  if (!(Number.isInteger(spec.steps) && spec.steps >= 2))
    throw new RangeError(`beat window: steps must be an integer >= 2, got ${spec.steps}`);
  if (!['zscore', 'minmax', 'none'].includes(spec.normalization))
    throw new RangeError(`beat window: unknown normalization "${String(spec.normalization)}"`);
  return spec;
}
