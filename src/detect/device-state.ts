import { initialAlertPolicyState, type AlertPolicyState } from './alert-policy';
import type { DeviceProfile, DevicePhase, PatientAdapter, ProfileLearner, ProfileTracker } from './patient-adaptation';
import type { BeatMark, DecodedRecord, SegmentedBeat, SegmenterFactory, StreamSegmenter } from './ports';
export type { BeatMark } from './ports';

/** A beat of a device, placed in time (epoch ms of its R peak). */
export interface TimedBeat extends SegmentedBeat {
  /** Epoch ms of the R peak, rounded to a whole ms (alert ids are built from it). */
  readonly t: number;
}

/** How a record was taken by a device's state. */
export type RecordAdmission = 'duplicate' | 'continued' | 'restarted';

/** A scored beat kept for alert snippets (the last `n` of the device). */
export interface KeptBeat {
  readonly t: number;
  readonly score: number;
  readonly anomalous: boolean;
  readonly kind?: string;
  readonly rrPrev: number | null;
  readonly rrNext: number | null;
  readonly window: number[];
  /** The model's own score (for the alert's explanation: shape versus timing). */
  readonly modelScore?: number;
}

/** The device's recent raw signal (mV): `samples[i]` is at `t0 + i * 1000 / fs` ms. */
export interface RecentStrip {
  t0: number;
  samples: number[];
}

/**
 * Seconds of raw signal a device keeps for the strip stored with each alert: the console shows
 * at least 10 s of ECG on standard paper, and the beat that completed the alert is emitted up to
 * a window's `after` past its R, so 12 s leaves room on both sides.
 */
export const STRIP_SECONDS = 12;

/** Plain-JSON form of a {@link DeviceState}. */
export interface DeviceStateJson {
  readonly lastSeq: number;
  readonly fs: number;
  readonly samplesIn: number;
  readonly anchors: readonly (readonly [number, number])[];
  readonly segmenter: unknown;
  readonly policy: AlertPolicyState;
  readonly kept: readonly KeptBeat[];
  readonly adaptation: AdaptationJson;
  /** Recent raw signal and beat marks (absent in snapshots made before strips were kept). */
  readonly strip?: RecentStrip | null;
  readonly marks?: readonly BeatMark[];
}

/**
 * Plain-JSON form of a device's adaptation: its phase, the model its learner or profile belongs
 * to (null before its first beat), when its learning period started, the learner, the profile.
 */
export interface AdaptationJson {
  readonly phase: DevicePhase;
  readonly modelVersion: string | null;
  /** Device-clock epoch ms the learning period started (null: not started). */
  readonly learnFrom: number | null;
  readonly learner: unknown;
  readonly profile: DeviceProfile | null;
  /** The live state of the learned profile (`ProfileTracker.toJSON()`; absent or null: none yet). */
  readonly live?: unknown;
}

/**
 * Record anchors (sample index of a record's first sample, its t0) kept to place beats in time.
 * A beat is emitted a little after its R peak (the window needs the samples after it), so its
 * R can lie a few records back; 64 records cover that even for records far shorter than 1 s.
 */
const MAX_ANCHORS = 64;

/**
 * The streaming state of one device: last seq, its segmenter, the mapping from sample index to
 * time, its alert policy and the last beats (for snippets). Small and JSON-serializable
 * (docs/ARCHITECTURE.md §4) so it can be snapshotted for a rollback or moved to durable storage.
 */
