import { DEFAULT_BEAT_WINDOW, type BeatWindowSpec } from './beat-window-spec';
import { ecgBeatWindow, normalizeBeat, validateBeatWindowSpec } from './beat-window';
import { ecgCleanDelay } from './ecg-clean';
import { decodeFloat32, encodeFloat32 } from './float32-base64';
import { QrsDetector, type QrsDetectorState } from './qrs-detector';
import type { QrsOptions } from './qrs-options';
import { rrContext } from './rr-context';
import { readRing } from './sample-ring';

/** One heartbeat cut from the stream. */
export interface Beat {
  /** Absolute sample index of the R peak (the first sample ever pushed is 0). */
  readonly rIndex: number;
  /** The beat window: `spec.steps` samples of the cleaned signal, normalized per beat. */
  readonly window: Float32Array;
  /** Seconds since the previous beat, null for the first beat of the stream. */
  readonly rrPrev: number | null;
  /** Seconds to the next beat, null when none followed within `maxRrNext` (a pause). */
  readonly rrNext: number | null;
  /**
   * Mean of the (up to `rrLocalBeats`) RR intervals before `rrPrev`, in seconds: the local
   * rhythm a premature beat is measured against (`rrPrev / rrLocalMean` well below 1 =
   * premature). Null until two RR intervals are known.
   */
  readonly rrLocalMean: number | null;
  /**
   * mV per unit of `window` and mV subtracted before scaling, so `window[k] * scale + offset` is
   * the cleaned signal (mV, baseline removed by the 0.5 Hz high-pass). Per-beat normalization
   * discards amplitude; patient-adaptive scoring compares it with the patient's own beats (a
   * ventricular ectopic is often much larger than the dominant beat). The segmenter always sets
   * both; they are optional only so beats made elsewhere (tests, older states) stay valid.
   */
  readonly scale?: number;
  readonly offset?: number;
}

/** Options of {@link BeatSegmenter}. */
export interface BeatSegmenterOptions {
  /** Sample rate in Hz (100 to 1000). */
  readonly fs: number;
  /** Window span, steps and normalization; default {@link DEFAULT_BEAT_WINDOW}. */
  readonly window?: BeatWindowSpec;
  /** QRS detector options. */
  readonly qrs?: Partial<Omit<QrsOptions, 'fs'>>;
  /** RR intervals averaged into `rrLocalMean`. Default 8. */
  readonly rrLocalBeats?: number;
  /** Longest RR interval (s) reported as `rrNext`; a beat waits at most this long (plus the detector's latency) for its successor. Default 2.5. */
  readonly maxRrNext?: number;
}

/** Defaults of {@link BeatSegmenterOptions}. */
export const DEFAULT_SEGMENTER_OPTIONS = Object.freeze({ rrLocalBeats: 8, maxRrNext: 2.5 });

/** Format version of {@link BeatSegmenterState}. */
export const SEGMENTER_STATE_VERSION = 1;

/** Serialized {@link BeatSegmenter}. */
export interface BeatSegmenterState {
  readonly version: number;
  readonly fs: number;
  readonly window: BeatWindowSpec;
  readonly rrLocalBeats: number;
  readonly maxRrNext: number;
  readonly detector: QrsDetectorState;
  readonly n: number;
  /**
   * The last samples of the cleaned signal (ring order, position n % length), as base64 of
   * their little-endian Float32 bytes: exact, and about a fifth of the size of a number array.
   */
  readonly ring: string;
  /** Detected beats not emitted yet: RR context and window (null until cut). */
  readonly held: {
    rIndex: number;
    rrPrev: number | null;
    rrLocalMean: number | null;
    window: number[] | null;
    /** Absent in states written before beats carried their scaling. */
    scale?: number;
    offset?: number;
  }[];
  /** Last detected beat (-1 none) and the recent RR intervals in samples, oldest first. */
  readonly lastBeat: number;
  readonly rr: number[];
}

interface HeldBeat {
  rIndex: number;
  rrPrev: number | null;
  rrLocalMean: number | null;
  window: Float32Array | null;
  scale?: number;
  offset?: number;
}

/** Samples handed to the detector at once, so a large chunk never outruns the ring. */
const BLOCK = 256;

/**
 * Streaming beat segmentation: QRS detection ({@link QrsDetector}) plus a ring of the cleaned
 * signal (0.5-40 Hz, which the detector computes anyway), from which a window is cut around each
 * R peak once its post-R span has arrived. A beat is emitted when its successor is detected (so
 * `rrNext` is known) or when `maxRrNext` plus the detector's latency has passed without one:
 * about one RR interval plus 0.3 s after the R peak at usual rates.
 *
 * Chunk-invariant: the beats (indices, windows, RR values) are identical whatever the split of
 * the signal into chunks; only which `push` call returns a beat can differ.
 *
 * @example
 * const seg = new BeatSegmenter({ fs: 360 });
 * for (const chunk of chunks) for (const beat of seg.push(chunk)) score(beat.window);
 */
