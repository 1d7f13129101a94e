/**
 * A streaming signal-quality index (SQI) from the ECG itself, no labels: each whole second of
 * signal (a block of `round(fs)` samples, counted from the stream's first sample) gets one
 * verdict. Low-quality signal is a main cause of false arrhythmia alarms at the bedside
 * (Drew et al., "Insights into the problem of alarm fatigue with physiologic monitor devices",
 * PLoS ONE 9(10): e110274, 2014), so the detector leaves beats of bad seconds out of scoring and
 * raises technical alerts on bad stretches that last.
 *
 * The measures, and why each one:
 * - **flat** (lead off): the range of the second is at most `flatRangeMv`. A disconnected
 *   electrode gives an exactly constant (or rail) value; even an asystolic heart leaves baseline
 *   drift and amplifier noise above one ADC step (MIT-BIH: 5 µV) in a whole second.
 * - **saturated** (clipping): at least `saturationFraction` of the second sits in plateaus of
 *   identical values (at least `plateauSeconds` long) at the second's own minimum or maximum: an
 *   amplifier at its rail. Real ECG never holds its extreme sample value for 40 ms.
 * - **noisy** (muscle, electrode motion): the kurtosis of the first difference is below
 *   `noiseKurtosis`. Clean ECG is spiky (its slope energy is in the QRS: kurtosis well above 5);
 *   noise spreads it over the second (Gaussian: 3). This is the kSQI of Li, Mark and Clifford
 *   ("Robust heart rate estimation from multiple asynchronous noisy sources using signal quality
 *   indices and a Kalman filter", Physiological Measurement 29(1):15-32, 2008: kurtosis > 5 for
 *   clean ECG), taken on the first difference so baseline wander does not mask it. It also
 *   requires a high mean frequency of the first difference (sqrt(E[d2²]/E[d1²]) · fs / 2π at least
 *   `noiseFrequencyHz`): ventricular flutter/fibrillation (a 3-9 Hz oscillation, not spiky either)
 *   stays out of the noise class and still reaches the rhythm rules.
 * - **wander**: the mean moved by more than `wanderMvPerSecond` since the previous second
 *   (electrode motion, breathing). Flagged, but the QRS detector high-passes it away, so it
 *   never gates beats: they are scored, but the detector's alert policy does not take a beat
 *   next to a wander second as evidence for an alert (motion distorts complexes).
 *
 * Chunk-invariant (the verdicts depend only on sample positions, not on how the stream was
 * split), JSON state, typed arrays, no allocation per sample.
 */

/** Verdict of one second, worst first. */
export type SecondQuality = 'flat' | 'saturated' | 'noisy' | 'wander' | 'good';

/** Options of {@link SignalQualityIndex}; every field has a documented default. */
export interface SignalQualityOptions {
  /** Sampling rate, Hz (a second = `round(fs)` samples). */
  readonly fs: number;
  /** A second whose range (max - min) is at most this is flat, mV. Default 0.005 (one MIT-BIH ADC step). */
  readonly flatRangeMv?: number;
  /** Shortest plateau of identical samples counted as clipping, s. Default 0.04. */
  readonly plateauSeconds?: number;
  /** Fraction of a second in plateaus at its extremes that makes it saturated. Default 0.2. */
  readonly saturationFraction?: number;
  /** Kurtosis of the first difference below which a second is noisy. Default 5 (Li et al. 2008). */
  readonly noiseKurtosis?: number;
  /** Mean frequency of d1 at or above which a non-spiky second is noise (not flutter), Hz. Default 15. */
  readonly noiseFrequencyHz?: number;
  /** Move of the 1 s mean, mV, flagged as wander. Default 1. */
  readonly wanderMvPerSecond?: number;
}

/** Defaults of {@link SignalQualityOptions}. */
export const DEFAULT_SQI_OPTIONS = Object.freeze({
  flatRangeMv: 0.005,
  plateauSeconds: 0.04,
  saturationFraction: 0.2,
  noiseKurtosis: 5,
  noiseFrequencyHz: 15,
  wanderMvPerSecond: 1,
});

/** One second's measures and verdict. */
export interface SecondSqi {
  /** Second index from the stream's first sample (samples `index*round(fs)` to `(index+1)*round(fs)-1`). */
  readonly index: number;
  readonly quality: SecondQuality;
  /** max - min, mV. */
  readonly range: number;
  /** Fraction of samples in plateaus at the extremes. */
  readonly plateau: number;
  /** Kurtosis of the first difference (3 for Gaussian noise). */
  readonly kurtosis: number;
  /** Mean frequency of the first difference, Hz. */
  readonly frequencyHz: number;
  /** |mean - previous second's mean|, mV (0 for the first second). */
  readonly drift: number;
}

