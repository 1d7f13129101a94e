import { BiquadCascade } from './biquad';

/** Fraction of the target Nyquist frequency kept by the anti-aliasing filter when downsampling. */
export const ANTI_ALIAS_FRACTION = 0.9;

/**
 * Resamples a whole signal from `fromFs` to `toFs` by linear interpolation. When downsampling,
 * a zero-phase (forward-backward) 4th-order Butterworth low-pass at 0.9 x the new Nyquist
 * frequency is applied first so high frequencies do not fold back. Output length is
 * `floor((n - 1) * toFs / fromFs) + 1`; sample k sits at time k / toFs.
 *
 * @example
 * const at250 = ecgResample(record.signals[0].samples, 360, 250);
 */
export function ecgResample(signal: ArrayLike<number>, fromFs: number, toFs: number): Float32Array {
  if (!(fromFs > 0 && toFs > 0)) throw new RangeError(`ecgResample: rates must be positive, got ${fromFs} -> ${toFs}`);
  const n = signal.length;
  if (n === 0) return new Float32Array(0);
  let source: ArrayLike<number> = signal;
  if (toFs < fromFs) source = zeroPhaseLowpass(signal, (ANTI_ALIAS_FRACTION * toFs) / 2, fromFs);
  const length = Math.floor(((n - 1) * toFs) / fromFs) + 1;
  const out = new Float32Array(length);
  const ratio = fromFs / toFs;
  for (let k = 0; k < length; k++) {
    const t = k * ratio;
    const i = Math.min(Math.floor(t), n - 1);
    const frac = t - i;
    const a = source[i];
    const b = i + 1 < n ? source[i + 1] : a;
    out[k] = a + (b - a) * frac;
  }
  return out;
}

/** Forward-backward low-pass (no phase shift), each pass started at the edge value. */
function zeroPhaseLowpass(signal: ArrayLike<number>, cutoff: number, fs: number): Float64Array {
  const n = signal.length;
  const forward = BiquadCascade.butterworth('lowpass', cutoff, fs, 4);
  const y = new Float64Array(n);
  const first = signal[0];
  for (let i = 0; i < n; i++) y[i] = forward.step(signal[i] - first) + first;
  const backward = BiquadCascade.butterworth('lowpass', cutoff, fs, 4);
  const last = y[n - 1];
  for (let i = n - 1; i >= 0; i--) y[i] = backward.step(y[i] - last) + last;
  return y;
}
