import { initialAlertPolicyState, type AlertPolicyState } from './alert-policy';
import type { DeviceProfile, DevicePhase, PatientAdapter, ProfileLearner, ProfileTracker } from './patient-adaptation';
import type { BeatMark, DecodedRecord, SegmentedBeat, SegmentedSecond, SegmenterFactory, SegmenterLeads, StreamSegmenter } from './ports';
import { recordLead } from '../contract';
import { MODEL_LEAD, type SecondQuality, type StreamHead } from '../ecg';
import { SecondLead, type SecondLeadJson } from './second-lead';
import { RhythmMonitor, type RhythmMonitorState } from './rhythm-monitor';
export type { BeatMark } from './ports';

/** A beat of a device, placed in time (epoch ms of its R peak). */
export interface TimedBeat extends SegmentedBeat {
  /** Epoch ms of the R peak, rounded to a whole ms (alert ids are built from it). */
  readonly t: number;
}

/**
 * How a record was taken by a device's state:
 * - `continued`: the next record of the stream (the segmenter goes on);
 * - `restarted`: taken after a gap, a change of `fs` or a first sight mid-stream (segmenter restarted);
 * - `duplicate`: skipped, its time is already covered (a re-delivery or a producer's re-send);
 * - `reset`: the device restarted its counter (see {@link STREAM_RULES}): taken, segmenter restarted;
 * - `refused`: implausible (see {@link STREAM_RULES}): quarantined, the state is untouched.
 */
export type RecordAdmission = 'duplicate' | 'continued' | 'restarted' | 'reset' | 'refused';

/**
 * Which leads a device's records are segmented on (docs/ARCHITECTURE.md §3.2): the model's lead
 * by name first, then, for records with several leads and `leads` 2, one other.
 */
export interface LeadPlan {
  /** The lead the model was trained on (default MLII). */
  readonly lead: string;
  /** Leads segmented per device: 1 (the model's only) or 2 (default). */
  readonly leads: 1 | 2;
  /** Signal-quality thresholds that tell when a lead is unusable (the rhythm monitor's). */
  readonly sqi?: SegmenterLeads['sqi'];
  /** When poor seconds make a lead unusable for a stretch (the rhythm monitor's technical rule). */
  readonly stretch?: SegmenterLeads['stretch'];
}

/** The default {@link LeadPlan}: MLII, two leads when a record has them. */
export const DEFAULT_LEAD_PLAN: LeadPlan = Object.freeze({ lead: MODEL_LEAD, leads: 2 });

/** What {@link DeviceState.admit} did with a record. */
export interface Admitted {
  readonly admission: RecordAdmission;
  readonly beats: TimedBeat[];
  /** The samples of the lead segmented first (the model's), for the strip and the one-lead rhythm monitor. */
  readonly samples?: Float32Array;
  /** Multi-lead devices: the seconds the segmenter decided (lead used, its quality), for the rhythm monitor. */
  readonly seconds?: SegmentedSecond[];
  /** Multi-lead devices: the seconds judged on every lead but not decided yet, after this record (`StreamHead`). */
  readonly head?: StreamHead;
  /** The device's clock jumped (back, or forward beyond the bound): its timeline was rebased. */
  readonly clockJump?: 'back' | 'forward';
  /** Why a `refused` record is implausible (no sample values, no device id). */
  readonly reason?: string;
}

