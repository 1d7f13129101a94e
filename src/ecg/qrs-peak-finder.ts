import { BiquadCascade, butterworthBandpass, type BiquadCascadeState } from './biquad';
import { createEcgCleaner, ecgCleanDelay } from './ecg-clean';
import type { QrsOptions } from './qrs-options';

/** Serialized {@link QrsPeakFinder}. Rings are stored oldest first. */
export interface QrsPeakFinderState {
  readonly n: number;
  readonly lastX: number;
  /** First sample (subtracted from all), null before any. */
  readonly offset: number | null;
  readonly detectFilter: BiquadCascadeState;
  readonly cleanFilter: BiquadCascadeState;
  /** Last four band-passed samples, newest first. */
  readonly bandHistory: number[];
  /** Last `width` rectified slopes, in ring order (position n % width). */
  readonly integration: number[];
  readonly integrationSum: number;
  /** Sliding-maximum queue, front first: sample indices and integrated values. */
  readonly queueIndex: number[];
  readonly queueValue: number[];
  /** Cleaned signal, in ring order (position n % length). */
  readonly clean: number[];
}

/**
 * The front end of the QRS detector: band-pass, derivative, rectification, moving-window
 * integration, then peaks of the integrated signal that are the maximum within +/- the
 * refractory period. For each peak it measures what the decision stage needs (height, steepest
 * slope, R location on the cleaned signal), so the decision stage never looks back at samples.
 *
 * Everything is per sample with fixed-size rings and no allocation: the output depends only on
 * the samples, never on how they were chunked. {@link QrsPeakFinder.step} returns true when a
 * peak is confirmed (the peak itself lies `latency` samples back); its measures are in the
 * `peak*` fields.
 */
export class QrsPeakFinder {
  /** Integrated-signal index of the last confirmed peak. */
  peakIndex = 0;
  /** Height of the last confirmed peak (mean |slope| over the integration window, mV/s). */
  peakHeight = 0;
  /** Steepest slope of the cleaned signal around the peak (mV/s): T waves are flatter. */
  peakSlope = 0;
  /** Sample index of the R peak located on the cleaned signal for the last confirmed peak. */
  peakR = 0;
  /** Latest value of the integrated signal (mV/s). */
  integrated = 0;
  /** Latest value of the cleaned signal (mV, 0.5-40 Hz, delayed by `ecgCleanDelay`). */
  cleaned = 0;

  private readonly fs: number;
  private readonly width: number;
  private readonly halfWindow: number;
  private readonly cleanDelay: number;
  private readonly locateStart: number;
  private readonly locateEnd: number;
  private readonly gain: number;
  private readonly detectFilter: BiquadCascade;
  private readonly cleanFilter: BiquadCascade;
  /** Ring of the last `width` rectified slopes, and their running sum. */
  private readonly integration: Float64Array;
  /** Monotonic queue for the sliding maximum: indices and values, decreasing values. */
  private readonly queueIndex: Float64Array;
  private readonly queueValue: Float64Array;
  /** Ring of the cleaned signal, long enough to look back from a confirmed peak. */
  private readonly clean: Float64Array;

  /** Samples consumed so far. */
  private n = 0;
  private lastX = 0;
  private hasOffset = false;
  /** First sample, subtracted so the filters start in steady state (no start-up transient). */
  private offset = 0;
  private b1 = 0;
  private b2 = 0;
  private b3 = 0;
  private b4 = 0;
  private integrationSum = 0;
  private slot = 0;
  private cleanAt = 0;
  private queueHead = 0;
  private queueSize = 0;

  /**
   * @param options - detector options (validated by `resolveQrsOptions`)
   * @param state - a state from {@link QrsPeakFinder.toJSON} to resume from
   */
  constructor(options: QrsOptions, state?: QrsPeakFinderState) {
    const fs = options.fs;
    this.fs = fs;
    this.width = Math.max(1, Math.round(options.integrationWindow * fs));
    this.halfWindow = Math.max(1, Math.round(options.refractory * fs));
    this.cleanDelay = ecgCleanDelay(fs);
    // The integrated peak lags the QRS by the band-pass and derivative delay; the R peak lies
    // within the integration window ending there, widened by a margin for wide complexes.
    const margin = Math.round(options.locateMargin * fs);
    this.locateStart = this.width + margin;
    this.locateEnd = Math.max(0, Math.round(0.01 * fs) - margin);
    this.gain = fs / 8;
    this.integration = new Float64Array(this.width);
    this.queueIndex = new Float64Array(2 * this.halfWindow + 2);
    this.queueValue = new Float64Array(2 * this.halfWindow + 2);
    this.clean = new Float64Array(this.halfWindow + this.locateStart + this.cleanDelay + 2);
    if (!state) {
      this.detectFilter = butterworthBandpass(options.detectionBand[0], options.detectionBand[1], fs);
      this.cleanFilter = createEcgCleaner(fs);
      return;
    }
    this.detectFilter = BiquadCascade.fromJSON(state.detectFilter);
    this.cleanFilter = BiquadCascade.fromJSON(state.cleanFilter);
    this.n = state.n;
    this.lastX = state.lastX;
    this.hasOffset = state.offset !== null;
    this.offset = state.offset ?? 0;
    [this.b1, this.b2, this.b3, this.b4] = checkedArray(state.bandHistory, 4, 'bandHistory');
    this.integration.set(checkedArray(state.integration, this.width, 'integration'));
    this.integrationSum = state.integrationSum;
    this.slot = this.n % this.width;
    this.clean.set(checkedArray(state.clean, this.clean.length, 'clean'));
    this.cleanAt = this.n % this.clean.length;
    const size = Array.isArray(state.queueIndex) ? state.queueIndex.length : -1;
    if (size > this.queueIndex.length)
      throw new TypeError(`QrsDetector state: queueIndex must hold at most ${this.queueIndex.length} numbers`);
    this.queueIndex.set(checkedArray(state.queueIndex, size, 'queueIndex'));
    this.queueValue.set(checkedArray(state.queueValue, size, 'queueValue'));
    this.queueSize = size;
  }

