import { DEFAULT_ALERT_POLICY, stepAlertPolicy, validateAlertPolicy, type AlertDecision, type AlertPolicyOptions } from './alert-policy';
import { isEpisodeAlert, toAlertMessage, toAlertSnippet, toEpisodeMessage } from './alert-message';
import {
  DEFAULT_RHYTHM_OPTIONS,
  poorStretchRule,
  RhythmMonitor,
  type BeatShape,
  type EpisodeEvent,
  type MonitoredBeat,
  type RhythmOptions,
} from './rhythm-monitor';
import { DeviceRegistry, type DeviceRegistryOptions } from './device-registry';
import { DEFAULT_LEAD_PLAN, type DeviceState, type DeviceStateJson, type KeptBeat, type LeadPlan, type TimedBeat } from './device-state';
import { secondLeadBeat, SecondLead } from './second-lead';
import { beatVerdict } from './beat-verdict';
import { recordLead } from '../contract/decode-record';
import { DEFAULT_LEARNING_SECONDS, patientProfileAdapter } from './adapters';
import { DEFAULT_BEAT_WINDOW } from '../ecg/beat-window-spec';
import type { SecondQuality } from '../ecg/signal-quality';
import { reconstructionErrorOf } from '../model/beat-scoring';
import {
  MAX_LEARNING_EXTENSION,
  PROFILE_FORMAT_VERSION,
  type BeatKind,
  type DevicePhase,
  type DeviceProfile,
  type LearnerContext,
  type PatientAdapter,
  type ProfileStore,
} from './patient-adaptation';
import type {
  AlertMessage,
  AlertSnippet,
  BeatModel,
  SegmentedBeat,
  DecodedRecord,
  DetectSinks,
  EpisodeAlertMessage,
  RecordDecoder,
  Rejection,
  DeviceSettings,
  SnoozeSource,
} from './ports';
import { clipAmplitude } from '../contract/signal-bounds';
import { DEFAULT_SIGNAL_LOST_CHECK_SECONDS, DEFAULT_SIGNAL_LOST_SECONDS, signalLostTiming } from '../contract/signal-lost';
import { labelThresholdOf } from '../contract/device-labels';
import { explainAlert } from './explain';
import { MemoryPresenceStore, SignalLostMonitor, type DeviceArrival, type PresenceStore } from './signal-lost';
import { SentEpisodes } from './sent-episodes';

/**
 * Beats this close (ms) to a record with clipped samples are artefacts: the R peak's window (up
 * to 1 s around it) saw the clipped samples.
 */
const ARTIFACT_MARGIN_MS = 1000;

/** One input record of a batch (a Kinesis record, already base64-decoded). */
export interface InputRecord {
  /** Record id reported back on failure (the Kinesis sequence number). */
  readonly id: string;
  readonly data: Uint8Array;
  /** Epoch ms the record reached the stream. */
  readonly arrivedAt: number;
}

/** Options of a {@link Detector}; every field has a documented default. */
export interface DetectorOptions extends DeviceRegistryOptions {
  /** Alert policy (default {@link DEFAULT_ALERT_POLICY}). */
  readonly policy?: AlertPolicyOptions;
  /** Replaces the artifact's global threshold (default: the artifact's). Per-device thresholds still win. */
  readonly globalThreshold?: number;
  /**
   * Multiplies every threshold, population and learned (default 1): one knob for sensitivity.
   * A beat's relative score is divided by it, so 1.2 flags only beats 20 % further out.
   */
  readonly thresholdMultiplier?: number;
  /** Patient adaptation (default {@link patientProfileAdapter}; `thresholdCalibrationAdapter()`, `OFF_ADAPTER` for ablation). */
  readonly adaptation?: PatientAdapter;
  /** Learning period of a device, seconds of signal after first sight or a model change (default 300, EC57). */
  readonly learningSeconds?: number;
  /**
   * Where learned profiles persist (S3 `devices/` in the Lambda). Loaded once per device when
   * it is first seen in this environment, saved when its learning period completes. Default:
   * none (profiles live in memory only, and a device relearns after a cold start).
   */
  readonly profiles?: ProfileStore;
  /**
   * Snoozed devices (the alert state store in the Lambda). Read once per batch for its devices;
   * a snoozed device's warnings are not sent (counted in `snoozedAlerts`), its critical alerts
   * always are. A failed read snoozes nothing: better an alert too many than one silenced.
   */
  readonly snoozes?: SnoozeSource;
  /** Wall clock for snoozes (default `Date.now`). */
  readonly now?: () => number;
  /**
   * Signal quality, technical alerts and rhythm episodes (docs/ARCHITECTURE.md §3.3): thresholds
   * over {@link DEFAULT_RHYTHM_OPTIONS}, or `false` for none (beats are then never gated).
   */
  readonly rhythm?: Partial<RhythmOptions> | false;
  /**
   * Deadline from a device's last record to its `signal-lost` alert, seconds (default 60;
   * `src/contract/signal-lost.ts`). With {@link DetectorOptions.signalLostCheckSeconds} it sets
   * the silence after which a device is declared lost (default 50 s).
   */
  readonly signalLostSeconds?: number;
  /** Seconds between two signal-lost sweeps (default 10): the sweep and the detector must agree. */
  readonly signalLostCheckSeconds?: number;
  /**
   * Where devices' last arrivals and open `signal-lost` episodes persist, shared with the sweep
   * (the alert state table in the Lambda). Default: memory, this detector's view only.
   */
  readonly presence?: PresenceStore;
  /**
   * Leads detected on per device (docs/ARCHITECTURE.md §3.2): 2 (default) detects beats on a
   * second lead of multi-lead (v2) records where the model's lead is unusable (lost, flat,
   * noisy), so detection survives its loss; 1 the model's lead only.
   */
  readonly leads?: 1 | 2;
  /**
   * With two leads, also learn each device's second lead and score a beat on it where the
   * model's lead is unusable or its verdict gates the beat as noise (default true; false: such
   * beats are gated). Chosen on MIT-BIH DS1 leave-one-record-out by the acceptance criteria (all
   * 22 folds; README, "Detection figures"): V AUC 0.968 to 0.979 and VEB Se 89.7 % to 90.4 %, for
   * +P 93.4 % to 92.6 % and one more false alert (record 108, on V1 where MLII is noisy).
   */
  readonly secondLeadScoring?: boolean;
  /**
   * Sees every beat as the rhythm rules are given it (evaluation only: choosing the rules'
   * constants replays them over exactly these beats, `src/evaluate/rhythm-replay.ts`).
   */
  readonly rhythmTap?: (deviceId: string, beat: MonitoredBeat) => void;
}