/**
 * The rules that keep one device's stream going whatever its counter and clock do
 * (docs/ARCHITECTURE.md §4). `lastEnd` is the device-clock end of the last record taken
 * (`t0 + samples/fs`); `elapsed` is the stream's own clock between the two records' arrivals
 * (Kinesis' approximate arrival, which no producer can forge; 0 when unknown).
 *
 * - **Duplicate**: `seq <= lastSeq` and `t0 <= lastT0` or `t0 < lastEnd - clockJitterMs`: its
 *   time is covered.
 * - **Device restart** (`reset`, counted `DeviceRestarts`): `seq <= lastSeq` and either
 *   `t0 > lastT0` and `t0 >= lastEnd - clockJitterMs` (the counter went back while the clock
 *   went on: a reboot, a
 *   firmware update, a replaced gateway; a re-delivery always carries its old `t0`), or the
 *   record arrived more than `redeliveryWindowMs` after the last one taken (Kinesis re-deliveries
 *   keep their arrival time; a producer re-sends within seconds), which also frees a device from
 *   a state set by one bad record. The device resumes at once; its segmenter restarts.
 * - **Seq jump**: `seq - lastSeq` may exceed `maxSeqJump` only when the device-clock gap
 *   covers the missing records (at least half a record length each): otherwise the record is
 *   refused (quarantined with the reason), so one record with seq 10^15 cannot mute a device.
 * - **Clock jump** (counted `ClockJumps`): back, `t0 < lastEnd - clockJitterMs` with
 *   `seq > lastSeq`; forward, `t0 - lastEnd > elapsed + maxClockStepMs`. The record is taken
 *   and placed on the device's **timeline** right after the last one (plus `elapsed` when it
 *   is not the next seq): beat times, the alert policy, the learning period and the publish
 *   watermark all run on that timeline, which never goes back. A forward jump that also skips
 *   records (`seq > lastSeq + 1`) is refused unless the record after it confirms it (continues
 *   it in seq and time): a forged far-future record costs nothing, a real clock step one record.
 *
 * For a device whose clock never jumps the timeline is its clock (offset 0).
 */
export const STREAM_RULES = Object.freeze({
  /** Records a seq may skip without a device-clock gap to back it. */
  maxSeqJump: 1000,
  /** How much further than the stream's clock a device's clock may move between two records. */
  maxClockStepMs: 10 * 60_000,
  /** Rounding and jitter of device clocks: a `t0` this much before the last end is still "on time". */
  clockJitterMs: 250,
  /** A record arriving this long after the last one taken cannot be a duplicate. */
  redeliveryWindowMs: 10 * 60_000,
});

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

/**
 * A device's clocks: the device-clock end of the last record, its arrival (stream clock), the
 * timeline offset (timeline = device clock + offset), the timeline end of the last record, and
 * the last refused record, which the next one may confirm.
 */
export interface DeviceClockJson {
  readonly lastT0: number | null;
  readonly lastEnd: number | null;
  readonly lastArrival: number | null;
  readonly offset: number;
  readonly timelineEnd: number | null;
  readonly suspect: { readonly seq: number; readonly end: number } | null;
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
  /** Absent in states written before clocks were kept: a fresh clock. */
  readonly clock?: DeviceClockJson;
  /** Timeline span of the last record with clipped samples (absent: none). */
  readonly artifact?: readonly [number, number] | null;
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
  /** Signal quality and rhythm episodes (absent in states saved before issue 13). */
  readonly monitor?: RhythmMonitorState | null;
  /** Names of the leads a multi-lead segmenter fuses, the model's first (absent or null: one lead). */
  readonly leadNames?: readonly (string | null)[] | null;
  /** Adaptation on the second lead (absent or null: none). */
  readonly second?: SecondLeadJson | null;
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
  /** Timeline span [from, to] of the last record with clipped samples: its beats are artefacts. */
  artifact: [number, number] | null = null;
  /** The device's clocks ({@link STREAM_RULES}). */
  clock: DeviceClockJson = { lastT0: null, lastEnd: null, lastArrival: null, offset: 0, timelineEnd: null, suspect: null };
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
  /** Signal quality and rhythm episodes of the stream (created by the detector on first use). */
  monitor: RhythmMonitor | null = null;
  /**
   * Names of the leads the segmenter fuses, the model's first (null: one lead). Fixed when a
   * multi-lead segmenter starts: a later record lacking one of them has it absent.
   */
  leadNames: (string | null)[] | null = null;
  /** What the device learns and scores on its second lead (null: none). */
  second: SecondLead | null = null;

  constructor(private readonly segmenters: SegmenterFactory) {}