export class DeviceState {
  /** Seq of the last record taken, -1 before the first. */
  lastSeq = -1;
  /** Sampling rate of the current segmenter. */
  fs = 0;
  /** Samples pushed into the current segmenter. */
  samplesIn = 0;
  /** [sample index, t0] of recent records, oldest first. */
  anchors: [number, number][] = [];
  policy: AlertPolicyState = initialAlertPolicyState();
  kept: KeptBeat[] = [];
  /** Learning or learned (see `Detector`): a fresh device is learning. */
  phase: DevicePhase = 'learning';
  /** Model version the learner or profile belongs to; null until the device's first beat is scored. */
  modelVersion: string | null = null;
  /** Device-clock epoch ms the learning period started (the first record's t0 at first sight). */
  learnFrom: number | null = null;
  learner: ProfileLearner | null = null;
  profile: DeviceProfile | null = null;
  /** The learned profile in use, for adapters whose profile moves with the beats (null: not built yet). */
  tracker: ProfileTracker | null = null;
  /** The last {@link STRIP_SECONDS} of raw signal since the segmenter's last (re)start. */
  strip: RecentStrip | null = null;
  /** Marks of the beats scored within the strip, oldest first. */
  marks: BeatMark[] = [];
  private segmenter: StreamSegmenter | null = null;

  constructor(private readonly segmenters: SegmenterFactory) {}

  /**
   * Takes a record: a duplicate (seq ≤ last) is skipped; a gap, a change of fs, or a device
   * first seen mid-stream (seq > 0, state lost) restarts the segmenter (its warm-up is the
   * segmenter's bounded learning period). Returns the beats the record completed.
   */
  admit(record: DecodedRecord): { admission: RecordAdmission; beats: TimedBeat[] } {
    if (record.seq <= this.lastSeq) return { admission: 'duplicate', beats: [] };
    const contiguous = this.segmenter !== null && record.seq === this.lastSeq + 1 && record.fs === this.fs;
    const admission: RecordAdmission = contiguous || (this.segmenter === null && record.seq === 0) ? 'continued' : 'restarted';
    if (!contiguous) {
      this.segmenter = this.segmenters.create(record.fs);
      this.fs = record.fs;
      this.samplesIn = 0;
      this.anchors = [];
      this.strip = { t0: record.t0, samples: [] };
    }
    // First sight: the learning period counts from the device's first sample.
    if (this.phase === 'learning' && this.learnFrom === null && this.modelVersion === null) this.learnFrom = record.t0;
    this.anchors.push([this.samplesIn, record.t0]);
    if (this.anchors.length > MAX_ANCHORS) this.anchors.shift();
    this.samplesIn += record.samples.length;
    this.lastSeq = record.seq;
    this.extendStrip(record.samples);
    const raw = (this.segmenter as StreamSegmenter).push(record.samples);
    const beats = raw.map((b) => ({ ...b, t: this.timeOf(b.rIndex) }));
    return { admission, beats };
  }

  /** Epoch ms of a sample index: from the latest record starting at or before it. */
  timeOf(index: number): number {
    let anchor = this.anchors[0];
    for (let i = this.anchors.length - 1; i >= 0; i--) {
      if (this.anchors[i][0] <= index) {
        anchor = this.anchors[i];
        break;
      }
    }
    return Math.round(anchor[1] + ((index - anchor[0]) * 1000) / this.fs);
  }

  /** Remembers a scored beat for snippets, keeping only the last `limit`, and marks it on the strip. */
  keep(beat: KeptBeat, limit: number): void {
    this.kept.push(beat);
    if (this.kept.length > limit) this.kept.splice(0, this.kept.length - limit);
    this.marks.push({ t: beat.t, anomalous: beat.anomalous, ...(beat.kind === undefined ? {} : { kind: beat.kind }), rrPrev: beat.rrPrev });
  }

  /**
   * Appends a record's samples to the strip. It is not trimmed here: a batch can span far more
   * than {@link STRIP_SECONDS} (a shard catching up), and an alert early in the batch needs the
   * signal around it, so the detector trims once the batch's alerts are cut ({@link trimStrip}).
   */
  private extendStrip(samples: Float32Array): void {
    const strip = this.strip ?? (this.strip = { t0: this.anchors[this.anchors.length - 1][1], samples: [] });
    for (let i = 0; i < samples.length; i++) strip.samples.push(samples[i]);
  }