export { DEFAULT_SIGNAL_LOST_SECONDS } from '../contract/signal-lost';

/** One scored beat, as reported to observers (metrics, the demo's report). */
export interface ScoredBeat {
  readonly deviceId: string;
  readonly t: number;
  /** Relative score: 1 = the device's threshold (the population one while learning), thresholdMultiplier applied. */
  readonly score: number;
  /** The model's own score (reconstruction error and prematurity), before any adaptation. */
  readonly modelScore: number;
  /** Always 1: scores are relative (kept so plots draw the threshold line). */
  readonly threshold: number;
  readonly anomalous: boolean;
  readonly kind: BeatKind;
  /** `learning`: scored by the population model while the device learns its profile. */
  readonly phase: DevicePhase;
  /** The lead the beat was scored on, when not the model's (its second lead: the model's was unusable there). */
  readonly lead?: string;
}

/** What one batch did. */
export interface BatchResult {
  /** Ids of records to report in `batchItemFailures` (the caller retries from the lowest). */
  readonly failedRecordIds: string[];
  /** Beat alerts published by this batch. */
  readonly alerts: AlertMessage[];
  /** Rhythm and technical episode alerts (onsets and offsets) published by this batch. */
  readonly episodes: EpisodeAlertMessage[];
  /** Every beat scored by this batch (of devices whose outcome stands, i.e. not rolled back). */
  readonly beats: ScoredBeat[];
  readonly counts: {
    records: number;
    rejected: number;
    duplicates: number;
    segmenterRestarts: number;
    beatsScored: number;
    anomalousBeats: number;
    alerts: number;
    failedAlerts: number;
    rolledBackDevices: number;
    /** Beats scored while their device was learning. */
    learningBeats: number;
    /** Non-critical alerts not sent because their device was learning. */
    heldAlerts: number;
    /** Devices whose learning period completed in this batch. */
    profilesLearned: number;
    /** Learned profiles that changed materially and were saved again (template drift, a new normal morphology). */
    profileUpdates: number;
    profileLoads: number;
    profilesFound: number;
    profileSaves: number;
    profileFailures: number;
    /** Devices that restarted their seq counter (resumed, see `STREAM_RULES`). */
    deviceRestarts: number;
    /** Device clock jumps (back, or forward beyond the bound): rebased onto the device's timeline. */
    clockJumps: number;
    /** Records refused as implausible (seq or t0 jump), quarantined with the reason; also in `rejected`. */
    implausibleRecords: number;
    /** Records with samples beyond ±MAX_ABS_MV (clipped, still processed). */
    amplitudeFlagged: number;
    /** Devices evicted from memory by this batch (to make room for new ones). */
    evictions: number;
    /** Devices refused because memory was full of active devices; their records are dropped. */
    refusedDevices: number;
    /** Records of refused devices, dropped (not scored). */
    refusedRecords: number;
    /** Alerts raised again by a retry and not re-sent because they already went out. */
    alreadyPublished: number;
    /**
     * Warnings not sent because their device was snoozed: beat alerts and rhythm or technical
     * episode warnings alike (critical alerts, beat or episode, are never snoozed).
     */
    snoozedAlerts: number;
    /**
     * Beats left out of alerts as artefacts (kind `gated`): their signal was poor (noise, lead-off,
     * clipping; not scored, not learned from) or they were near a record with samples beyond
     * ±MAX_ABS_MV (scored, reported, kept out of alerts).
     */
    gatedBeats: number;
    /** Episode alerts published (rhythm and technical, onsets and offsets; `signal-lost` included). */
    episodeAlerts: number;
    /** Devices' last arrivals persisted (at most one per device per `writeEveryMs`, `src/contract/signal-lost.ts`). */
    presenceWrites: number;
    /** Persisting them failed (tried again at the next batch; the batch itself does not fail for it). */
    presenceFailures: number;
    /**
     * Beats of multi-lead devices whose R peak was found on another lead than the model's (the
     * model's lead was unusable there: lost, flat, noisy), or that were scored on their second
     * lead for that reason: detection went on without the model's lead.
     */
    leadFallbackBeats: number;
  };
  /** Wall ms of the one batched scoring call. */
  readonly scoringMs: number;
  /** Wall ms spent explaining this batch's alerts (reconstructions included): the added latency per alert. */
  readonly explainMs: number;
}

/** What an alert's explanation needs from its device at the moment it was raised. */
interface ExplainContext {
  readonly recent: readonly KeptBeat[];
  readonly template: ArrayLike<number> | null;
  readonly typicalRr: number | null;
  readonly modelThreshold: number;
  readonly quality: readonly { readonly t: number; readonly quality: SecondQuality }[];
}

interface DeviceWork {
  readonly deviceId: string;
  /** The device's state, held for the whole batch (the registry may evict it meanwhile). */
  state: DeviceState | null;
  readonly records: { id: string; record: DecodedRecord; item: InputRecord }[];
  snapshot: DeviceStateJson | null;
  beats: TimedBeat[];
  firstScore: number;
  /** Per beat, the index in the batched scores of its second-lead window (-1: not scored). */
  second: number[];
  decisions: { decision: AlertDecision; message: AlertMessage; snippet: AlertSnippet; context: ExplainContext }[];
  /** A profile learned in this batch, to save before any alert goes out. */
  learned: DeviceProfile | null;
  /** A learned profile that changed materially in this batch, to save likewise. */
  updated: DeviceProfile | null;
  /** Rhythm and technical episode events of this batch, in order. */
  events: EpisodeEvent[];
}

/**
 * The streaming detector: per-device state plus the batch pipeline of docs/ARCHITECTURE.md §1, read
 * top-down in {@link Detector.processBatch}.
 *
 * Retry design (at-least-once, no alert lost or doubled): a device's state is snapshotted at
 * the start of each batch. If any side effect of one of its alerts fails, the device is rolled
 * back to that snapshot and every record of it in the batch is reported failed, so the retry
 * (which restarts at the lowest failed record) replays exactly the same samples into exactly the
 * same state and raises the same alerts with the same ids. Alerts already published are
 * skipped by the registry's per-device publish watermark, which is not rolled back. Records of
 * other devices in the replay are duplicates and skipped.
 *
 * @example
 * const detector = new Detector(sinks, decodeRecord);
 * const { failedRecordIds } = await detector.processBatch(records, model);
 */