/** Plain-JSON state of a {@link SignalQualityIndex}. */
export interface SignalQualityState {
  readonly fs: number;
  readonly options: Required<Omit<SignalQualityOptions, 'fs'>>;
  /** Whole seconds completed. */
  readonly seconds: number;
  /** Samples of the current, incomplete second. */
  readonly partial: number[];
  /** Last sample of the previous second (null before the first). */
  readonly prev: number | null;
  /** Mean of the previous second (null before the first). */
  readonly prevMean: number | null;
}

/**
 * Per-second signal quality of one stream.
 *
 * @example
 * const sqi = new SignalQualityIndex({ fs: 360 });
 * for (const chunk of chunks) for (const s of sqi.push(chunk)) if (s.quality === 'flat') leadOff(s.index);
 */
export class SignalQualityIndex {
  readonly fs: number;
  readonly block: number;
  private readonly o: Required<Omit<SignalQualityOptions, 'fs'>>;
  private readonly buf: Float32Array;
  private fill = 0;
  private seconds = 0;
  private prev: number | null = null;
  private prevMean: number | null = null;

  constructor(options: SignalQualityOptions) {
    if (!(options.fs > 0) || !Number.isFinite(options.fs)) throw new RangeError(`SignalQualityIndex: fs must be > 0, got ${options.fs}`);
    this.fs = options.fs;
    this.block = Math.max(2, Math.round(options.fs));
    this.o = {
      flatRangeMv: options.flatRangeMv ?? DEFAULT_SQI_OPTIONS.flatRangeMv,
      plateauSeconds: options.plateauSeconds ?? DEFAULT_SQI_OPTIONS.plateauSeconds,
      saturationFraction: options.saturationFraction ?? DEFAULT_SQI_OPTIONS.saturationFraction,
      noiseKurtosis: options.noiseKurtosis ?? DEFAULT_SQI_OPTIONS.noiseKurtosis,
      noiseFrequencyHz: options.noiseFrequencyHz ?? DEFAULT_SQI_OPTIONS.noiseFrequencyHz,
      wanderMvPerSecond: options.wanderMvPerSecond ?? DEFAULT_SQI_OPTIONS.wanderMvPerSecond,
    };
    this.buf = new Float32Array(this.block);
  }

  /** Seconds completed so far. */
  get completed(): number {
    return this.seconds;
  }

  /** Feeds samples (mV); returns the seconds completed by them, in order. */
  push(chunk: ArrayLike<number>): SecondSqi[] {
    const out: SecondSqi[] = [];
    for (let i = 0; i < chunk.length; i++) {
      this.buf[this.fill++] = chunk[i];
      if (this.fill === this.block) {
        out.push(this.assess());
        this.fill = 0;
      }
    }
    return out;
  }

  /** Judges the full block in `buf`. */
  private assess(): SecondSqi {
    const x = this.buf;
    const n = this.block;
    const o = this.o;
    let min = x[0];
    let max = x[0];
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const v = x[i];
      if (v < min) min = v;
      if (v > max) max = v;
      sum += v;
    }
    const mean = sum / n;
    const range = max - min;

    // Plateaus at the extremes: runs of identical samples, counted when long enough.
    const minRun = Math.max(2, Math.round(o.plateauSeconds * this.fs));
    let plateauSamples = 0;
    let runStart = 0;
    for (let i = 1; i <= n; i++) {
      if (i < n && x[i] === x[runStart]) continue;
      const length = i - runStart;
      if (length >= minRun && (x[runStart] === max || x[runStart] === min)) plateauSamples += length;
      runStart = i;
    }

    // First and second differences; the previous second's last sample makes d1[0] chunk-free.
    // Two passes (mean, then central moments) keep the kurtosis exact without a buffer.
    let last = this.prev ?? x[0];
    let sumD = 0;
    for (let i = 0; i < n; i++) {
      sumD += x[i] - last;
      last = x[i];
    }
    const meanD = sumD / n;
    let e1 = 0;
    let e2 = 0;
    let m2 = 0;
    let m4 = 0;
    last = this.prev ?? x[0];
    let lastD = 0;
    for (let i = 0; i < n; i++) {
      const d = x[i] - last;
      const c = (d - meanD) * (d - meanD);
      m2 += c;
      m4 += c * c;
      e1 += d * d;
      if (i > 0) e2 += (d - lastD) * (d - lastD);
      lastD = d;
      last = x[i];
    }
    m2 /= n;
    m4 /= n;
    const kurtosis = m2 > 0 ? m4 / (m2 * m2) : 0;
    const frequencyHz = e1 > 0 ? (Math.sqrt(e2 / e1) * this.fs) / (2 * Math.PI) : 0;
    const drift = this.prevMean === null ? 0 : Math.abs(mean - this.prevMean);
    const plateau = plateauSamples / n;

