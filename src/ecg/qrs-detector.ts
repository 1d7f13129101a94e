import { QrsPeakFinder, type QrsPeakFinderState } from './qrs-peak-finder';
import { resolveQrsOptions, type QrsOptions } from './qrs-options';

/** Format version of {@link QrsDetectorState}. */
export const QRS_STATE_VERSION = 1;

/** Most pending peaks kept (learning period, search-back and re-learning candidates). */
const MAX_PENDING = 32;
/** Running-average weight of a new peak in the signal, noise and slope levels (Pan-Tompkins' 1/8). */
const LEVEL_WEIGHT = 0.125;
/** Weight of a beat found by search-back in the signal level (Pan-Tompkins' 1/4). */
const SEARCH_BACK_WEIGHT = 0.25;
/**
 * For the first few beats after the levels were (re)learned, a beat this many times above the
 * signal level replaces it: the learned level came from noise (no QRS in the learning span).
 */
const WARM_UP_BEATS = 4;
const WARM_UP_JUMP = 3;
/**
 * Re-learning lowers the signal level at most by this factor per `relearnAfter`: a pause (sick
 * sinus, AV block) must not turn its largest T wave or noise peak into a beat, while a real drop
 * of amplitude is followed within a few cycles.
 */
const RELEARN_DECAY = 0.5;
/**
 * Once the levels are established, one peak moves them at most as far as a peak this many times
 * the signal level would: an artifact (a lead off, an absurd sample) then raises the threshold
 * by a bounded factor, and the detector follows real beats again within a few seconds, instead
 * of staying blind until many re-learnings have halved a level set by the artifact.
 */
const LEVEL_CAP = 3;

/** Serialized {@link QrsDetector}: small (a few hundred numbers at 360 Hz) and plain JSON. */
export interface QrsDetectorState {
  readonly version: number;
  readonly options: QrsOptions;
  readonly finder: QrsPeakFinderState;
  readonly learning: boolean;
  /** Sum of the integrated signal over the learning period (its mean sets the initial noise level). */
  readonly learnSum: number;
  readonly signalLevel: number;
  readonly noiseLevel: number;
  readonly slopeLevel: number;
  /** Steepest slope of the last accepted beat (absent in states saved before it was kept: the slope level). */
  readonly lastSlope?: number;
  readonly lastBeat: number;
  readonly quietSince: number;
  readonly beatsSinceRestart: number;
  readonly lastR: number;
  readonly rr: number[];
  readonly rrCount: number;
  /** Pending peaks: integrated-signal index, height, slope, R index (4 numbers each). */
  readonly pending: number[];
}

/**
 * Streaming QRS detector of the Pan-Tompkins/Hamilton class, for 100-1000 Hz.
 *
 * Pipeline: {@link QrsPeakFinder} (band-pass 5-15 Hz, derivative, |.|, moving-window integration,
 * peaks that are the maximum within +/- the refractory period), then adaptive thresholds on peak
 * height (running signal and noise levels), T-wave discrimination by slope, search-back for
 * missed beats after `searchBackFactor` mean RR intervals at a lower threshold, and re-learning
 * of the levels after `relearnAfter` seconds without a beat. The first `learningPeriod` seconds
 * set the initial levels; their peaks are then classified like any other, so the first beats
 * are not lost.
 *
 * Chunk invariance: all processing is per sample, so any split of a signal into chunks yields
 * exactly the same R peaks as the whole. Beats are reported once confirmed, about `refractory`
 * seconds after the QRS (later for a beat found by search-back, at most {@link maxLatency});
 * indices are absolute sample indices (the first sample ever pushed is 0), ascending across
 * calls.
 *
 * @example
 * const det = new QrsDetector({ fs: 360 });
 * for (const chunk of chunks) for (const r of det.push(chunk)) console.log('beat at', r);
 * const saved = JSON.stringify(det);            // move to durable storage
 * const again = QrsDetector.fromJSON(JSON.parse(saved));
 */
export class QrsDetector {
  /** The resolved options. */
  readonly options: QrsOptions;
  private readonly finder: QrsPeakFinder;
  private learning: boolean;
  private learnSum: number;
  private signalLevel: number;
  private noiseLevel: number;
  /** Running average of the steepest slope of accepted beats (mV/s). */
  private slopeLevel: number;
  /** Steepest slope of the last accepted beat (mV/s; 0 before one). */
  private lastSlope: number;
  /** Integrated-signal index of the last beat, -1 before the first. */
  private lastBeat: number;
  /** Integrated-signal index since which no beat was accepted and no re-learning happened. */
  private quietSince: number;
  /** Beats accepted since the levels were last (re)learned. */
  private beatsSinceRestart: number;
  private lastR: number;
  private readonly rr: Float64Array;
  private rrCount: number;
  private readonly pending: Float64Array;
  private pendingCount: number;
  private readonly learnEnd: number;
  private readonly tWaveSamples: number;
  private readonly relearnSamples: number;
  /** Samples after the last beat at which search-back starts (from the mean RR; Infinity before one is known). */
  private searchBackAfter = Infinity;
  private out: number[] = [];
  /** Where {@link QrsDetector.pushRange} puts each reported R peak's height (null: not asked). */
  private outHeights: number[] | null = null;