export class Detector {
  readonly devices: DeviceRegistry;
  private readonly policy: AlertPolicyOptions;
  private readonly adapter: PatientAdapter;
  private readonly learningMs: number;
  private segmenterKey: unknown = null;
  private readonly rhythm: RhythmOptions | null;
  /** `signal-lost`: arrivals persisted, episodes ended by a return, silent devices found (src/detect/signal-lost.ts). */
  private readonly signalLost: SignalLostMonitor;
  private readonly leads: 1 | 2;
  /** Episode alert ids each device published: not sent again when a rollback replays them. */
  private readonly sentEpisodes = new SentEpisodes();

  constructor(
    private readonly sinks: DetectSinks,
    private readonly decode: RecordDecoder,
    private readonly options: DetectorOptions = {},
    initialModel?: BeatModel,
  ) {
    this.policy = validateAlertPolicy(options.policy ?? DEFAULT_ALERT_POLICY);
    const m = options.thresholdMultiplier ?? 1;
    if (!(m > 0) || !Number.isFinite(m)) throw new RangeError(`thresholdMultiplier must be a finite number > 0, got ${m}`);
    this.adapter = options.adaptation ?? patientProfileAdapter();
    const learning = options.learningSeconds ?? DEFAULT_LEARNING_SECONDS;
    if (!(learning >= 0) || !Number.isFinite(learning))
      throw new RangeError(`learningSeconds must be a finite number >= 0, got ${learning}`);
    this.learningMs = learning * 1000;
    this.rhythm = options.rhythm === false ? null : { ...DEFAULT_RHYTHM_OPTIONS, ...options.rhythm };
    this.signalLost = new SignalLostMonitor(
      {
        presence: options.presence ?? new MemoryPresenceStore(),
        // signal-lost onsets and offsets are episode alerts: in the console too.
        publish: (m) => (isEpisodeAlert(m) ? this.publishEpisode(m) : this.sinks.publishAlert(m)),
        snoozes: options.snoozes,
        now: options.now,
      },
      signalLostTiming(
        options.signalLostSeconds ?? DEFAULT_SIGNAL_LOST_SECONDS,
        options.signalLostCheckSeconds ?? DEFAULT_SIGNAL_LOST_CHECK_SECONDS,
      ),
    );
    this.leads = options.leads ?? 2;
    if (this.leads !== 1 && this.leads !== 2) throw new RangeError(`leads must be 1 or 2, got ${String(options.leads)}`);
    this.devices = new DeviceRegistry(initialModel?.segmenters ?? { create: noModel, restore: noModel }, options, this.adapter);
    if (initialModel) this.segmenterKey = initialModel.segmenters;
  }