    let quality: SecondQuality = 'good';
    if (range <= o.flatRangeMv) quality = 'flat';
    else if (plateau >= o.saturationFraction) quality = 'saturated';
    else if (kurtosis < o.noiseKurtosis && frequencyHz >= o.noiseFrequencyHz) quality = 'noisy';
    else if (drift >= o.wanderMvPerSecond) quality = 'wander';

    this.prev = x[n - 1];
    this.prevMean = mean;
    return { index: this.seconds++, quality, range, plateau, kurtosis, frequencyHz, drift };
  }

  /** Plain-JSON state (the incomplete second's samples included). */
  toJSON(): SignalQualityState {
    return {
      fs: this.fs,
      options: { ...this.o },
      seconds: this.seconds,
      partial: Array.from(this.buf.subarray(0, this.fill)),
      prev: this.prev,
      prevMean: this.prevMean,
    };
  }

  /** Rebuilds an index from {@link SignalQualityIndex.toJSON} output. */
  static fromJSON(state: SignalQualityState): SignalQualityIndex {
    const s = new SignalQualityIndex({ fs: state.fs, ...state.options });
    if (state.partial.length >= s.block) throw new TypeError('SignalQualityIndex state: partial second longer than a second');
    s.buf.set(state.partial);
    s.fill = state.partial.length;
    s.seconds = state.seconds;
    s.prev = state.prev;
    s.prevMean = state.prevMean;
    return s;
  }
}

/** Whether a second's quality is too poor to score beats in (wander alone is not). */
export function isPoorQuality(q: SecondQuality): boolean {
  return q === 'flat' || q === 'saturated' || q === 'noisy';
}

/** One letter per verdict, for compact per-second histories in JSON states. */
export const SECOND_QUALITY_CODE: Readonly<Record<SecondQuality, string>> = Object.freeze({
  good: 'g',
  wander: 'w',
  flat: 'f',
  saturated: 's',
  noisy: 'n',
});

/** The verdict of a {@link SECOND_QUALITY_CODE} letter (undefined for any other character). */
export function secondQualityOf(code: string): SecondQuality | undefined {
  return (Object.keys(SECOND_QUALITY_CODE) as SecondQuality[]).find((q) => SECOND_QUALITY_CODE[q] === code);
}

/**
 * When poor seconds make a poor stretch of a signal (a technical episode, docs/ARCHITECTURE.md
 * §3.3): `onsetSeconds` poor seconds among the last `windowSeconds` (`noiseOnsetSeconds` when
 * most of them are noisy: noise comes and goes in clean records too) open it, `offsetSeconds`
 * acceptable seconds in a row close it.
 */
export interface PoorStretchRule {
  readonly windowSeconds: number;
  readonly onsetSeconds: number;
  readonly noiseOnsetSeconds: number;
  readonly offsetSeconds: number;
}

/** 6 poor seconds of the last 10 (9 when noise), cleared after 5 acceptable ones. */
export const DEFAULT_POOR_STRETCH: PoorStretchRule = Object.freeze({
  windowSeconds: 10,
  onsetSeconds: 6,
  noiseOnsetSeconds: 9,
  offsetSeconds: 5,
});

/**
 * Whether the latest seconds open a poor stretch, and of what: `codes` are the
 * {@link SECOND_QUALITY_CODE} letters of the seconds so far (the last is the newest, and must be
 * poor for a stretch to open on it). Returns the worst kind present most often (flat, then
 * saturated, then noisy on ties) and where in the window the first poor second is, or null.
 *
 * @example
 * poorStretchOnset('ggffffffgf', DEFAULT_POOR_STRETCH); // { quality: 'flat', firstPoor: 2, window: 10 }
 */
export function poorStretchOnset(
  codes: string,
  rule: PoorStretchRule,
): { quality: 'flat' | 'saturated' | 'noisy'; firstPoor: number; window: number } | null {
  const window = codes.slice(-rule.windowSeconds);
  const counts = { f: 0, s: 0, n: 0 };
  let firstPoor = -1;
  for (let i = 0; i < window.length; i++) {
    const c = window[i] as 'f' | 's' | 'n';
    if (c in counts) {
      counts[c]++;
      if (firstPoor < 0) firstPoor = i;
    }
  }
  const poor = counts.f + counts.s + counts.n;
  if (poor < rule.onsetSeconds) return null;
  const quality = counts.f >= counts.s && counts.f >= counts.n ? 'flat' : counts.s >= counts.n ? 'saturated' : 'noisy';
  if (quality === 'noisy' && poor < rule.noiseOnsetSeconds) return null;
  return { quality, firstPoor, window: window.length };
}