  constructor(options: { fs: number } & Partial<QrsOptions>, state?: QrsDetectorState) {
    this.options = resolveQrsOptions(options);
    const fs = this.options.fs;
    this.finder = new QrsPeakFinder(this.options, state?.finder);
    this.learnEnd = Math.round(this.options.learningPeriod * fs);
    this.tWaveSamples = Math.round(this.options.tWaveWindow * fs);
    this.relearnSamples = Math.round(this.options.relearnAfter * fs);
    this.rr = new Float64Array(this.options.rrHistory);
    this.pending = new Float64Array(4 * MAX_PENDING);
    if (state) {
      this.learning = state.learning;
      this.learnSum = state.learnSum;
      this.signalLevel = state.signalLevel;
      this.noiseLevel = state.noiseLevel;
      this.slopeLevel = state.slopeLevel;
      this.lastSlope = state.lastSlope ?? state.slopeLevel;
      this.lastBeat = state.lastBeat;
      this.quietSince = state.quietSince;
      this.beatsSinceRestart = state.beatsSinceRestart;
      this.lastR = state.lastR;
      if (!Array.isArray(state.rr) || state.rr.length !== this.rr.length)
        throw new TypeError(`QrsDetector state: rr must hold ${this.rr.length} numbers`);
      this.rr.set(state.rr);
      this.rrCount = state.rrCount;
      if (!Array.isArray(state.pending) || state.pending.length % 4 !== 0 || state.pending.length > this.pending.length) {
        throw new TypeError(`QrsDetector state: pending must hold 4 numbers per peak, at most ${MAX_PENDING} peaks`);
      }
      this.pending.set(state.pending);
      this.pendingCount = state.pending.length / 4;
      this.updateSearchBack();
    } else {
      this.learning = true;
      this.learnSum = 0;
      this.signalLevel = 0;
      this.noiseLevel = 0;
      this.slopeLevel = 0;
      this.lastSlope = 0;
      this.lastBeat = -1;
      this.quietSince = 0;
      this.beatsSinceRestart = 0;
      this.lastR = -1;
      this.rrCount = 0;
      this.pendingCount = 0;
    }
  }

  /** Restores a detector from {@link QrsDetector.toJSON} output. */
  static fromJSON(state: QrsDetectorState): QrsDetector {
    if (state?.version !== QRS_STATE_VERSION)
      throw new TypeError(`QrsDetector state: unknown version ${String(state?.version)} (expected ${QRS_STATE_VERSION})`);
    return new QrsDetector(state.options, state);
  }

  /** Samples consumed so far. */
  get consumed(): number {
    return this.finder.consumed;
  }

  /**
   * Upper bound, in samples, of how far back from the newest sample a newly reported R peak can
   * lie (re-learning, search-back or the learning period, plus locating). Consumers that keep
   * signal to cut windows size their buffers from it.
   */
  get maxLatency(): number {
    const o = this.options;
    const locate = o.refractory + o.integrationWindow + o.locateMargin;
    return Math.ceil((Math.max(o.relearnAfter, o.searchBackFactor * o.rrBounds[1], o.learningPeriod) + locate) * o.fs) + 8;
  }

  /**
   * Feeds samples (mV) and returns the R peaks (absolute sample indices, ascending) confirmed
   * by them. The returned array is fresh; the detector keeps no reference to it.
   */
  push(chunk: ArrayLike<number>): number[] {
    return this.pushRange(chunk, 0, chunk.length);
  }

  /**
   * {@link QrsDetector.push} of `chunk[start..end)` without copying it. When `cleaned` is given,
   * the cleaned signal (`createEcgCleaner`'s band; the detector computes it anyway to locate
   * R peaks) is written to `cleaned[0..end-start)`, so a beat segmenter need not filter again.
   * When `heights` is given, each reported R peak's height on the integrated signal (its QRS
   * energy in the detection band, the measure the thresholds compare) is appended to it, in order.
   */
  pushRange(chunk: ArrayLike<number>, start: number, end: number, cleaned?: Float32Array, heights?: number[]): number[] {
    const found: number[] = [];
    this.out = found;
    this.outHeights = heights ?? null;
    const finder = this.finder;
    for (let i = start; i < end; i++) {
      if (finder.step(chunk[i])) this.onPeak(finder.peakIndex, finder.peakHeight, finder.peakSlope, finder.peakR);
      if (cleaned !== undefined) cleaned[i - start] = finder.cleaned;
      if (this.learning) {
        this.learnSum += finder.integrated;
        if (finder.consumed >= this.learnEnd) this.endLearning(finder.consumed);
      } else {
        // Every peak up to `examined` has been classified.
        const examined = finder.consumed - 1 - finder.latency;
        if (examined - this.quietSince > this.relearnSamples) this.relearn(examined);
        else if (examined - this.lastBeat > this.searchBackAfter && this.pendingCount > 0) this.searchBack();
      }
    }
    return found;
  }