  /** Runs one batch through the pipeline. Never throws for bad records; side-effect failures become failed record ids. */
  async processBatch(input: readonly InputRecord[], model: BeatModel): Promise<BatchResult> {
    this.useModel(model);
    const counts = {
      records: input.length,
      rejected: 0,
      duplicates: 0,
      segmenterRestarts: 0,
      beatsScored: 0,
      anomalousBeats: 0,
      alerts: 0,
      failedAlerts: 0,
      rolledBackDevices: 0,
      learningBeats: 0,
      heldAlerts: 0,
      profilesLearned: 0,
      profileUpdates: 0,
      profileLoads: 0,
      profilesFound: 0,
      profileSaves: 0,
      profileFailures: 0,
      deviceRestarts: 0,
      clockJumps: 0,
      implausibleRecords: 0,
      amplitudeFlagged: 0,
      evictions: 0,
      refusedDevices: 0,
      refusedRecords: 0,
      alreadyPublished: 0,
      snoozedAlerts: 0,
      gatedBeats: 0,
      episodeAlerts: 0,
      presenceWrites: 0,
      presenceFailures: 0,
      leadFallbackBeats: 0,
    };
    const evictionsBefore = this.devices.evictions;
    const failed = new Set<string>();

    // 1. Decode; rejections are quarantined and never hold up the rest.
    const rejections: Rejection[] = [];
    const clipped = new Set<string>();
    const byDevice = new Map<string, DeviceWork>();
    for (const item of input) {
      const decoded = this.decode(item.data);
      if (!decoded.ok) {
        rejections.push({
          recordId: item.id,
          reason: decoded.reason,
          ...(decoded.field === undefined ? {} : { field: decoded.field }),
          data: item.data,
          arrivedAt: item.arrivedAt,
        });
        continue;
      }
      // Physiological bounds: an absurd amplitude is clipped (and counted) so that it cannot
      // blind the QRS detector for longer than the record itself. Every lead is clipped; beats
      // are artefacts only when the model's lead was.
      const modelLead = recordLead(decoded.record, model.lead).samples;
      let others = 0;
      for (const l of decoded.record.leads ?? []) if (l.samples !== modelLead) others += clipAmplitude(l.samples);
      const first = clipAmplitude(modelLead);
      if (first + others > 0) counts.amplitudeFlagged++;
      if (first > 0) clipped.add(item.id);
      const { deviceId } = decoded.record;
      let work = byDevice.get(deviceId);
      if (!work)
        byDevice.set(
          deviceId,
          (work = {
            deviceId,
            state: null,
            records: [],
            snapshot: null,
            beats: [],
            firstScore: 0,
            second: [],
            decisions: [],
            learned: null,
            updated: null,
            events: [],
          }),
        );
      work.records.push({ id: item.id, record: decoded.record, item });
    }

    // 1b. Devices new to this environment (cold start, eviction, another container): their
    // learned profiles, all loaded at once. A failed load fails the device's records (retried
    // later) rather than silently starting a new learning period.
    const [loaded, settings] = await Promise.all([this.loadProfiles(byDevice, failed, counts), this.loadSettings(byDevice)]);
    const snoozed = new Map([...settings].map(([id, s]) => [id, s.snoozedUntil ?? 0]));
    const now = (this.options.now ?? Date.now)();

    // 2. Per device, in seq order: duplicates skipped, gaps restart the segmenter, beats cut
    // (on the model's lead by name, and on a second lead of multi-lead records).
    const plan: LeadPlan = {
      lead: model.lead ?? DEFAULT_LEAD_PLAN.lead,
      leads: this.leads,
      ...(this.rhythm === null ? {} : { sqi: this.rhythm.sqi, stretch: poorStretchRule(this.rhythm) }),
    };
    const allBeats: TimedBeat[] = [];
    for (const work of [...byDevice.values()]) {
      inDeviceOrder(work.records);
      work.snapshot = this.devices.snapshot(work.deviceId);
      const activeAt = Math.max(...work.records.map((r) => r.item.arrivedAt));
      const acquired = this.devices.acquire(work.deviceId, activeAt);
      if (acquired === null) {
        // Memory is full of devices active more recently: this one is dropped, visibly
        // (RefusedDevices, DeviceEvictions), rather than restarting every device on every record.
        counts.refusedDevices++;
        counts.refusedRecords += work.records.length;
        byDevice.delete(work.deviceId);
        continue;
      }
      const state = (work.state = acquired);
      const profile = loaded.get(work.deviceId);
      if (profile) {
        state.profile = profile;
        state.tracker = null;
        state.second = profile.secondLead ? SecondLead.learned(profile.secondLead.lead) : null;
      }
      for (const { record, item } of work.records) {
        let admitted: ReturnType<DeviceState['admit']>;
        try {
          admitted = state.admit(record, item.arrivedAt, plan);
        } catch (err) {
          // Valid on the wire but not for the signal path (e.g. an fs the QRS detector does not
          // support): quarantined like any bad record, never a failed batch that blocks the shard.
          rejections.push({
            recordId: item.id,
            reason: `record cannot be segmented: ${(err as Error).message}`,
            data: item.data,
            arrivedAt: item.arrivedAt,
          });
          continue;
        }
        if (admitted.admission === 'refused') {
          counts.implausibleRecords++;
          rejections.push({
            recordId: item.id,
            reason: `implausible record: ${admitted.reason}`,
            data: item.data,
            arrivedAt: item.arrivedAt,
          });
          continue;
        }
        if (admitted.admission === 'duplicate') counts.duplicates++;
        if (admitted.admission === 'restarted') counts.segmenterRestarts++;
        if (admitted.admission === 'reset') counts.deviceRestarts++;
        if (admitted.clockJump !== undefined) counts.clockJumps++;
        // Beats near a clipped record are artefacts: scored and reported, kept out of alerts.
        if (clipped.has(item.id)) {
          const end = state.clock.timelineEnd as number;
          const start = end - (record.samples.length * 1000) / record.fs;
          state.artifact = [start - ARTIFACT_MARGIN_MS, end + ARTIFACT_MARGIN_MS];
        }
        work.beats.push(...admitted.beats);
        if (admitted.admission !== 'duplicate') work.events.push(...this.monitorRecord(state, record, admitted));
      }
      work.firstScore = allBeats.length;
      allBeats.push(...work.beats);
    }
    // Second-lead windows of multi-lead beats (second-lead scoring), scored in the same call after the others.
    const secondBeats: SegmentedBeat[] = [];
    for (const work of byDevice.values())
      work.second = work.beats.map((beat) => {
        const second = this.adapter.learns && this.options.secondLeadScoring !== false ? secondLeadBeat(beat) : null;
        if (second === null) return -1;
        secondBeats.push(second);
        return allBeats.length + secondBeats.length - 1;
      });
    counts.rejected = rejections.length;
    const quarantined = Promise.all(rejections.map((r) => this.sinks.quarantine(r).catch(() => void failed.add(r.recordId))));

    // 3. Score the beats of all devices in one batched call. If that fails the batch fails as a
    // whole: every device goes back to where it was, so the retry replays it rather than skipping
    // its records as duplicates.
    const started = performance.now();
    let scores: Float32Array;
    try {
      const toScore = secondBeats.length > 0 ? [...allBeats, ...secondBeats] : allBeats;
      scores = toScore.length > 0 ? model.scoreBeats(toScore) : new Float32Array(0);
      if (scores.length !== toScore.length) throw new Error(`model returned ${scores.length} scores for ${toScore.length} beats`);
    } catch (err) {
      for (const work of byDevice.values()) this.devices.restore(work.deviceId, work.snapshot);
      await quarantined;
      throw err;
    }
    const scoringMs = performance.now() - started;

    // 4. Adaptation, thresholds and alert policy, per device in beat order. Scores become
    // relative (1 = threshold): the population model's while a device learns, its profile's after.
    const multiplier = this.options.thresholdMultiplier ?? 1;
    const global = this.options.globalThreshold ?? model.threshold;
    const scored: ScoredBeat[] = [];
    // The rhythm rules read a beat's shape too (P wave before it, QRS against the device's usual one).
    const span = model.window ?? DEFAULT_BEAT_WINDOW;
    for (const work of byDevice.values()) {
      const state = work.state as DeviceState;
      const population = model.deviceThresholds[work.deviceId] ?? global;
      const populationProfile = this.adapter.learns ? null : this.populationProfile(model, population);
      // False-alarm labels may have raised the device's threshold on its learned scale (§3.9): the
      // table's value (read with the snooze), else the copy in its profile, else 1.
      const labelled = settings.get(work.deviceId)?.threshold ?? labelThresholdOf(state.profile?.labels) ?? 1;
      work.beats.forEach((beat, i) => {
        const modelScore = scores[work.firstScore + i];
        const reconstruction = reconstructionErrorOf(modelScore, beat, model.scoring);
        const phase = this.advanceLearning(work, state, model, beat.t, population);
        const monitor = state.monitor;
        // A beat in seconds the signal-quality index calls poor. A learned device whose adapter
        // judges noise beat by beat is gated here only by flat or clipped seconds and technical
        // episodes (a second of wide ventricular beats looks noisy too): its adapter is told the
        // signal is noisy and judges the beat more strictly. The rhythm rules see it gated either way.
        const poorSignal = monitor !== null && monitor.gated(beat.rIndex, beat.rrPrev);
        const judgesNoise = phase === 'learned' && this.adapter.gatesNoise === true;
        // Flat or clipped seconds (or a technical episode): the beat's shape says nothing either.
        const unreadable = monitor !== null && monitor.gated(beat.rIndex, beat.rrPrev, false);
        if (monitor !== null && (judgesNoise ? unreadable : poorSignal)) {
          // Poor signal: not a clinical anomaly, not learned from, not seen by the alert policy.
          counts.gatedBeats++;
          scored.push({ deviceId: work.deviceId, t: beat.t, score: 0, modelScore, threshold: 1, anomalous: false, kind: 'gated', phase });
          work.events.push(
            ...this.rhythmBeat(work.deviceId, monitor, {
              t: beat.t,
              rIndex: beat.rIndex,
              rrPrev: beat.rrPrev,
              ventricular: false,
              gated: true,
              noise: unreadable,
              unreadable,
              ...shapeOf(beat, span),
            }),
          );
          // Still marked on the recent strip, so the console shows where the signal was too poor.
          state.marks.push({ t: beat.t, anomalous: false, kind: 'gated', rrPrev: beat.rrPrev });
          return;
        }
        // Multi-lead beats: the model's lead unless it was unusable over the beat (then its
        // window is noise), the second lead's window where usable (docs/ARCHITECTURE.md §3.2).
        const at = work.second[i];
        const secondBeat = at < 0 ? null : secondBeats[at - allBeats.length];
        const second =
          secondBeat === null
            ? null
            : { beat: secondBeat, modelScore: scores[at], reconstruction: reconstructionErrorOf(scores[at], secondBeat, model.scoring) };
        const secondLead = state.leadNames?.[1] ?? null;
        const { verdict, lead } = beatVerdict({
          adapter: this.adapter,
          state,
          phase,
          population,
          populationProfile,
          first: { beat, modelScore, reconstruction },
          second,
          context: this.learnerContext(state, model),
          noisySignal: poorSignal,
        });
        if (phase === 'learning') counts.learningBeats++;
        if (lead === 1 || (beat.lead ?? 0) !== 0) counts.leadFallbackBeats++;
        const scoredOn = lead === 1 && secondLead !== null ? { lead: secondLead } : {};
        const score = verdict.score / multiplier;
        // Labels speak of the device's learned scale: a device still learning keeps threshold 1.
        const threshold = phase === 'learned' ? labelled : 1;
        // Beats near a clipped record are artefacts: reported, kept out of alerts.
        const artefact = state.artifact !== null && beat.t >= state.artifact[0] && beat.t <= state.artifact[1];
        const anomalous = score > threshold && !artefact;
        // Premature beats keep their kind below the threshold (counted, not alerted: they add
        // nothing to the score the policy sees); a beat over it is ventricular unless the adapter
        // said premature.
        const kind: BeatKind = artefact
          ? 'gated'
          : verdict.kind === 'gated' || verdict.kind === 'premature'
            ? verdict.kind
            : anomalous
              ? 'ventricular'
              : 'normal';
        // The rhythm rules read the beat's shape on the model's lead (its P wave, its QRS against
        // the device's usual one): a beat judged on the second lead has no trustworthy shape there
        // (that lead was unusable or noise over it), so for them it stays what it was without
        // second-lead scoring: noise (when such beats counted as scored beats, the 26 MIT-BIH
        // records raised 4 more VT runs: VT-run +P 65.9 % to 62.5 %).
        const shapeless = lead === 1 || verdict.kind === 'gated';
        if (monitor !== null)
          work.events.push(
            ...this.rhythmBeat(work.deviceId, monitor, {
              t: beat.t,
              rIndex: beat.rIndex,
              rrPrev: beat.rrPrev,
              ventricular: anomalous && kind === 'ventricular' && lead === 0,
              // A beat near clipped samples, in poor seconds, or judged noise by the scorer is an
              // artefact for the rhythm rules too; one judged noise counts in a VT run only when its
              // QRS resembles the run's previous beat, one near clipped samples never.
              gated: artefact || poorSignal || shapeless,
              noise: artefact || shapeless,
              unreadable: artefact,
              score: lead === 1 ? 0 : score,
              ...shapeOf(beat, span),
            }),
          );
        const lastAlert = state.policy.lastAlert;
        // Baseline wander around the beat: scored and reported, but no evidence for an alert
        // (docs/ARCHITECTURE.md §3.3). The rhythm rules judge it as before.
        const doubtfulSignal = monitor !== null && monitor.wanderNear(beat.rIndex);
        const step = stepAlertPolicy(
          state.policy,
          work.deviceId,
          { t: beat.t, score: artefact ? 0 : score, threshold, doubtfulSignal },
          this.policy,
        );
        state.policy = step.state;
        // What the beat was scored on: its second lead's window and model score, or the model lead's.
        const onSecond = lead === 1 && second !== null ? second : null;
        const window = onSecond?.beat.window ?? beat.window;
        const shownScore = onSecond?.modelScore ?? modelScore;
        state.keep(
          {
            t: beat.t,
            score,
            modelScore: shownScore,
            anomalous,
            kind,
            rrPrev: beat.rrPrev,
            rrNext: beat.rrNext,
            window: Array.from(window),
            ...scoredOn,
          },
          this.policy.n,
        );
        scored.push({
          deviceId: work.deviceId,
          t: beat.t,
          score,
          modelScore: shownScore,
          threshold,
          anomalous,
          kind,
          phase,
          ...scoredOn,
        });
        if (!step.alert) return;
        if (phase === 'learning' && step.alert.severity !== 'critical') {
          // Held: a warning from a device still learning is judged by the population model, which
          // is what adaptation is for. It does not count as raised (no cooldown starts).
          state.policy = { recent: state.policy.recent, lastAlert };
          counts.heldAlerts++;
          return;
        }
        if (step.alert.severity !== 'critical' && (snoozed.get(work.deviceId) ?? 0) > now) {
          // Snoozed by a clinician: warnings are silenced like held ones; critical alerts never are.
          state.policy = { recent: state.policy.recent, lastAlert };
          counts.snoozedAlerts++;
          return;
        }
        const message = toAlertMessage(step.alert, model.version, phase === 'learning');
        const snippet = { ...toAlertSnippet(message, step.alert, state.kept), strip: state.stripAround(step.alert.to) };
        const features = state.profile?.features ?? {};
        work.decisions.push({
          decision: step.alert,
          message,
          snippet,
          context: {
            recent: [...state.kept],
            template: learnedTemplate(features, model.window),
            typicalRr: learnedRr(features),
            // The seconds of the strip the clinician sees (else its beats, one second either side).
            quality: snippet.strip
              ? state.qualityBetween(snippet.strip.t0, snippet.strip.t0 + (snippet.strip.samples.length * 1000) / snippet.strip.fs - 1)
              : state.qualityBetween(step.alert.beatTimes[0] - 1000, step.alert.to + 1000),
            modelThreshold: (phase === 'learned' && state.profile ? state.profile.threshold : population) * multiplier,
          },
        });
      });
      // A learned profile that moved materially (and not too recently saved) is saved again, so a
      // cold start resumes from today's templates rather than the learning period's.
      if (state.tracker !== null && state.profile !== null && work.learned === null && work.beats.length > 0) {
        const t = work.beats[work.beats.length - 1].t;
        const features = state.tracker.update(t);
        if (features !== null) work.updated = state.profile = { ...state.profile, features, updatedAt: t };
      }
      // The second lead's profile moves the same way.
      const secondLearned = state.profile?.secondLead;
      if (state.second !== null && secondLearned !== undefined && work.learned === null && work.beats.length > 0) {
        const t = work.beats[work.beats.length - 1].t;
        const features = state.second.update(t);
        if (features !== null)
          work.updated = state.profile = { ...(state.profile as DeviceProfile), secondLead: { ...secondLearned, features }, updatedAt: t };
      }
    }

    for (const work of byDevice.values()) work.state?.trimStrip();

    // 4b. Explanations: one reconstruction call for the flagged beats of every alert of the batch.
    const explainStarted = performance.now();
    this.explain(
      [...byDevice.values()].flatMap((w) => w.decisions),
      model,
    );
    const explainMs = performance.now() - explainStarted;

    // 5. Side effects: snippet, alert state, then SNS, in order per device; a failure rolls the device back.
    const published: AlertMessage[] = [];
    const publishedEpisodes: EpisodeAlertMessage[] = [];
    const rolledBack = new Set<string>();
    await Promise.all(
      [...byDevice.values()].map(async (work) => {
        const rollBack = () => {
          this.devices.restore(work.deviceId, work.snapshot);
          rolledBack.add(work.deviceId);
          for (const r of work.records) failed.add(r.id);
        };
        // The profile first: an alert scored against it must not go out before it is safe.
        const save = work.learned ?? work.updated;
        if (save !== null && this.options.profiles) {
          try {
            await this.options.profiles.save(work.deviceId, save);
            counts.profileSaves++;
          } catch {
            counts.profileFailures++;
            rollBack();
            return;
          }
        }
        for (const { decision, message, snippet } of work.decisions) {
          if (decision.from <= this.devices.publishedThrough(work.deviceId)) {
            // Went out before a rollback (or a redrive): counted, never sent twice.
            counts.alreadyPublished++;
            continue;
          }
          try {
            await this.sinks.putSnippet(message.snippetKey, snippet);
            await this.sinks.recordAlert?.(message, snippet);
            await this.sinks.publishAlert(message);
          } catch {
            counts.failedAlerts++;
            rollBack();
            return;
          }
          this.devices.markPublished(work.deviceId, decision.from);
          published.push(message);
        }
        // Episode alerts: no snippet; a failure rolls the device back like a beat alert's, and
        // the replay raises the same ids (a subscriber may see one twice, never none).
        const snoozedDevice = (snoozed.get(work.deviceId) ?? 0) > now;
        for (const event of work.events) {
          if (snoozedDevice && event.severity !== 'critical') {
            // Snoozed by a clinician: episode warnings too (onsets and offsets); critical ones never.
            counts.snoozedAlerts++;
            continue;
          }
          const message = toEpisodeMessage(work.deviceId, event, model.version);
          if (this.sentEpisodes.has(work.deviceId, message.id)) {
            // Went out before a rollback of this device: counted, not sent twice.
            counts.alreadyPublished++;
            continue;
          }
          try {
            await this.publishEpisode(message);
          } catch {
            counts.failedAlerts++;
            rollBack();
            return;
          }
          this.sentEpisodes.add(work.deviceId, message.id);
          publishedEpisodes.push(message);
        }
      }),
    );
    await quarantined;
    counts.gatedBeats = scored.filter((b) => b.kind === 'gated' && !rolledBack.has(b.deviceId)).length;

    const beats = scored.filter((b) => !rolledBack.has(b.deviceId));
    // 6. signal-lost: the batch's arrivals recorded (a device back ends its episode), then the
    // devices this detector knows checked for silence at the batch's latest arrival.
    const lost = await this.signalLost.afterBatch(arrivalsOf(byDevice, beats), Math.max(...input.map((r) => r.arrivedAt)));
    counts.presenceWrites = lost.writes;
    counts.presenceFailures = lost.writeFailures;
    counts.beatsScored = beats.length;
    counts.anomalousBeats = beats.reduce((n, b) => n + (b.anomalous ? 1 : 0), 0);
    counts.alerts = published.length;
    publishedEpisodes.push(...lost.alerts);
    counts.episodeAlerts = publishedEpisodes.length;
    counts.rolledBackDevices = rolledBack.size;
    counts.evictions = this.devices.evictions - evictionsBefore;
    counts.learningBeats = beats.reduce((n, b) => n + (b.phase === 'learning' ? 1 : 0), 0);
    counts.profilesLearned = [...byDevice.values()].filter((w) => w.learned !== null && !rolledBack.has(w.deviceId)).length;
    counts.profileUpdates = [...byDevice.values()].filter((w) => w.updated !== null && !rolledBack.has(w.deviceId)).length;
    return {
      failedRecordIds: input.filter((r) => failed.has(r.id)).map((r) => r.id),
      alerts: published,
      episodes: publishedEpisodes,
      beats,
      counts,
      scoringMs,
      explainMs,
    };
  }

