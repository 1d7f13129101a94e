import { DEFAULT_ALERT_POLICY, stepAlertPolicy, validateAlertPolicy, type AlertDecision, type AlertPolicyOptions } from './alert-policy';
import { toAlertMessage, toAlertSnippet } from './alert-message';
import { DeviceRegistry, type DeviceRegistryOptions } from './device-registry';
import type { DeviceState, DeviceStateJson, TimedBeat } from './device-state';
import type { AlertMessage, AlertSnippet, BeatModel, DecodedRecord, DetectSinks, RecordDecoder, Rejection } from './ports';

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
  /** Multiplies every threshold, global and per device (default 1): one knob for sensitivity. */
  readonly thresholdMultiplier?: number;
}

/** One scored beat, as reported to observers (metrics, the demo's report). */
export interface ScoredBeat {
  readonly deviceId: string;
  readonly t: number;
  readonly score: number;
  readonly threshold: number;
  readonly anomalous: boolean;
}

/** What one batch did. */
export interface BatchResult {
  /** Ids of records to report in `batchItemFailures` (the caller retries from the lowest). */
  readonly failedRecordIds: string[];
  /** Alerts published by this batch. */
  readonly alerts: AlertMessage[];
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
  };
  /** Wall ms of the one batched scoring call. */
  readonly scoringMs: number;
}

interface DeviceWork {
  readonly deviceId: string;
  /** The device's state, held for the whole batch (the registry may evict it meanwhile). */
  state: DeviceState | null;
  readonly records: { id: string; record: DecodedRecord; item: InputRecord }[];
  snapshot: DeviceStateJson | null;
  beats: TimedBeat[];
  firstScore: number;
  decisions: { decision: AlertDecision; message: AlertMessage; snippet: AlertSnippet }[];
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
 * const detector = new Detector(sinks, decodeWireRecord);
 * const { failedRecordIds } = await detector.processBatch(records, model);
 */
export class Detector {
  readonly devices: DeviceRegistry;
  private readonly policy: AlertPolicyOptions;
  private segmenterKey: unknown = null;

  constructor(
    private readonly sinks: DetectSinks,
    private readonly decode: RecordDecoder,
    private readonly options: DetectorOptions = {},
    initialModel?: BeatModel,
  ) {
    this.policy = validateAlertPolicy(options.policy ?? DEFAULT_ALERT_POLICY);
    const m = options.thresholdMultiplier ?? 1;
    if (!(m > 0) || !Number.isFinite(m)) throw new RangeError(`thresholdMultiplier must be a finite number > 0, got ${m}`);
    this.devices = new DeviceRegistry(initialModel?.segmenters ?? { create: noModel, restore: noModel }, options);
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
    };
    const failed = new Set<string>();

    // 1. Decode; rejections are quarantined and never hold up the rest.
    const rejections: Rejection[] = [];
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
      const { deviceId } = decoded.record;
      let work = byDevice.get(deviceId);
      if (!work)
        byDevice.set(deviceId, (work = { deviceId, state: null, records: [], snapshot: null, beats: [], firstScore: 0, decisions: [] }));
      work.records.push({ id: item.id, record: decoded.record, item });
    }

    // 2. Per device, in seq order: duplicates skipped, gaps restart the segmenter, beats cut.
    const allBeats: TimedBeat[] = [];
    for (const work of byDevice.values()) {
      work.records.sort((a, b) => a.record.seq - b.record.seq);
      work.snapshot = this.devices.snapshot(work.deviceId);
      const state = (work.state = this.devices.get(work.deviceId));
      for (const { record, item } of work.records) {
        let admitted: ReturnType<DeviceState['admit']>;
        try {
          admitted = state.admit(record);
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
        if (admitted.admission === 'duplicate') counts.duplicates++;
        if (admitted.admission === 'restarted') counts.segmenterRestarts++;
        work.beats.push(...admitted.beats);
      }
      work.firstScore = allBeats.length;
      allBeats.push(...work.beats);
    }
    counts.rejected = rejections.length;
    const quarantined = Promise.all(rejections.map((r) => this.sinks.quarantine(r).catch(() => void failed.add(r.recordId))));

    // 3. Score the beats of all devices in one batched call. If that fails the batch fails as a
    // whole: every device goes back to where it was, so the retry replays it rather than skipping
    // its records as duplicates.
    const started = performance.now();
    let scores: Float32Array;
    try {
      scores = allBeats.length > 0 ? model.scoreBeats(allBeats) : new Float32Array(0);
      if (scores.length !== allBeats.length) throw new Error(`model returned ${scores.length} scores for ${allBeats.length} beats`);
    } catch (err) {
      for (const work of byDevice.values()) this.devices.restore(work.deviceId, work.snapshot);
      await quarantined;
      throw err;
    }
    const scoringMs = performance.now() - started;

    // 4. Threshold and alert policy, per device in beat order.
    const multiplier = this.options.thresholdMultiplier ?? 1;
    const global = this.options.globalThreshold ?? model.threshold;
    const scored: ScoredBeat[] = [];
    for (const work of byDevice.values()) {
      const state = work.state as DeviceState;
      const threshold = (model.deviceThresholds[work.deviceId] ?? global) * multiplier;
      work.beats.forEach((beat, i) => {
        const score = scores[work.firstScore + i];
        const step = stepAlertPolicy(state.policy, work.deviceId, { t: beat.t, score, threshold }, this.policy);
        state.policy = step.state;
        const anomalous = score > threshold;
        state.keep(
          { t: beat.t, score, anomalous, rrPrev: beat.rrPrev, rrNext: beat.rrNext, window: Array.from(beat.window) },
          this.policy.n,
        );
        scored.push({ deviceId: work.deviceId, t: beat.t, score, threshold, anomalous });
        if (step.alert) {
          const message = toAlertMessage(step.alert, model.version);
          work.decisions.push({ decision: step.alert, message, snippet: toAlertSnippet(message, step.alert, state.kept) });
        }
      });
    }

    // 5. Side effects: snippet then SNS, in order per device; a failure rolls the device back.
    const published: AlertMessage[] = [];
    const rolledBack = new Set<string>();
    await Promise.all(
      [...byDevice.values()].map(async (work) => {
        for (const { decision, message, snippet } of work.decisions) {
          if (decision.from <= this.devices.publishedThrough(work.deviceId)) continue; // went out before a rollback
          try {
            await this.sinks.putSnippet(message.snippetKey, snippet);
            await this.sinks.publishAlert(message);
          } catch {
            counts.failedAlerts++;
            this.devices.restore(work.deviceId, work.snapshot);
            rolledBack.add(work.deviceId);
            for (const r of work.records) failed.add(r.id);
            return;
          }
          this.devices.markPublished(work.deviceId, decision.from);
          published.push(message);
        }
      }),
    );
    await quarantined;

    const beats = scored.filter((b) => !rolledBack.has(b.deviceId));
    counts.beatsScored = beats.length;
    counts.anomalousBeats = beats.reduce((n, b) => n + (b.anomalous ? 1 : 0), 0);
    counts.alerts = published.length;
    counts.rolledBackDevices = rolledBack.size;
    return { failedRecordIds: input.filter((r) => failed.has(r.id)).map((r) => r.id), alerts: published, beats, counts, scoringMs };
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
