import { DEFAULT_ALERT_POLICY, validateAlertPolicy, type AlertPolicyOptions } from './alert-policy';
import { isEpisodeAlert } from './alert-message';
import {
  checkedAlarmLimits,
  DEFAULT_RHYTHM_OPTIONS,
  type EpisodeEvent,
  type MonitoredBeat,
  type RhythmMonitor,
  type RhythmOptions,
} from './rhythm-monitor';
import { DeviceRegistry } from './device-registry';
import { DEFAULT_LEARNING_SECONDS, patientProfileAdapter } from './adapters';
import { DEFAULT_BEAT_WINDOW } from '../ecg';
import type { PatientAdapter } from './patient-adaptation';
import type { BeatModel, EpisodeAlertMessage, RecordDecoder, DetectSinks } from './ports';
import { DEFAULT_SIGNAL_LOST_CHECK_SECONDS, DEFAULT_SIGNAL_LOST_SECONDS, signalLostTiming } from '../contract';
import { MemoryPresenceStore, SignalLostMonitor } from './signal-lost';
import { SentEpisodes } from './sent-episodes';
import { emptyCounts, type BatchResult, type InputRecord } from './batch-result';
import type { DetectorOptions } from './detector-options';
import { decodeBatch } from './decode-batch';
import { loadProfiles, loadSettings } from './batch-reads';
import { leadPlanOf, segmentDevices } from './segment-batch';
import { BatchScores, scoreAll, secondLeadScoresRead, secondLeadWindows } from './batch-scores';
import { decideBeat, deviceScope, type BatchScope } from './beat-decision';
import { trackProfileDrift } from './profile-drift';
import { explainAlerts } from './explain-batch';
import { publishBatch } from './publish-batch';
import { arrivalsOf } from './device-work';
import type { LearningSetup } from './learning-phase';

// The batch's types and the detector's options stay importable beside the Detector that takes and makes them.
export type { BatchCounts, BatchResult, InputRecord, ScoredBeat } from './batch-result';
export type { DetectorOptions } from './detector-options';
export { DEFAULT_SIGNAL_LOST_SECONDS } from '../contract';