  /**
   * Adds an explanation to each decision's snippet. The reconstructions come from one batched
   * call; a model that cannot reconstruct (or fails to) is explained against the typical beat.
   */
  private explain(decisions: DeviceWork['decisions'], model: BeatModel): void {
    const span = model.window;
    if (decisions.length === 0 || !span) return;
    const flagged = decisions.flatMap((d) => d.snippet.beats.filter((b) => b.anomalous && b.window.length === span.steps));
    let recons: Float32Array[] | null = null;
    try {
      recons =
        model.reconstructBeats && flagged.length > 0
          ? model.reconstructBeats(
              flagged.map((b) => ({ rIndex: 0, window: Float32Array.from(b.window), rrPrev: b.rrPrev, rrNext: b.rrNext })),
            )
          : null;
    } catch {
      recons = null; // an explanation is never worth failing an alert for
    }
    let next = 0;
    for (const d of decisions) {
      const beats = d.snippet.beats;
      const reconstructions = beats
        .filter((b) => b.anomalous)
        .map((b) => (b.window.length === span.steps && recons ? (recons[next++] ?? null) : null));
      (d as { snippet: AlertSnippet }).snippet = {
        ...d.snippet,
        explanation: explainAlert({
          modelVersion: d.message.modelVersion,
          score: d.message.maxScore,
          threshold: d.message.threshold,
          modelThreshold: d.context.modelThreshold,
          span,
          beats,
          reconstructions,
          template: d.context.template,
          typicalRr: d.context.typicalRr,
          recent: d.context.recent,
          quality: d.context.quality,
        }),
      };
    }
  }

