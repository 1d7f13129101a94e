import { decodeFloat32, encodeFloat32 } from './float32-base64';
import { QrsDetector, type QrsDetectorState } from './qrs-detector';
import type { QrsOptions } from './qrs-options';
import {
  DEFAULT_POOR_STRETCH,
  isPoorQuality,
  poorStretchOnset,
  SECOND_QUALITY_CODE,
  secondQualityOf,
  SignalQualityIndex,
  type PoorStretchRule,
  type SecondQuality,
  type SignalQualityOptions,
  type SignalQualityState,
} from './signal-quality';

/** Seconds of per-second quality a channel remembers (the merge and the windows look a few seconds back). */
const QUALITY_KEPT = 32;

/** Plain-JSON state of a {@link LeadChannel}. */
export interface LeadChannelState {
  readonly detector: QrsDetectorState;
  /** The cleaned signal's ring (position `n % length`), base64 of little-endian Float32. */
  readonly ring: string;
  readonly sqi: SignalQualityState;
  /** One letter per second (`g`ood, `w`ander, `f`lat, `s`aturated, `n`oisy), from second `qualityFrom`. */
  readonly quality: string;
  readonly qualityFrom: number;
  /** Per second of `quality`, `1` when it lies in a poor stretch of this lead, else `0`. */
  readonly stretch: string;
  /** The poor stretch open now: acceptable seconds in a row since (null: none open). */
  readonly open: { readonly good: number } | null;
  /** R peaks reported by the detector and not merged yet, ascending. */
  readonly peaks: number[];
  /** Each of `peaks`' height on the detector's integrated signal (absent in older states: unknown, 0). */
  readonly heights?: number[];
  /** The last R peak the detector reported (-1: none). */
  readonly lastReported: number;
  /** The last sample received: an absent stretch holds it. */
  readonly last: number;
}

/** What a {@link LeadChannel} is built with. */
export interface LeadChannelOptions {
  readonly fs: number;
  readonly ringLength: number;
  readonly qrs?: Partial<Omit<QrsOptions, 'fs'>>;
  readonly sqi?: Omit<SignalQualityOptions, 'fs'>;
  /** When poor seconds make the lead unusable for a stretch (default {@link DEFAULT_POOR_STRETCH}). */
  readonly stretch?: PoorStretchRule;
}

/**
 * One lead of a multi-lead stream: its own QRS detector, a ring of its cleaned signal (from which
 * beat windows are cut), its per-second signal quality, and the R peaks it reported that the
 * fusion has not decided on yet. Every lead of a stream is fed in lockstep, so sample `i` of each
 * channel is the same instant. A second is usable on the lead when its quality is acceptable and
 * it is not inside a poor stretch of the lead (the rule of a technical episode, applied to the
 * lead alone): a lead that keeps dropping into noise is not trusted between its noisy seconds. A stretch where the lead is absent (a record without it) holds
 * its last value: a flat signal, which the quality index calls `flat`, so the lead is not used
 * there.
 *
 * @example
 * const ch = new LeadChannel({ fs: 360, ringLength: 4096 });
 * ch.push(samples, 0, samples.length, 0, new Float64Array(256), new Float32Array(256));
 */
export class LeadChannel {
  readonly detector: QrsDetector;
  readonly ring: Float32Array;
  /** R peaks reported and not merged yet, ascending. */
  peaks: number[];
  /**
   * Each of `peaks`' height on the detector's integrated signal: its QRS energy in the detection
   * band, what the detector's thresholds compare (0: unknown, from an older state).
   */
  heights: number[];
  private readonly sqi: SignalQualityIndex;
  private quality: string;
  private qualityFrom: number;
  private stretch: string;
  private open: { good: number } | null;
  private lastReported: number;
  private last: number;
  private readonly rule: PoorStretchRule;

  constructor(options: LeadChannelOptions, state?: LeadChannelState) {
    this.rule = options.stretch ?? DEFAULT_POOR_STRETCH;
    if (state) {
      this.detector = QrsDetector.fromJSON(state.detector);
      const ring = typeof state.ring === 'string' ? decodeFloat32(state.ring) : null;
      if (ring?.length !== options.ringLength)
        throw new TypeError(`LeadChannel state: ring must be base64 of ${options.ringLength} Float32 values`);
      this.ring = ring;
      this.sqi = SignalQualityIndex.fromJSON(state.sqi);
      this.quality = state.quality;
      this.qualityFrom = state.qualityFrom;
      this.stretch = state.stretch;
      this.open = state.open === null ? null : { ...state.open };
      this.peaks = [...state.peaks];
      this.heights = state.heights?.length === state.peaks.length ? [...state.heights] : state.peaks.map(() => 0);
      this.lastReported = state.lastReported;
      this.last = state.last;
    } else {
      this.detector = new QrsDetector({ ...options.qrs, fs: options.fs });
      this.ring = new Float32Array(options.ringLength);
      this.sqi = new SignalQualityIndex({ ...options.sqi, fs: options.fs });
      this.quality = '';
      this.qualityFrom = 0;
      this.stretch = '';
      this.open = null;
      this.peaks = [];
      this.heights = [];
      this.lastReported = -1;
      this.last = 0;
    }
  }