  /** Samples consumed so far (the index the next sample will have). */
  get consumed(): number {
    return this.n;
  }

  /** The last sample pushed (0 before any). */
  get lastInput(): number {
    return this.lastX;
  }

  /** Samples between a peak of the integrated signal and its confirmation. */
  get latency(): number {
    return this.halfWindow;
  }

  /**
   * Processes one sample (mV). Returns true when a peak was confirmed by it. A non-finite sample
   * (which validated input never holds) is taken as the previous one, so it cannot poison the
   * filters' state for the rest of the stream.
   */
  step(sample: number): boolean {
    const x = sample - sample === 0 ? sample : this.lastX;
    const n = this.n++;
    this.lastX = x;
    if (!this.hasOffset) {
      this.hasOffset = true;
      this.offset = x;
    }
    const v = x - this.offset;
    const cleaned = this.cleanFilter.step(v);
    this.cleaned = cleaned;
    this.clean[this.cleanAt] = cleaned;
    if (++this.cleanAt === this.clean.length) this.cleanAt = 0;

    // Five-point derivative of the band-passed signal (mV/s), rectified.
    const b = this.detectFilter.step(v);
    const d = Math.abs((2 * b + this.b1 - this.b3 - 2 * this.b4) * this.gain);
    this.b4 = this.b3;
    this.b3 = this.b2;
    this.b2 = this.b1;
    this.b1 = b;

    // Moving-window integration; the sum is recomputed once per lap so round-off cannot drift.
    const w = this.width;
    const integration = this.integration;
    const slot = this.slot;
    this.integrationSum += d - integration[slot];
    integration[slot] = d;
    if (slot === w - 1) {
      let s = 0;
      for (let k = 0; k < w; k++) s += integration[k];
      this.integrationSum = s;
      this.slot = 0;
    } else {
      this.slot = slot + 1;
    }
    const m = this.integrationSum / w;
    this.integrated = m;

    // Sliding maximum over [n - 2H, n]: the sample n - H is a peak when it is the earliest maximum.
    const capacity = this.queueIndex.length;
    const qi = this.queueIndex;
    const qv = this.queueValue;
    while (this.queueSize > 0) {
      let back = this.queueHead + this.queueSize - 1;
      if (back >= capacity) back -= capacity;
      if (qv[back] < m) this.queueSize--;
      else break;
    }
    let tail = this.queueHead + this.queueSize;
    if (tail >= capacity) tail -= capacity;
    qi[tail] = n;
    qv[tail] = m;
    this.queueSize++;
    const oldest = n - 2 * this.halfWindow;
    while (qi[this.queueHead] < oldest) {
      if (++this.queueHead === capacity) this.queueHead = 0;
      this.queueSize--;
    }
    const p = n - this.halfWindow;
    if (p < w || qi[this.queueHead] !== p) return false;
    this.measurePeak(p, qv[this.queueHead]);
    return true;
  }

  /** Fills the `peak*` fields for a confirmed peak at integrated-signal index `p`. */
  private measurePeak(p: number, height: number): void {
    const ringLength = this.clean.length;
    // The R peak: largest excursion of the cleaned signal where the QRS energy was integrated.
    // The steepest slope there (of the cleaned signal, whose wide band keeps wide ventricular
    // beats steep) tells a QRS from a T wave.
    const from = Math.max(1, p - this.locateStart + this.cleanDelay, this.n - ringLength + 1);
    const to = p - this.locateEnd + this.cleanDelay;
    let best = from;
    let bestAbs = -1;
    let steepest = 0;
    let previous = this.clean[(from - 1) % ringLength];
    for (let k = from; k <= to; k++) {
      const c = this.clean[k % ringLength];
      const a = Math.abs(c);
      if (a > bestAbs) {
        bestAbs = a;
        best = k;
      }
      const s = Math.abs(c - previous);
      if (s > steepest) steepest = s;
      previous = c;
    }
    this.peakIndex = p;
    this.peakHeight = height;
    this.peakSlope = steepest * this.fs;
    this.peakR = Math.max(0, best - this.cleanDelay);
  }

  /** JSON-serializable state. */
  toJSON(): QrsPeakFinderState {
    const queueIndex: number[] = [];
    const queueValue: number[] = [];
    for (let k = 0; k < this.queueSize; k++) {
      const at = (this.queueHead + k) % this.queueIndex.length;
      queueIndex.push(this.queueIndex[at]);
      queueValue.push(this.queueValue[at]);
    }
    return {
      n: this.n,
      lastX: this.lastX,
      offset: this.hasOffset ? this.offset : null,
      detectFilter: this.detectFilter.toJSON(),
      cleanFilter: this.cleanFilter.toJSON(),
      bandHistory: [this.b1, this.b2, this.b3, this.b4],
      integration: Array.from(this.integration),
      integrationSum: this.integrationSum,
      queueIndex,
      queueValue,
      clean: Array.from(this.clean),
    };
  }
}

function checkedArray(values: unknown, length: number, name: string): Float64Array {
  if (!Array.isArray(values) || values.length !== length || !values.every((v) => typeof v === 'number')) {
    throw new TypeError(`QrsDetector state: ${name} must be an array of ${length} numbers`);
  }
  return Float64Array.from(values);
}