  /**
   * Ends the stream: continues the signal at its last value for a refractory period plus an
   * integration window, so a beat in the final fraction of a second is confirmed, and returns
   * the beats this confirms. Use it once at the end of a finite recording; a live stream never
   * ends.
   */
  flush(): number[] {
    return this.push(new Float64Array(this.flushLength).fill(this.finder.lastInput));
  }

  /** Samples {@link QrsDetector.flush} appends. */
  get flushLength(): number {
    const o = this.options;
    return Math.ceil((o.refractory + o.integrationWindow + o.locateMargin) * o.fs) + 1;
  }

  /** The last sample pushed (0 before any). */
  get lastInput(): number {
    return this.finder.lastInput;
  }

  /** Classifies a confirmed peak of the integrated signal (held during learning). */
  private onPeak(p: number, height: number, slope: number, r: number): void {
    if (this.learning) {
      if (this.pendingCount < MAX_PENDING) this.addPending(p, height, slope, r);
      return;
    }
    this.classify(p, height, slope, r);
  }

  private classify(p: number, height: number, slope: number, r: number): void {
    if (height > this.threshold() && !this.isTWave(p, slope)) {
      this.acceptBeat(p, height, slope, r, LEVEL_WEIGHT);
      return;
    }
    this.noiseLevel += LEVEL_WEIGHT * (this.capped(height) - this.noiseLevel);
    if (this.pendingCount === MAX_PENDING) this.dropPending(1);
    this.addPending(p, height, slope, r);
  }

  /** A peak's height as the level updates see it (see {@link LEVEL_CAP}). */
  private capped(height: number): number {
    return this.signalLevel > 0 && this.beatsSinceRestart >= WARM_UP_BEATS ? Math.min(height, LEVEL_CAP * this.signalLevel) : height;
  }

  private threshold(): number {
    return this.noiseLevel + this.options.thresholdFraction * (this.signalLevel - this.noiseLevel);
  }

  /**
   * A peak soon after a beat, much flatter than that beat and than the beats so far, is that
   * beat's T wave. Pan-Tompkins compare with the previous QRS alone; the running slope level keeps
   * a steep artefact from making the next real beat a T wave. Comparing with the slope level alone
   * called the second beat of a ventricular run a T wave: wide ventricular beats are flat, so
   * the next one is as flat as the beat before it, though much flatter than the sinus beats
   * the level learned (MIT-BIH 205 at 927.7 s: a VT run lost a beat).
   */
  private isTWave(p: number, slope: number): boolean {
    const reference = Math.min(this.lastSlope, this.slopeLevel);
    return this.lastBeat >= 0 && p - this.lastBeat < this.tWaveSamples && slope < this.options.tWaveSlopeRatio * reference;
  }

  private acceptBeat(p: number, height: number, slope: number, r: number, weight: number): void {
    if (this.beatsSinceRestart < WARM_UP_BEATS && height > WARM_UP_JUMP * this.signalLevel) {
      this.signalLevel = height;
      this.slopeLevel = slope;
    } else {
      this.signalLevel += weight * (this.capped(height) - this.signalLevel);
      this.slopeLevel = this.slopeLevel === 0 ? slope : this.slopeLevel + LEVEL_WEIGHT * (slope - this.slopeLevel);
    }
    this.lastSlope = slope;
    this.beatsSinceRestart++;
    if (this.lastBeat >= 0) {
      this.rr[this.rrCount % this.rr.length] = p - this.lastBeat;
      this.rrCount++;
      this.updateSearchBack();
    }
    this.lastBeat = p;
    this.quietSince = p;
    this.pendingCount = 0;
    if (r > this.lastR) {
      this.lastR = r;
      this.out.push(r);
      this.outHeights?.push(height);
    }
  }

  /** At the end of the learning period: initial levels, then classify the peaks it held. */
  private endLearning(samples: number): void {
    this.learning = false;
    // As Pan-Tompkins: signal level from the highest peak, noise level half the mean level.
    this.noiseLevel = (0.5 * this.learnSum) / Math.max(1, samples);
    this.restartLevels(this.maxPendingHeight(), samples - 1 - this.finder.latency);
  }