export class BeatSegmenter {
  /** The window spec windows are cut with. */
  readonly window: BeatWindowSpec;
  /** Sample rate in Hz. */
  readonly fs: number;
  private readonly rrLocalBeats: number;
  private readonly maxRrNext: number;
  private readonly detector: QrsDetector;
  private n: number;
  private readonly ring: Float32Array;
  /** Detected beats not emitted yet, in order; window null until its post-R span arrives. */
  private readonly held: HeldBeat[];
  private lastBeat: number;
  private readonly rr: number[];
  private readonly cleanDelay: number;
  private readonly beforeSamples: number;
  private readonly afterSamples: number;
  private readonly scratch: Float64Array;
  /** The detector's cleaned output for one block. */
  private readonly block = new Float32Array(BLOCK);
  /** The window spec without normalization: the window is cut in mV, then normalized here to keep its scaling. */
  private readonly rawWindow: BeatWindowSpec;

  constructor(options: BeatSegmenterOptions, state?: BeatSegmenterState) {
    this.fs = options.fs;
    this.window = validateBeatWindowSpec(options.window ?? DEFAULT_BEAT_WINDOW);
    this.rawWindow = { ...this.window, normalization: 'none' };
    this.rrLocalBeats = options.rrLocalBeats ?? DEFAULT_SEGMENTER_OPTIONS.rrLocalBeats;
    this.maxRrNext = options.maxRrNext ?? DEFAULT_SEGMENTER_OPTIONS.maxRrNext;
    if (!(Number.isInteger(this.rrLocalBeats) && this.rrLocalBeats >= 1))
      throw new RangeError(`BeatSegmenter: rrLocalBeats must be an integer >= 1, got ${this.rrLocalBeats}`);
    if (!(this.maxRrNext > 0)) throw new RangeError(`BeatSegmenter: maxRrNext must be positive, got ${this.maxRrNext}`);
    this.detector = state ? QrsDetector.fromJSON(state.detector) : new QrsDetector({ ...options.qrs, fs: options.fs });
    this.cleanDelay = ecgCleanDelay(this.fs);
    this.beforeSamples = Math.ceil(this.window.before * this.fs) + 1;
    this.afterSamples = Math.ceil(this.window.after * this.fs) + 1;
    const ringLength = this.detector.maxLatency + this.beforeSamples + this.afterSamples + this.cleanDelay + BLOCK + 2;
    this.scratch = new Float64Array(this.beforeSamples + this.afterSamples + 1);
    if (state) {
      const ring = typeof state.ring === 'string' ? decodeFloat32(state.ring) : null;
      if (ring?.length !== ringLength) throw new TypeError(`BeatSegmenter state: ring must be base64 of ${ringLength} Float32 values`);
      this.n = state.n;
      this.ring = ring;
      this.held = state.held.map((b) => ({ ...b, window: b.window ? Float32Array.from(b.window) : null }));
      this.lastBeat = state.lastBeat;
      this.rr = [...state.rr];
    } else {
      this.n = 0;
      this.ring = new Float32Array(ringLength);
      this.held = [];
      this.lastBeat = -1;
      this.rr = [];
    }
  }

  /** Restores a segmenter from {@link BeatSegmenter.toJSON} output. */
  static fromJSON(state: BeatSegmenterState): BeatSegmenter {
    if (state?.version !== SEGMENTER_STATE_VERSION)
      throw new TypeError(`BeatSegmenter state: unknown version ${String(state?.version)} (expected ${SEGMENTER_STATE_VERSION})`);
    return new BeatSegmenter({ fs: state.fs, window: state.window, rrLocalBeats: state.rrLocalBeats, maxRrNext: state.maxRrNext }, state);
  }

  /** Samples consumed so far. */
  get consumed(): number {
    return this.n;
  }

  /**
   * R peaks detected but not emitted yet (their window or successor is still awaited), oldest
   * first. Rate rules (asystole, bradycardia) read them so they need not wait for a beat's window.
   */
  pendingPeaks(): number[] {
    return this.held.map((b) => b.rIndex);
  }

  /** Feeds samples (mV); returns the beats completed by them, in R-peak order. */
  push(chunk: ArrayLike<number>): Beat[] {
    const out: Beat[] = [];
    this.feed(chunk, out);
    return out;
  }

  /**
   * Ends the stream (see {@link QrsDetector.flush}): the signal continues at its last level
   * long enough to confirm a final beat and complete its window; then every beat held is
   * emitted, the last one with `rrNext` null. Use once, at the end of a finite recording.
   */
  flush(): Beat[] {
    const out: Beat[] = [];
    const length = Math.max(this.detector.flushLength, this.afterSamples + this.cleanDelay + 1);
    this.feed(new Float64Array(length).fill(this.detector.lastInput), out);
    for (const beat of this.held) if (!beat.window) this.cut(beat, beat.rIndex + this.cleanDelay);
    this.release(out, true);
    return out;
  }