/**
 * The streaming detector: per-device state plus the batch pipeline of docs/ARCHITECTURE.md §1, read
 * top-down in {@link Detector.processBatch}; each step is a call into the module that owns it.
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
  private readonly learning: LearningSetup;
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
    this.learning = { adapter: this.adapter, learningMs: learning * 1000 };
    this.rhythm = options.rhythm === false ? null : checkedAlarmLimits({ ...DEFAULT_RHYTHM_OPTIONS, ...options.rhythm });
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

  /**
   * Runs one batch through the pipeline. Never throws for bad records; side-effect failures
   * become failed record ids. A failed scoring call fails the batch as a whole (every device
   * restored first).
   *
   * @example
   * const { failedRecordIds, alerts, counts } = await detector.processBatch(records, model);
   */
  async processBatch(input: readonly InputRecord[], model: BeatModel): Promise<BatchResult> {
    this.useModel(model);
    const counts = emptyCounts(input.length);
    const evictionsBefore = this.devices.evictions;
    const failed = new Set<string>();

    // 1. Decode; rejections are quarantined and never hold up the rest.
    const { byDevice, rejections, clipped } = decodeBatch(input, this.decode, model.lead, counts);

    // 1b. Devices new to this environment (cold start, eviction, another container): their
    // learned profiles, all loaded at once. A failed load fails the device's records (retried
    // later) rather than silently starting a new learning period. The devices' settings alongside.
    const [loaded, settings] = await Promise.all([
      loadProfiles({ store: this.options.profiles, learns: this.adapter.learns, devices: this.devices }, byDevice, failed, counts),
      loadSettings(this.options.snoozes, byDevice),
    ]);
    const snoozed = new Map([...settings].map(([id, s]) => [id, s.snoozedUntil ?? 0]));
    const now = (this.options.now ?? Date.now)();

    // 2. Per device, in seq order: duplicates skipped, gaps restart the segmenter, beats cut
    // (on the model's lead by name, and on a second lead of multi-lead records).
    const plan = leadPlanOf(model.lead, this.leads, this.rhythm);
    const allBeats = segmentDevices(byDevice, { devices: this.devices, plan, loaded, clipped, rejections, counts, rhythm: this.rhythm });
    // Second-lead windows of multi-lead beats (second-lead scoring), scored in the same call after the others.
    const secondScoring = this.adapter.learns && this.options.secondLeadScoring !== false;
    const secondBeats = secondLeadWindows(byDevice.values(), allBeats.length, secondScoring, (work) =>
      secondLeadScoresRead(work.state, model.version, this.adapter.name),
    );
    counts.rejected = rejections.length;
    const quarantined = Promise.all(rejections.map((r) => this.sinks.quarantine(r).catch(() => void failed.add(r.recordId))));

    // 3. Score the beats of all devices in one batched call. If that fails the batch fails as a
    // whole: every device goes back to where it was, so the retry replays it rather than skipping
    // its records as duplicates.
    const started = performance.now();
    let scores: Float32Array;
    try {
      scores = scoreAll(model, allBeats, secondBeats);
    } catch (err) {
      for (const work of byDevice.values()) this.devices.restore(work.deviceId, work.snapshot);
      await quarantined;
      throw err;
    }
    const scoringMs = performance.now() - started;

    // 4. Adaptation, thresholds and alert policy, per device in beat order (beat-decision.ts).
    const batch: BatchScope = {
      model,
      learning: this.learning,
      policy: this.policy,
      multiplier: this.options.thresholdMultiplier ?? 1,
      globalThreshold: this.options.globalThreshold ?? model.threshold,
      span: model.window ?? DEFAULT_BEAT_WINDOW,
      scores: new BatchScores(scores, allBeats.length, secondBeats, model.scoring),
      snoozed,
      now,
      counts,
      scored: [],
      rhythmBeat: (deviceId, monitor, beat) => this.rhythmBeat(deviceId, monitor, beat),
    };
    for (const work of byDevice.values()) {
      const device = deviceScope(batch, work, settings.get(work.deviceId));
      work.beats.forEach((_, i) => decideBeat(batch, device, i));
      trackProfileDrift(work, device.state);
    }
    for (const work of byDevice.values()) work.state?.trimStrip();

    // 4b. Explanations: one reconstruction call for the flagged beats of every alert of the batch.
    const explainStarted = performance.now();
    explainAlerts(
      [...byDevice.values()].flatMap((w) => w.decisions),
      model,
    );
    const explainMs = performance.now() - explainStarted;

    // 5. Side effects: snippet, alert state, then SNS, in order per device; a failure rolls the device back.
    const published = await publishBatch(
      {
        devices: this.devices,
        sinks: this.sinks,
        profiles: this.options.profiles,
        sentEpisodes: this.sentEpisodes,
        publishEpisode: (message) => this.publishEpisode(message),
        modelVersion: model.version,
        snoozed,
        now,
        counts,
        failed,
      },
      [...byDevice.values()],
    );
    await quarantined;
    const { rolledBack } = published;
    // Gated and learning beats are counted here, once, over the devices not rolled back.
    counts.gatedBeats = batch.scored.filter((b) => b.kind === 'gated' && !rolledBack.has(b.deviceId)).length;

    const beats = batch.scored.filter((b) => !rolledBack.has(b.deviceId));
    // 6. signal-lost: the batch's arrivals recorded (a device back ends its episode), then the
    // devices this detector knows checked for silence at the batch's latest arrival.
    const lost = await this.signalLost.afterBatch(arrivalsOf(byDevice, beats), Math.max(...input.map((r) => r.arrivedAt)));
    counts.presenceWrites = lost.writes;
    counts.presenceFailures = lost.writeFailures;
    counts.beatsScored = beats.length;
    counts.anomalousBeats = beats.reduce((n, b) => n + (b.anomalous ? 1 : 0), 0);
    counts.alerts = published.alerts.length;
    const episodes = [...published.episodes, ...lost.alerts];
    counts.episodeAlerts = episodes.length;
    counts.rolledBackDevices = rolledBack.size;
    counts.evictions = this.devices.evictions - evictionsBefore;
    counts.learningBeats = beats.reduce((n, b) => n + (b.phase === 'learning' ? 1 : 0), 0);
    counts.profilesLearned = [...byDevice.values()].filter((w) => w.learned !== null && !rolledBack.has(w.deviceId)).length;
    counts.profileUpdates = [...byDevice.values()].filter((w) => w.updated !== null && !rolledBack.has(w.deviceId)).length;
    return {
      failedRecordIds: input.filter((r) => failed.has(r.id)).map((r) => r.id),
      alerts: published.alerts,
      episodes,
      beats,
      counts,
      scoringMs,
      explainMs,
    };
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

  /** A model whose beat window differs restarts every device's segmenter (old windows mean nothing to it). */
  private useModel(model: BeatModel): void {
    if (this.segmenterKey === model.segmenters) return;
    this.devices.resetSegmenters(model.segmenters);
    this.segmenterKey = model.segmenters;
  }
}

function noModel(): never {
  throw new Error('no model in hand: processBatch must be given one');
}