  /** Samples per second of quality (`round(fs)`): second `s` is samples `s*block` to `(s+1)*block - 1`. */
  get block(): number {
    return this.sqi.block;
  }

  /** Whole seconds whose quality is known. */
  get completedSeconds(): number {
    return this.sqi.completed;
  }

  /**
   * Feeds `chunk[start..end)` (or, for an absent lead, as many copies of its last sample),
   * which begin at stream index `at`: the detector runs, its cleaned output goes to the ring,
   * the quality index judges the seconds it completes, and reported R peaks are kept for the
   * fusion. `input` and `cleaned` are scratch blocks of at least `end - start` values.
   */
  push(chunk: ArrayLike<number> | null, start: number, end: number, at: number, input: Float64Array, cleaned: Float32Array): void {
    const count = end - start;
    const x = input.subarray(0, count);
    if (chunk === null) x.fill(this.last);
    else for (let i = 0; i < count; i++) x[i] = chunk[start + i];
    if (count > 0) this.last = x[count - 1];
    for (const r of this.detector.pushRange(x, 0, count, cleaned, this.heights)) {
      this.peaks.push(r);
      this.lastReported = r;
    }
    const ring = this.ring;
    let pos = at % ring.length;
    for (let k = 0; k < count; k++) {
      ring[pos] = cleaned[k];
      if (++pos === ring.length) pos = 0;
    }
    for (const second of this.sqi.push(x)) this.judge(second.quality);
  }

  /** Adds a completed second's verdict and moves the poor stretch (as a technical episode opens and closes). */
  private judge(quality: SecondQuality): void {
    this.quality += SECOND_QUALITY_CODE[quality];
    const poor = isPoorQuality(quality);
    if (this.open !== null) {
      this.open.good = poor ? 0 : this.open.good + 1;
      if (this.open.good >= this.rule.offsetSeconds) this.open = null;
    } else if (poor && poorStretchOnset(this.quality, this.rule) !== null) {
      this.open = { good: 0 };
    }
    this.stretch += this.open === null ? '0' : '1';
    if (this.quality.length > QUALITY_KEPT) {
      this.quality = this.quality.slice(1);
      this.stretch = this.stretch.slice(1);
      this.qualityFrom++;
    }
  }

  /**
   * Every R peak this lead will ever report below the returned index is known: the detector
   * reports peaks in ascending order, and never one further back than its `maxLatency` from the
   * newest sample (`n` samples consumed).
   */
  horizon(n: number): number {
    return Math.max(this.lastReported + 1, n - this.detector.maxLatency);
  }

  /** Quality of a completed second (null: not judged yet, or forgotten). */
  qualityOf(second: number): SecondQuality | null {
    const k = second - this.qualityFrom;
    return k >= 0 && k < this.quality.length ? (secondQualityOf(this.quality[k]) ?? null) : null;
  }

  /** Whether a completed second is usable on this lead: acceptable quality, outside a poor stretch (null: not judged yet, or forgotten). */
  usableOf(second: number): boolean | null {
    const k = second - this.qualityFrom;
    if (k < 0 || k >= this.quality.length) return null;
    return this.stretch[k] === '0' && !isPoorQuality(secondQualityOf(this.quality[k]) as SecondQuality);
  }

  /** Forgets reported peaks below `index` (decided). */
  dropPeaks(index: number): void {
    let k = 0;
    while (k < this.peaks.length && this.peaks[k] < index) k++;
    if (k > 0) {
      this.peaks.splice(0, k);
      this.heights.splice(0, k);
    }
  }

  /** Plain-JSON state. */
  toJSON(): LeadChannelState {
    return {
      detector: this.detector.toJSON(),
      ring: encodeFloat32(this.ring),
      sqi: this.sqi.toJSON(),
      quality: this.quality,
      qualityFrom: this.qualityFrom,
      stretch: this.stretch,
      open: this.open === null ? null : { ...this.open },
      peaks: [...this.peaks],
      heights: [...this.heights],
      lastReported: this.lastReported,
      last: this.last,
    };
  }
}
