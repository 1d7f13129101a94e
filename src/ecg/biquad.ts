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

/** One second-order section in transposed direct form II, coefficients and state as fields. */
class Biquad {
  z1 = 0;
  z2 = 0;
  constructor(
    readonly b0: number,
    readonly b1: number,
    readonly b2: number,
    readonly a1: number,
    readonly a2: number,
  ) {}

  step(x: number): number {
    const y = this.b0 * x + this.z1;
    this.z1 = this.b1 * x - this.a1 * y + this.z2;
    this.z2 = this.b2 * x - this.a2 * y;
    return y;
  }
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
  // The first two sections are held apart so the common one- and two-section filters run
  // without a loop (this is the per-sample hot path of QRS detection).
  private readonly first: Biquad;
  private readonly second: Biquad | null;
  private readonly rest: Biquad[];

  private constructor(private readonly sections: Biquad[]) {
    this.first = sections[0];
    this.second = sections.length > 1 ? sections[1] : null;
    this.rest = sections.slice(2);
  }

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
    return new BiquadCascade(
      qs.map((q) => {
        const alpha = sin / (2 * q);
        const a0 = 1 + alpha;
        const b0 = kind === 'lowpass' ? (1 - cos) / 2 : (1 + cos) / 2;
        const b1 = kind === 'lowpass' ? 1 - cos : -(1 + cos);
        return new Biquad(b0 / a0, b1 / a0, b0 / a0, (-2 * cos) / a0, (1 - alpha) / a0);
      }),
    );
  }

  /** Chains filters: the output of `this` feeds `next` (coefficients copied, state reset). */
  then(next: BiquadCascade): BiquadCascade {
    return new BiquadCascade([...this.sections, ...next.sections].map((s) => new Biquad(s.b0, s.b1, s.b2, s.a1, s.a2)));
  }

  /** Filters one sample. */
  step(x: number): number {
    let v = this.first.step(x);
    if (this.second !== null) v = this.second.step(v);
    for (let k = 0; k < this.rest.length; k++) v = this.rest[k].step(v);
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
    for (const s of this.sections) {
      s.z1 = 0;
      s.z2 = 0;
    }
  }

  /** JSON-serializable state (coefficients included, so a restored filter is exactly this one). */
  toJSON(): BiquadCascadeState {
    return {
      coefficients: this.sections.flatMap((s) => [s.b0, s.b1, s.b2, s.a1, s.a2]),
      state: this.sections.flatMap((s) => [s.z1, s.z2]),
    };
  }

  /** Restores a filter serialized by {@link BiquadCascade.toJSON}. */
  static fromJSON(s: BiquadCascadeState): BiquadCascade {
    const c = s?.coefficients;
    const z = s?.state;
    if (
      !Array.isArray(c) ||
      c.length === 0 ||
      c.length % 5 !== 0 ||
      !Array.isArray(z) ||
      z.length * 5 !== c.length * 2 ||
      ![...c, ...z].every((v) => typeof v === 'number')
    ) {
      throw new TypeError('BiquadCascade state: coefficients must hold 5 numbers and state 2 numbers per section');
    }
    const sections: Biquad[] = [];
    for (let k = 0; k < c.length / 5; k++) {
      const section = new Biquad(c[5 * k], c[5 * k + 1], c[5 * k + 2], c[5 * k + 3], c[5 * k + 4]);
      section.z1 = z[2 * k];
      section.z2 = z[2 * k + 1];
      sections.push(section);
    }
    return new BiquadCascade(sections);
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