  /**
   * Snoozes and label thresholds of the batch's devices. A failed read snoozes none (fail towards
   * alerting) and leaves each device the label threshold of its profile.
   */
  private async loadSettings(byDevice: ReadonlyMap<string, unknown>): Promise<ReadonlyMap<string, DeviceSettings>> {
    const source = this.options.snoozes;
    if (!source || byDevice.size === 0) return new Map();
    const ids = [...byDevice.keys()];
    try {
      if (source.deviceSettings) return await source.deviceSettings(ids);
      return new Map([...(await source.snoozedUntil(ids))].map(([id, until]) => [id, { snoozedUntil: until }]));
    } catch {
      return new Map();
    }
  }

  /**
   * Raises `signal-lost` for the devices this detector knows that have been silent for the
   * declare threshold by `now` (arrival time) and have no episode open. The detector calls it after
   * every batch with the batch's latest arrival; between batches the sweep
   * (`sweepSilentDevices`, over the persisted arrivals) finds silent devices. Returns the alerts
   * published; a device whose publish fails is tried again at the next check.
   *
   * @example
   * const raised = await detector.sweep(Date.now());
   */
  async sweep(now: number): Promise<EpisodeAlertMessage[]> {
    return (await this.signalLost.check(now)).raised;
  }

  /** An episode alert: recorded in the alert state store (when there is one), then published. */
  private async publishEpisode(message: EpisodeAlertMessage): Promise<void> {
    await this.sinks.recordEpisode?.(message);
    await this.sinks.publishAlert(message);
  }