  /**
   * Takes a record by the rules of {@link STREAM_RULES}: a duplicate is skipped, an implausible
   * record refused (state untouched), a device restart resumes the device; a gap, a change of
   * fs, or a device first seen mid-stream (seq > 0, state lost) restarts the segmenter (its
   * warm-up is the segmenter's bounded learning period). `arrivedAt` is the record's arrival on
   * the stream (epoch ms; NaN when unknown). Returns the beats the record completed, placed on
   * the device's timeline.
   */
  admit(record: DecodedRecord, arrivedAt = Number.NaN, plan: LeadPlan = DEFAULT_LEAD_PLAN): Admitted {
    const rules = STREAM_RULES;
    const c = this.clock;
    const durationMs = (record.samples.length * 1000) / record.fs;
    const end = record.t0 + durationMs;
    const elapsed = Number.isFinite(arrivedAt) && c.lastArrival !== null ? Math.max(0, arrivedAt - c.lastArrival) : 0;
    const first = this.lastSeq < 0;
    const gap = record.t0 - (c.lastEnd ?? record.t0);
    const back = !first && gap < -rules.clockJitterMs;
    const confirmed = c.suspect !== null && record.seq === c.suspect.seq + 1 && Math.abs(record.t0 - c.suspect.end) <= rules.clockJitterMs;
    let admission: RecordAdmission;
    let clockJump: 'back' | 'forward' | undefined;
    if (!first && record.seq <= this.lastSeq && !confirmed) {
      // A re-delivery starts no later than the last record taken did. No clock kept (a state
      // from before clocks were): seq alone decides, as it did then.
      const covered = back || c.lastT0 === null || record.t0 <= c.lastT0;
      if (covered && elapsed <= rules.redeliveryWindowMs) return { admission: 'duplicate', beats: [] };
      admission = 'reset';
      if (back) clockJump = 'back';
    } else if (first) {
      admission = record.seq === 0 ? 'continued' : 'restarted';
    } else {
      const jump = record.seq - this.lastSeq;
      const forward = gap > elapsed + rules.maxClockStepMs;
      const covered = (jump - 1) * (durationMs / 2) <= Math.max(0, forward ? elapsed : gap);
      if (!confirmed && jump > rules.maxSeqJump && !covered) {
        this.clock = { ...c, suspect: { seq: record.seq, end } };
        return {
          admission: 'refused',
          beats: [],
          reason: `seq jumps ${jump} records ahead of the device's last record, not backed by its clock`,
        };
      }
      if (!confirmed && forward && jump > 1) {
        this.clock = { ...c, suspect: { seq: record.seq, end } };
        return {
          admission: 'refused',
          beats: [],
          reason: `t0 jumps ${Math.round(gap / 1000)} s ahead of the device's last record while seq skips ${jump - 1} records`,
        };
      }
      if (back) clockJump = 'back';
      else if (forward) clockJump = 'forward';
      const contiguous = this.segmenter !== null && jump === 1 && record.fs === this.fs;
      admission = contiguous ? 'continued' : 'restarted';
    }
    const primary = recordLead(record, plan.lead);
    const multi = plan.leads > 1 && (record.leads?.length ?? 0) > 1;
    // A device that starts sending several leads gets a multi-lead segmenter (a restart, once).
    if (admission === 'continued' && multi && this.leadNames === null) admission = 'restarted';
    if (admission !== 'continued' || this.segmenter === null) {
      if (multi) {
        this.leadNames = [primary.name, (record.leads ?? []).find((l) => l.name !== primary.name)?.name ?? null];
        this.segmenter = this.segmenters.create(record.fs, {
          leads: 2,
          ...(plan.sqi === undefined ? {} : { sqi: plan.sqi }),
          ...(plan.stretch === undefined ? {} : { stretch: plan.stretch }),
        });
      } else {
        this.leadNames = null;
        this.segmenter = this.segmenters.create(record.fs);
      }
      this.fs = record.fs;
      this.samplesIn = 0;
      this.anchors = [];
      this.strip = { t0: record.t0, samples: [] };
    }
    // The timeline: the device clock plus an offset that changes only at a clock jump, so
    // that time never goes back for the policy, the learning period or the watermark.
    let start = record.t0 + c.offset;
    if (clockJump !== undefined && c.timelineEnd !== null) start = c.timelineEnd + (record.seq === this.lastSeq + 1 ? 0 : elapsed);
    this.clock = {
      lastT0: record.t0,
      lastEnd: end,
      lastArrival: Number.isFinite(arrivedAt) ? Math.max(arrivedAt, c.lastArrival ?? -Infinity) : c.lastArrival,
      offset: start - record.t0,
      timelineEnd: Math.max(start + durationMs, c.timelineEnd ?? -Infinity),
      suspect: null,
    };
    // First sight: the learning period counts from the device's first sample.
    if (this.phase === 'learning' && this.learnFrom === null && this.modelVersion === null) this.learnFrom = start;
    this.anchors.push([this.samplesIn, start]);
    if (this.anchors.length > MAX_ANCHORS) this.anchors.shift();
    this.samplesIn += record.samples.length;
    this.lastSeq = record.seq;
    this.extendStrip(primary.samples);
    const segmenter = this.segmenter as StreamSegmenter;
    const others = this.leadNames === null ? undefined : this.leadNames.slice(1).map((name) => leadNamed(record, name));
    const raw = segmenter.push(primary.samples, others);
    const beats = raw.map((b) => ({ ...b, t: this.timeOf(b.rIndex) }));
    const seconds = segmenter.takeSeconds?.();
    const head = segmenter.head?.();
    return {
      admission,
      beats,
      samples: primary.samples,
      ...(seconds === undefined ? {} : { seconds }),
      ...(head === undefined ? {} : { head }),
      ...(clockJump === undefined ? {} : { clockJump }),
    };
  }

