import { BiquadCascade, butterworthBandpass, type BiquadCascadeState } from './biquad';
import { createEcgCleaner, ecgCleanDelay } from './ecg-clean';
import type { QrsOptions } from './qrs-options';

/** Serialized {@link QrsPeakFinder}. */
export interface QrsPeakFinderState {
  readonly n: number;
  readonly lastX: number;
  readonly offset: number | null;
  readonly detectFilter: BiquadCascadeState;
  readonly cleanFilter: BiquadCascadeState;
  readonly bandHistory: number[];
  readonly integration: number[];
  readonly integrationSum: number;
  readonly peakValues: number[];
  readonly queue: number[];
  readonly queueHead: number;
  readonly queueSize: number;
  readonly clean: number[];
}

/**
 * The front end of the QRS detector: band-pass, derivative, rectification, moving-window
 * integration, then peaks of the integrated signal that are the maximum within +/- the
 * refractory period. For each peak it measures what the decision stage needs (height, steepest
 * slope, R location on the cleaned signal), so the decision stage never looks back at samples.
 *
 * Everything is per sample with fixed-size rings: the output depends only on the samples, never
 * on how they were chunked. {@link QrsPeakFinder.step} returns true when a peak is confirmed
 * (the peak itself lies `halfWindow` samples back); its measures are in the `peak*` fields.
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

  /** Latest value of the integrated signal (mean |slope| over the integration window, mV/s). */
  integrated = 0;

  /** Samples consumed so far. */
  private n: number;
  private lastX = 0;
  /** First sample, subtracted so the filters start in steady state (no start-up transient). */
  private offset: number | null;
  private readonly width: number;
  private readonly halfWindow: number;
  private readonly cleanDelay: number;
  private readonly locateStart: number;
  private readonly locateEnd: number;
  private readonly gain: number;
  private readonly fs: number;

  /**
   * @param options - detector options (validated by `resolveQrsOptions`)
   * @param state - a state from {@link QrsPeakFinder.toJSON} to resume from
   */
  constructor(
    options: QrsOptions,
    state?: QrsPeakFinderState,
  ) {
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
    const ring = this.halfWindow + this.locateStart + this.cleanDelay + 2;
    if (state) {
      this.n = state.n;
      this.lastX = state.lastX;
      this.offset = state.offset;
      this.detectFilter = BiquadCascade.fromJSON(state.detectFilter);
      this.cleanFilter = BiquadCascade.fromJSON(state.cleanFilter);
      this.bandHistory = checkedArray(state.bandHistory, 4, 'bandHistory');
      this.integration = checkedArray(state.integration, this.width, 'integration');
      this.integrationSum = state.integrationSum;
      this.peakValues = checkedArray(state.peakValues, 2 * this.halfWindow + 1, 'peakValues');
      this.queue = checkedArray(state.queue, 2 * this.halfWindow + 1, 'queue');
      this.queueHead = state.queueHead;
      this.queueSize = state.queueSize;
      this.clean = checkedArray(state.clean, ring, 'clean');
    } else {
      this.n = 0;
      this.offset = null;
      this.detectFilter = butterworthBandpass(options.detectionBand[0], options.detectionBand[1], fs);
      this.cleanFilter = createEcgCleaner(fs);
      this.bandHistory = new Float64Array(4);
      this.integration = new Float64Array(this.width);
      this.integrationSum = 0;
      this.peakValues = new Float64Array(2 * this.halfWindow + 1);
      this.queue = new Float64Array(2 * this.halfWindow + 1);
      this.queueHead = 0;
      this.queueSize = 0;
      this.clean = new Float64Array(ring);
    }
  }

  private readonly detectFilter: BiquadCascade;
  private readonly cleanFilter: BiquadCascade;
  /** Last four band-passed samples, for the five-point derivative. */
  private readonly bandHistory: Float64Array;
  /** Ring of the last `width` rectified slopes and their running sum. */
  private readonly integration: Float64Array;
  private integrationSum: number;
  /** Ring of integrated values over the last 2 * halfWindow + 1 samples. */
  private readonly peakValues: Float64Array;
  /** Monotonic queue (sample indices, decreasing values) for the sliding maximum. */
  private readonly queue: Float64Array;
  private queueHead: number;
  private queueSize: number;
  /** Ring of the cleaned signal, long enough to look back from a confirmed peak. */
  private readonly clean: Float64Array;

  /** Samples consumed so far (the index the next sample will have). */
  get consumed(): number {
    return this.n;
  }

  /** The last sample pushed (0 before any). */
  get lastInput(): number {
    return this.n === 0 ? 0 : this.lastX;
  }

  /** Samples between a peak of the integrated signal and its confirmation. */
  get latency(): number {
    return this.halfWindow;
  }

  /** Processes one sample (mV). Returns true when a peak was confirmed by it. */
  step(x: number): boolean {
    const n = this.n++;
    this.lastX = x;
    if (this.offset === null) this.offset = x;
    const v = x - this.offset;
    const ringLength = this.clean.length;
    const at = n % ringLength;
    this.clean[at] = this.cleanFilter.step(v);

    // Five-point derivative of the band-passed signal (mV/s), rectified.
    const b = this.detectFilter.step(v);
    const h = this.bandHistory;
    const d = Math.abs((2 * b + h[0] - h[2] - 2 * h[3]) * this.gain);
    h[3] = h[2];
    h[2] = h[1];
    h[1] = h[0];
    h[0] = b;

    // Moving-window integration; the sum is recomputed once per lap so round-off cannot drift.
    const w = this.width;
    const slot = n % w;
    this.integrationSum += d - this.integration[slot];
    this.integration[slot] = d;
    if (slot === w - 1) {
      let s = 0;
      for (let k = 0; k < w; k++) s += this.integration[k];
      this.integrationSum = s;
    }
    const m = this.integrationSum / w;
    this.integrated = m;

    // Sliding maximum over [n - 2H, n]: the sample n - H is a peak when it is the earliest maximum.
    const span = this.peakValues.length;
    const pv = this.peakValues;
    const q = this.queue;
    pv[n % span] = m;
    while (this.queueSize > 0) {
      const last = q[(this.queueHead + this.queueSize - 1) % span];
      if (pv[last % span] < m) this.queueSize--;
      else break;
    }
    q[(this.queueHead + this.queueSize) % span] = n;
    this.queueSize++;
    const oldest = n - 2 * this.halfWindow;
    while (q[this.queueHead] < oldest) {
      this.queueHead = (this.queueHead + 1) % span;
      this.queueSize--;
    }
    const p = n - this.halfWindow;
    if (p < this.width || q[this.queueHead] !== p) return false;
    this.measurePeak(p, pv[p % span]);
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
    steepest *= this.fs;
    this.peakIndex = p;
    this.peakHeight = height;
    this.peakSlope = steepest;
    this.peakR = Math.max(0, best - this.cleanDelay);
  }

  /** JSON-serializable state. */
  toJSON(): QrsPeakFinderState {
    return {
      n: this.n,
      lastX: this.lastX,
      offset: this.offset,
      detectFilter: this.detectFilter.toJSON(),
      cleanFilter: this.cleanFilter.toJSON(),
      bandHistory: Array.from(this.bandHistory),
      integration: Array.from(this.integration),
      integrationSum: this.integrationSum,
      peakValues: Array.from(this.peakValues),
      queue: Array.from(this.queue),
      queueHead: this.queueHead,
      queueSize: this.queueSize,
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