  /** One beat to a device's rhythm rules (and to the evaluation's tap, when one listens). */
  private rhythmBeat(deviceId: string, monitor: RhythmMonitor, beat: MonitoredBeat): EpisodeEvent[] {
    this.options.rhythmTap?.(deviceId, beat);
    return monitor.beat(beat);
  }

  /** Feeds a record to the device's signal-quality and rhythm monitor; returns its episode events. */

  private monitorRecord(state: DeviceState, record: DecodedRecord, admitted: ReturnType<DeviceState['admit']>): EpisodeEvent[] {
    // The monitor needs the segmenter's R peaks as they are found (asystole, rate rules): a
    // segmenter that cannot report them (a toy one in tests) runs without it.
    if (this.rhythm === null || !state.reportsPeaks) return [];
    if (state.monitor === null) state.monitor = new RhythmMonitor(record.fs, this.rhythm);
    else if (admitted.admission === 'restarted' || admitted.admission === 'reset') state.monitor.restart(record.fs);
    const peaks = admitted.beats.map((b) => b.rIndex);
    for (const p of state.pendingPeaks()) peaks.push(p);
    const timeOf = (i: number) => state.timeOf(i);
    // A multi-lead segmenter judged each second on its leads: the monitor takes its verdicts
    // (the lead used there), so one lead lost is neither lead-off nor asystole.
    if (admitted.seconds !== undefined) return state.monitor.judged(admitted.seconds, peaks, timeOf);
    return state.monitor.samples(admitted.samples ?? record.samples, peaks, timeOf);
  }

  /** Loads the profiles of the batch's devices that have no state here, in parallel. */
  private async loadProfiles(
    byDevice: Map<string, DeviceWork>,
    failed: Set<string>,
    counts: BatchResult['counts'],
  ): Promise<Map<string, DeviceProfile>> {
    const loaded = new Map<string, DeviceProfile>();
    const store = this.options.profiles;
    if (!store || !this.adapter.learns) return loaded;
    // A device memory has no room for is refused right after: no need to read its profile.
    const fresh = [...byDevice.values()]
      .filter((w) => !this.devices.has(w.deviceId) && this.devices.hasRoom(Math.max(...w.records.map((r) => r.item.arrivedAt))))
      .map((w) => w.deviceId);
    counts.profileLoads += fresh.length;
    await Promise.all(
      fresh.map(async (id) => {
        try {
          const profile = await store.load(id);
          if (profile !== null) {
            loaded.set(id, profile);
            counts.profilesFound++;
          }
        } catch {
          counts.profileFailures++;
          for (const r of (byDevice.get(id) as DeviceWork).records) failed.add(r.id);
          byDevice.delete(id);
        }
      }),
    );
    return loaded;
  }

  /**
   * Moves a device's adaptation to the beat at `t` and returns the phase the beat is scored in.
   * A device learns after first sight and after a model change (its profile, or its learner,
   * belongs to another model or adapter); the learning period ends at the first beat
   * `learningSeconds` after it began, which is scored against the new profile.
   */
  private advanceLearning(work: DeviceWork, state: DeviceState, model: BeatModel, t: number, population: number): DevicePhase {
    if (!this.adapter.learns) return 'learned';
    const current = (p: DeviceProfile | null) => p !== null && p.modelVersion === model.version && p.adapter === this.adapter.name;
    if (state.modelVersion !== model.version || (state.phase === 'learned' && !current(state.profile))) {
      if (current(state.profile)) {
        state.phase = 'learned';
        state.learner = null;
        state.tracker = null;
        const second = (state.profile as DeviceProfile).secondLead;
        state.second = second ? SecondLead.learned(second.lead) : null;
      } else {
        // First sight counts from the first record's t0; a model change from this beat.
        state.learnFrom = state.modelVersion === null && state.learnFrom !== null ? state.learnFrom : t;
        state.phase = 'learning';
        state.learner = this.adapter.newLearner(this.learnerContext(state, model));
        state.profile = null;
        state.tracker = null;
        // A second lead starts learning at its first usable beat of the period.
        state.second = null;
      }
      state.modelVersion = model.version;
    }
    if (state.phase !== 'learning') return state.phase;
    const learner = state.learner as NonNullable<DeviceState['learner']>;
    const elapsed = t - (state.learnFrom as number);
    // A learner that is not ready (no dominant beat yet) extends the period, within a bound.
    if (elapsed >= this.learningMs && ((learner.ready?.() ?? true) || elapsed >= this.learningMs * (1 + MAX_LEARNING_EXTENSION))) {
      const { threshold, features } = learner.finish(population);
      const secondLead = state.second?.isLearning ? state.second.finish(population) : undefined;
      state.profile = {
        formatVersion: PROFILE_FORMAT_VERSION,
        adapter: this.adapter.name,
        modelVersion: model.version,
        learnedAt: t,
        learningSeconds: this.learningMs / 1000,
        beatsLearned: learner.beats,
        threshold,
        features,
        ...(secondLead === undefined ? {} : { secondLead }),
      };
      state.phase = 'learned';
      state.learner = null;
      state.tracker = null;
      state.second = secondLead === undefined ? null : SecondLead.learned(secondLead.lead);
      // The policy's window held population-scale scores: start it afresh on the device's scale.
      state.policy = { recent: [], lastAlert: state.policy.lastAlert };
      work.learned = state.profile;
    }
    return state.phase;
  }