  /** Runs blocks of the chunk through the detector, keeping its cleaned output in the ring. */
  private feed(chunk: ArrayLike<number>, out: Beat[]): void {
    const ring = this.ring;
    const length = ring.length;
    const block = this.block;
    for (let start = 0; start < chunk.length; start += BLOCK) {
      const end = Math.min(chunk.length, start + BLOCK);
      const found = this.detector.pushRange(chunk, start, end, block);
      let at = this.n % length;
      for (let k = 0; k < end - start; k++) {
        ring[at] = block[k];
        if (++at === length) at = 0;
      }
      this.n += end - start;
      for (const r of found) this.onBeat(r);
      this.cutReady();
      this.release(out, false);
    }
  }

  /** A newly detected beat: its RR context is fixed now, its window once the post-R span is in. */
  private onBeat(r: number): void {
    const { rrPrev, rrLocalMean } = rrContext(r, this.lastBeat, this.rr, this.rrLocalBeats, this.fs);
    this.lastBeat = r;
    this.held.push({ rIndex: r, rrPrev, rrLocalMean, window: null });
  }

  /** Cuts the windows whose post-R span has arrived. */
  private cutReady(): void {
    for (const beat of this.held) {
      if (beat.window) continue;
      const center = beat.rIndex + this.cleanDelay;
      if (center + this.afterSamples > this.n) return;
      this.cut(beat, center);
    }
  }

  /** Cuts the beat's window around `center` and records its scaling. */
  private cut(beat: HeldBeat, center: number): void {
    const from = center - this.beforeSamples;
    const scratch = this.scratch;
    readRing(this.ring, this.n, from, scratch);
    const window = ecgBeatWindow(scratch, this.fs, center, this.rawWindow, undefined, from);
    const { offset, scale } = normalizeBeat(window, this.window.normalization);
    beat.window = window;
    beat.scale = scale;
    beat.offset = offset;
  }

  /**
   * Emits held beats in order once cut and once their successor is known, or once a successor
   * within `maxRrNext` could no longer be detected (then `rrNext` is null). Because the detector
   * reports a beat at most `maxLatency` samples late, this rule gives the same `rrNext` for
   * every chunking.
   */
  private release(out: Beat[], all: boolean): void {
    const maxRr = this.maxRrNext * this.fs;
    const patience = Math.ceil(maxRr) + this.detector.maxLatency;
    while (this.held.length > 0) {
      const beat = this.held[0];
      if (!beat.window) return;
      let rrNext: number | null = null;
      if (this.held.length > 1) {
        const gap = this.held[1].rIndex - beat.rIndex;
        rrNext = gap <= maxRr ? gap / this.fs : null;
      } else if (!all && this.n - beat.rIndex <= patience) {
        return;
      }
      this.held.shift();
      out.push({
        rIndex: beat.rIndex,
        window: beat.window,
        rrPrev: beat.rrPrev,
        rrNext,
        rrLocalMean: beat.rrLocalMean,
        ...(beat.scale === undefined ? {} : { scale: beat.scale, offset: beat.offset }),
      });
    }
  }

  /** JSON-serializable state. */
  toJSON(): BeatSegmenterState {
    return {
      version: SEGMENTER_STATE_VERSION,
      fs: this.fs,
      window: this.window,
      rrLocalBeats: this.rrLocalBeats,
      maxRrNext: this.maxRrNext,
      detector: this.detector.toJSON(),
      n: this.n,
      ring: encodeFloat32(this.ring),
      held: this.held.map((b) => ({
        rIndex: b.rIndex,
        rrPrev: b.rrPrev,
        rrLocalMean: b.rrLocalMean,
        window: b.window ? Array.from(b.window) : null,
        ...(b.scale === undefined ? {} : { scale: b.scale, offset: b.offset }),
      })),
      lastBeat: this.lastBeat,
      rr: [...this.rr],
    };
  }
}

/**
 * Segments a whole signal into beats through the streaming path (one push, then flush), so
 * batch and streaming give the same beats.
 *
 * @example
 * const beats = ecgSegment(record.signals[0].samples, record.fs);
 * beats[10].window; // Float32Array(64), z-scored
 */
export function ecgSegment(
  signal: ArrayLike<number>,
  fs: number,
  window: BeatWindowSpec = DEFAULT_BEAT_WINDOW,
  options: Omit<BeatSegmenterOptions, 'fs' | 'window'> = {},
): Beat[] {
  const segmenter = new BeatSegmenter({ ...options, fs, window });
  return [...segmenter.push(signal), ...segmenter.flush()];
}