  /** Keeps the last {@link STRIP_SECONDS} of signal and the marks within it (end of each batch). */
  trimStrip(): void {
    const strip = this.strip;
    if (!strip || this.fs <= 0) return;
    const drop = strip.samples.length - Math.round(STRIP_SECONDS * this.fs);
    if (drop > 0) {
      strip.samples.splice(0, drop);
      strip.t0 += (drop * 1000) / this.fs;
    }
    let old = 0;
    while (old < this.marks.length && this.marks[old].t < strip.t0) old++;
    if (old > 0) this.marks.splice(0, old);
  }

  /**
   * The strip of an alert ending at `to`: up to {@link STRIP_SECONDS} of signal ending one second
   * after it (what was received), samples rounded to µV, and the marks of the beats in it.
   */
  stripAround(to: number): { t0: number; fs: number; samples: number[]; beats: BeatMark[] } | undefined {
    const strip = this.strip;
    if (!strip || this.fs <= 0 || strip.samples.length === 0) return undefined;
    const end = Math.min(strip.samples.length, Math.max(0, Math.ceil(((to + 1000 - strip.t0) * this.fs) / 1000)));
    const start = Math.max(0, end - Math.round(STRIP_SECONDS * this.fs));
    const t0 = strip.t0 + (start * 1000) / this.fs;
    const t1 = strip.t0 + (end * 1000) / this.fs;
    return {
      t0: Math.round(t0),
      fs: this.fs,
      samples: strip.samples.slice(start, end).map((v) => Math.round(v * 1000) / 1000),
      beats: this.marks.filter((m) => m.t >= t0 && m.t <= t1).map((m) => ({ ...m })),
    };
  }

  /** Plain-JSON snapshot (deep: later changes to this state do not reach it). */
  toJSON(): DeviceStateJson {
    return structuredClone({
      lastSeq: this.lastSeq,
      fs: this.fs,
      samplesIn: this.samplesIn,
      anchors: this.anchors,
      segmenter: this.segmenter === null ? null : this.segmenter.toJSON(),
      policy: this.policy,
      kept: this.kept,
      adaptation: {
        phase: this.phase,
        modelVersion: this.modelVersion,
        learnFrom: this.learnFrom,
        learner: this.learner === null ? null : this.learner.toJSON(),
        profile: this.profile,
        live: this.tracker === null ? null : this.tracker.toJSON(),
      },
      strip: this.strip,
      marks: this.marks,
    });
  }

  /** Rebuilds a state from {@link DeviceState.toJSON} output. */
  static fromJSON(json: DeviceStateJson, segmenters: SegmenterFactory, adapter: PatientAdapter | null = null): DeviceState {
    const s = new DeviceState(segmenters);
    const copy = structuredClone(json);
    s.lastSeq = copy.lastSeq;
    s.fs = copy.fs;
    s.samplesIn = copy.samplesIn;
    s.anchors = copy.anchors.map(([i, t]) => [i, t]);
    s.policy = copy.policy;
    s.kept = [...copy.kept];
    s.segmenter = copy.segmenter === null ? null : segmenters.restore(copy.segmenter);
    const a = copy.adaptation;
    s.phase = a.phase;
    s.modelVersion = a.modelVersion;
    s.learnFrom = a.learnFrom;
    s.profile = a.profile;
    s.strip = copy.strip ?? null;
    s.marks = [...(copy.marks ?? [])];
    if (a.learner !== null) {
      if (adapter === null) throw new Error('device state holds a learner but no adapter was given to restore it');
      s.learner = adapter.restoreLearner(a.learner);
    }
    if (a.live !== undefined && a.live !== null && a.profile !== null) {
      if (adapter?.track === undefined) throw new Error('device state holds a live profile but no adapter that tracks one was given');
      s.tracker = adapter.track(a.profile, a.live);
    }
    return s;
  }
}