  /** What a device's learners are told: its rate, the model's window and version. */
  private learnerContext(state: DeviceState, model: BeatModel): LearnerContext {
    return { fs: state.fs, window: model.window ?? DEFAULT_BEAT_WINDOW, modelVersion: model.version };
  }

  /** The profile the `off` adapter scores against: the model's threshold for the device. */
  private populationProfile(model: BeatModel, threshold: number): DeviceProfile {
    return {
      formatVersion: PROFILE_FORMAT_VERSION,
      adapter: this.adapter.name,
      modelVersion: model.version,
      learnedAt: 0,
      learningSeconds: 0,
      beatsLearned: 0,
      threshold,
      features: {},
    };
  }

  /** A model whose beat window differs restarts every device's segmenter (old windows mean nothing to it). */
  private useModel(model: BeatModel): void {
    if (this.segmenterKey === model.segmenters) return;
    this.devices.resetSegmenters(model.segmenters);
    this.segmenterKey = model.segmenters;
  }
}

/**
 * Puts a device's records of a batch in the device's order: seq order, unless the stream order
 * already has increasing t0 (a device that restarted its counter within the batch: seq goes back
 * while time goes on, and sorting by seq would interleave its two runs). Kinesis keeps a
 * partition key's order; seq order repairs a producer that reordered records in one put.
 */
function inDeviceOrder(records: { record: DecodedRecord }[]): void {
  let bySeq = true;
  let byTime = true;
  for (let i = 1; i < records.length; i++) {
    if (records[i].record.seq < records[i - 1].record.seq) bySeq = false;
    if (records[i].record.t0 < records[i - 1].record.t0) byTime = false;
  }
  if (!bySeq && !byTime) records.sort((a, b) => a.record.seq - b.record.seq);
}

/**
 * The device's learned template in the model window's units, when its profile has one for the
 * same window: the patient-profile adapter keeps its dominant normal template in mV (base64
 * Float64, `templates x steps`, dominant first), so it is per-beat normalized as the model's
 * windows are. Null otherwise (the explanation then uses a recent median).
 */
function learnedTemplate(features: Readonly<Record<string, unknown>>, window: BeatModel['window']): number[] | null {
  const p = features.profile as { template?: unknown; window?: { before: number; after: number; steps: number } } | null | undefined;
  if (!window || !p || typeof p.template !== 'string' || !p.window) return null;
  if (p.window.steps !== window.steps || p.window.before !== window.before || p.window.after !== window.after) return null;
  const bytes = Buffer.from(p.template, 'base64');
  if (bytes.length < window.steps * 8) return null;
  const all = new Float64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + window.steps * 8));
  const t = Array.from(all);
  // A loaded model's window carries its per-beat normalization (`streamingWindowSpec`).
  if ((window as { normalization?: string }).normalization === 'zscore') {
    const mean = t.reduce((a, b) => a + b, 0) / t.length;
    const sd = Math.sqrt(t.reduce((a, b) => a + (b - mean) ** 2, 0) / t.length);
    return t.map((v) => (sd > 1e-6 ? (v - mean) / sd : v - mean));
  }
  return t.every(Number.isFinite) ? t : null;
}

/** The profile's typical RR (s): the patient-profile adapter's learning-period median. */
function learnedRr(features: Readonly<Record<string, unknown>>): number | null {
  const p = features.profile as { rrMedian?: unknown } | null | undefined;
  return p && typeof p.rrMedian === 'number' && p.rrMedian > 0 ? p.rrMedian : null;
}
/** Each device's latest arrival in the batch, and its latest scored beat (for the console's last seen and phase). */
function arrivalsOf(byDevice: ReadonlyMap<string, DeviceWork>, beats: readonly ScoredBeat[]): DeviceArrival[] {
  const last = new Map<string, ScoredBeat>();
  for (const b of beats) if (b.t >= (last.get(b.deviceId)?.t ?? -Infinity)) last.set(b.deviceId, b);
  return [...byDevice.values()].map((work) => {
    const beat = last.get(work.deviceId);
    return {
      deviceId: work.deviceId,
      sighting: {
        arrivedAt: Math.max(...work.records.map((r) => r.item.arrivedAt)),
        ...(beat ? { lastBeat: { t: beat.t, phase: beat.phase } } : {}),
      },
    };
  });
}

function noModel(): never {
  throw new Error('no model in hand: processBatch must be given one');
}

/**
 * A beat's shape for the rhythm rules: its window on the model's lead, unless another lead's QRS
 * detector found the beat (the model's lead lost it: its window there is noise). A window the
 * quality index calls noisy is still given: fast wide beats read as noise, and the rules know
 * the beat is gated. The second lead's window comes along where that lead was usable, also for
 * a beat the model's lead lost.
 */
function shapeOf(beat: TimedBeat, span: { before: number; after: number }): { shape?: BeatShape } {
  const first = (beat.lead ?? 0) === 0 ? { window: beat.window } : {};
  const second = secondLeadBeat(beat);
  if (second === null && (beat.lead ?? 0) !== 0) return {};
  return { shape: { ...first, before: span.before, after: span.after, ...(second === null ? {} : { second: second.window }) } };
}
