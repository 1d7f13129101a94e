/**
 * Streaming IIR filters as cascades of second-order sections (biquads), designed for any sample
 * rate. State lives in a small Float64Array so it carries across chunks and serializes to JSON.
 */

/** Q factors of the second-order sections of a Butterworth filter of order 2 or 4. */
const BUTTERWORTH_Q: Readonly<Record<2 | 4, readonly number[]>> = {
  2: [Math.SQRT1_2],
  4: [0.5411961001461969, 1.3065629648763764],
};

/** Order of a Butterworth design: 2 (one section) or 4 (two sections). */
export type ButterworthOrder = 2 | 4;

/** Serialized form of a {@link BiquadCascade}. */
export interface BiquadCascadeState {
  /** Per section: b0, b1, b2, a1, a2 (a0 normalized to 1). */
  readonly coefficients: number[];
  /** Per section: the two delay elements of the transposed direct form II. */
  readonly state: number[];
}

/**
 * A cascade of biquads in transposed direct form II (the form with the best round-off behaviour
 * in floating point). `step` filters one sample; the state carries over between calls, so
 * filtering a signal in pieces gives exactly the same output as filtering it whole.
 *
 * @example
 * const hp = BiquadCascade.butterworth('highpass', 0.5, 360);
 * const y = signal.map((x) => hp.step(x));
 */
export class BiquadCascade {
  private constructor(
    private readonly coefficients: Float64Array,
    private readonly state: Float64Array,
  ) {}

  /**
   * Designs a Butterworth low-pass or high-pass filter by the bilinear transform (with
   * frequency prewarping, so the -3 dB point lands on `cutoff` at any sample rate).
   *
   * @param kind - `lowpass` or `highpass`
   * @param cutoff - -3 dB frequency in Hz, below fs/2
   * @param fs - sample rate in Hz
   * @param order - 2 or 4 (default 2)
   */
  static butterworth(kind: 'lowpass' | 'highpass', cutoff: number, fs: number, order: ButterworthOrder = 2): BiquadCascade {
    if (!(fs > 0)) throw new RangeError(`fs must be positive, got ${fs}`);
    if (!(cutoff > 0 && cutoff < fs / 2)) throw new RangeError(`cutoff must be in (0, fs/2 = ${fs / 2}) Hz, got ${cutoff}`);
    const qs = BUTTERWORTH_Q[order];
    if (!qs) throw new RangeError(`order must be 2 or 4, got ${order}`);
    const w0 = (2 * Math.PI * cutoff) / fs;
    const cos = Math.cos(w0);
    const sin = Math.sin(w0);
    const coefficients = new Float64Array(5 * qs.length);
    qs.forEach((q, s) => {
      const alpha = sin / (2 * q);
      const a0 = 1 + alpha;
      const b0 = kind === 'lowpass' ? (1 - cos) / 2 : (1 + cos) / 2;
      const b1 = kind === 'lowpass' ? 1 - cos : -(1 + cos);
      coefficients.set([b0 / a0, b1 / a0, b0 / a0, (-2 * cos) / a0, (1 - alpha) / a0], 5 * s);
    });
    return new BiquadCascade(coefficients, new Float64Array(2 * qs.length));
  }

  /** Chains filters: the output of `this` feeds `next` (coefficients copied, state reset). */
  then(next: BiquadCascade): BiquadCascade {
    const coefficients = new Float64Array(this.coefficients.length + next.coefficients.length);
    coefficients.set(this.coefficients);
    coefficients.set(next.coefficients, this.coefficients.length);
    return new BiquadCascade(coefficients, new Float64Array((2 * coefficients.length) / 5));
  }

  /** Filters one sample. */
  step(x: number): number {
    const c = this.coefficients;
    const z = this.state;
    let v = x;
    for (let s = 0, k = 0; k < c.length; s += 2, k += 5) {
      const y = c[k] * v + z[s];
      z[s] = c[k + 1] * v - c[k + 3] * y + z[s + 1];
      z[s + 1] = c[k + 2] * v - c[k + 4] * y;
      v = y;
    }
    return v;
  }

  /** Filters a whole array into a new Float64Array (continuing from the current state). */
  apply(signal: ArrayLike<number>): Float64Array {
    const out = new Float64Array(signal.length);
    for (let i = 0; i < signal.length; i++) out[i] = this.step(signal[i]);
    return out;
  }

  /** Zeroes the state (as if the input had been 0 forever). */
  reset(): void {
    this.state.fill(0);
  }

  /** JSON-serializable state (coefficients included, so a restored filter is exactly this one). */
  toJSON(): BiquadCascadeState {
    return { coefficients: Array.from(this.coefficients), state: Array.from(this.state) };
  }

  /** Restores a filter serialized by {@link BiquadCascade.toJSON}. */
  static fromJSON(s: BiquadCascadeState): BiquadCascade {
    if (!Array.isArray(s?.coefficients) || s.coefficients.length % 5 !== 0 || !Array.isArray(s.state) || s.state.length * 5 !== s.coefficients.length * 2) {
      throw new TypeError('BiquadCascade state: coefficients must hold 5 numbers and state 2 numbers per section');
    }
    return new BiquadCascade(Float64Array.from(s.coefficients), Float64Array.from(s.state));
  }
}

/**
 * A Butterworth band-pass built as a high-pass then a low-pass; the upper edge is clamped below
 * the Nyquist frequency so the same design works from 100 Hz to 1000 Hz.
 */
export function butterworthBandpass(low: number, high: number, fs: number, order: ButterworthOrder = 2): BiquadCascade {
  const top = Math.min(high, 0.45 * fs);
  return BiquadCascade.butterworth('highpass', low, fs, order).then(BiquadCascade.butterworth('lowpass', top, fs, order));
}