  /** Whether the segmenter fuses several leads. */
  get multiLead(): boolean {
    return this.leadNames !== null;
  }

  /** Whether the segmenter reports pending R peaks (the real one does; toy test segmenters do not). */
  get reportsPeaks(): boolean {
    return typeof this.segmenter?.pendingPeaks === 'function';
  }

  /** R peaks the segmenter has detected but not emitted as beats yet (sample indices). */
  pendingPeaks(): number[] {
    return this.segmenter?.pendingPeaks?.() ?? [];
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

  /**
   * Signal-quality verdicts of the judged seconds that overlap `[from, to]` (device timeline,
   * epoch ms), oldest first, each with its start time; empty without a monitor. For an alert's
   * explanation: the quality of the signal its beats came from.
   */
  qualityBetween(from: number, to: number): { t: number; quality: SecondQuality }[] {
    if (this.monitor === null) return [];
    return this.monitor
      .judgedSeconds()
      .map((s) => ({ t: this.timeOf(s.start), quality: s.quality }))
      .filter((s) => s.t + 1000 > from && s.t <= to);
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
      clock: this.clock,
      artifact: this.artifact,
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
      monitor: this.monitor === null ? null : this.monitor.toJSON(),
      leadNames: this.leadNames,
      second: this.second === null ? null : this.second.toJSON(),
    });
  }

  /** Rebuilds a state from {@link DeviceState.toJSON} output. */
  static fromJSON(json: DeviceStateJson, segmenters: SegmenterFactory, adapter: PatientAdapter | null = null): DeviceState {
    const s = new DeviceState(segmenters);
    const copy = structuredClone(json);
    s.lastSeq = copy.lastSeq;
    s.fs = copy.fs;
    s.samplesIn = copy.samplesIn;
    if (copy.clock !== undefined) s.clock = copy.clock;
    s.artifact = copy.artifact ? [copy.artifact[0], copy.artifact[1]] : null;
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
    if (copy.monitor) s.monitor = RhythmMonitor.fromJSON(copy.monitor);
    s.leadNames = copy.leadNames ? [...copy.leadNames] : null;
    if (copy.second) {
      if (adapter === null) throw new Error('device state holds a second-lead adaptation but no adapter was given to restore it');
      s.second = SecondLead.fromJSON(copy.second, adapter, a.profile);
    }
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

/** The samples of a record's lead named `name` (null: the record does not have it, or names none). */
function leadNamed(record: DecodedRecord, name: string | null): Float32Array | null {
  if (name === null) return null;
  return record.leads?.find((l) => l.name === name)?.samples ?? null;
}