  /**
   * No beat for `relearnAfter`: the levels may no longer describe the signal (an artifact set
   * them, the amplitude dropped). Lower them towards the peaks seen since (by at most
   * {@link RELEARN_DECAY}, so a long pause does not make its largest T wave a beat) and classify
   * those peaks anew.
   */
  private relearn(examined: number): void {
    const highest = this.maxPendingHeight();
    this.noiseLevel = Math.min(this.noiseLevel, 0.5 * highest);
    this.restartLevels(Math.max(Math.min(highest, LEVEL_CAP * this.signalLevel), RELEARN_DECAY * this.signalLevel), examined);
  }

  /** Sets the signal level, then classifies the pending peaks in order. */
  private restartLevels(signalLevel: number, now: number): void {
    this.signalLevel = signalLevel;
    this.quietSince = now;
    this.beatsSinceRestart = 0;
    const count = this.pendingCount;
    const held = Array.from(this.pending.subarray(0, 4 * count));
    this.pendingCount = 0;
    for (let k = 0; k < count; k++) this.classify(held[4 * k], held[4 * k + 1], held[4 * k + 2], held[4 * k + 3]);
  }

  private maxPendingHeight(): number {
    let max = 0;
    for (let k = 0; k < this.pendingCount; k++) max = Math.max(max, this.pending[4 * k + 1]);
    return max;
  }

  /** Search-back interval: `searchBackFactor` x the mean of the recent RR intervals (bounded). */
  private updateSearchBack(): void {
    const count = Math.min(this.rrCount, this.rr.length);
    if (count === 0) {
      this.searchBackAfter = Infinity;
      return;
    }
    let sum = 0;
    for (let k = 0; k < count; k++) sum += this.rr[k];
    const fs = this.options.fs;
    const mean = Math.min(Math.max(sum / count, this.options.rrBounds[0] * fs), this.options.rrBounds[1] * fs);
    this.searchBackAfter = this.options.searchBackFactor * mean;
  }

  /**
   * Called once more than `searchBackFactor` mean RR passed since the last beat: the highest
   * pending peak above the lower threshold (and not a T wave) becomes a beat.
   */
  private searchBack(): void {
    const limit = this.options.searchBackThresholdRatio * this.threshold();
    let best = -1;
    let bestHeight = limit;
    for (let k = 0; k < this.pendingCount; k++) {
      const h = this.pending[4 * k + 1];
      if (h > bestHeight && !this.isTWave(this.pending[4 * k], this.pending[4 * k + 2])) {
        best = k;
        bestHeight = h;
      }
    }
    if (best < 0) return;
    const o = 4 * best;
    const count = this.pendingCount;
    this.acceptBeat(this.pending[o], bestHeight, this.pending[o + 2], this.pending[o + 3], SEARCH_BACK_WEIGHT);
    // Peaks after the recovered beat stay candidates for the next search-back.
    this.pending.copyWithin(0, 4 * (best + 1), 4 * count);
    this.pendingCount = count - best - 1;
  }

  private addPending(p: number, height: number, slope: number, r: number): void {
    const o = 4 * this.pendingCount++;
    this.pending[o] = p;
    this.pending[o + 1] = height;
    this.pending[o + 2] = slope;
    this.pending[o + 3] = r;
  }

  private dropPending(count: number): void {
    this.pending.copyWithin(0, 4 * count, 4 * this.pendingCount);
    this.pendingCount -= count;
  }

  /** JSON-serializable state (options included). */
  toJSON(): QrsDetectorState {
    return {
      version: QRS_STATE_VERSION,
      options: this.options,
      finder: this.finder.toJSON(),
      learning: this.learning,
      learnSum: this.learnSum,
      signalLevel: this.signalLevel,
      noiseLevel: this.noiseLevel,
      slopeLevel: this.slopeLevel,
      lastSlope: this.lastSlope,
      lastBeat: this.lastBeat,
      quietSince: this.quietSince,
      beatsSinceRestart: this.beatsSinceRestart,
      lastR: this.lastR,
      rr: Array.from(this.rr),
      rrCount: this.rrCount,
      pending: Array.from(this.pending.subarray(0, 4 * this.pendingCount)),
    };
  }
}

/**
 * Detects R peaks in a whole signal: one {@link QrsDetector.push} of it, then
 * {@link QrsDetector.flush} (the streaming path), so batch and streaming agree exactly.
 *
 * @example
 * const peaks = ecgPeaks(record.signals[0].samples, record.fs);
 */
export function ecgPeaks(signal: ArrayLike<number>, fs: number, options: Partial<QrsOptions> = {}): Int32Array {
  const detector = new QrsDetector({ ...options, fs });
  return Int32Array.from([...detector.push(signal), ...detector.flush()]);
}
