/**
 * The detect Lambda: Kinesis batch → `Detector.processBatch` → `{ batchItemFailures }`.
 * Thin on purpose: configuration from the environment, the AWS adapters of `src/aws`, the model
 * cache and the detector of `src/detect`, then logs (no samples, no raw device ids) and EMF
 * metrics (no per-device dimensions).
 *
 * Why not Powertools' `processPartialResponse`: it hands records to a per-record handler, while
 * the detector needs the whole batch at once to group records by device, keep each device's seq
 * order, and score the beats of all devices in one batched model call. The detector reports the
 * failed record ids itself, in the same `batchItemFailures` shape.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { createDetectSinks } from '../src/aws/alert-publisher';
import { DETECT_METRIC, DETECT_SERVICE_NAME, METRICS_NAMESPACE, decodeRecord, DETECT_ENV, deviceLogRef } from '../src/contract';
import { createAwsClients, type AwsClients } from '../src/aws/clients';
import { createS3ModelSource } from '../src/aws/model-store';
import { createS3ProfileStore } from '../src/aws/profile-store';
import { loadBeatModel } from '../src/model';
import {
  detectConfigFromEnv,
  type DetectConfig,
  ModelCache,
  NoModelError,
  type DetectSinks,
  Detector,
  type BatchResult,
  type InputRecord,
  type DeviceProfile,
  type PresenceStore,
  type AnyAlertMessage,
  type DeviceSettings,
  type SnoozeSource,
} from '../src/detect';
import { AlertStateStore, createDynamoClient } from '../src/aws/alert-state-store';
import { DynamoPresenceStore } from '../src/aws/presence-store';

/** Options of {@link createDetectHandler}; everything defaults to what the Lambda uses. */
export interface DetectHandlerOptions {
  /** Environment to configure from (default `process.env`). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** SDK clients (default: built from the environment, emulator endpoints honoured). */
  readonly aws?: AwsClients;
  /** Wraps the S3/SNS sinks (tests inject failures around the real ones). */
  readonly wrapSinks?: (sinks: DetectSinks) => DetectSinks;
  readonly logger?: Logger;
  readonly metrics?: Metrics;
  /** Sees every batch's result (the demo's report and counters). */
  readonly onBatch?: (result: BatchResult) => void;
  /**
   * The execution environment's end (the local event source mapping aborts it when an
   * invocation times out, as Lambda kills the environment then). Once aborted, the handler
   * touches nothing outside itself: every S3, SNS and DynamoDB write throws (snippets, alerts,
   * quarantine, profiles, alert state, device arrivals), so the invocation
   * rolls its devices back in its own memory only, and no result, metric or `onBatch` comes out
   * of it. Lambda never needs it: a killed environment runs no more code.
   */
  readonly signal?: AbortSignal;
  /**
   * Skip alerts whose sent marker exists (`alerts/…/<id>.sent.json`): `beatwatch redrive` re-drives
   * records whose alerts may have gone out already. Told each one skipped.
   */
  readonly skipSentAlerts?: boolean;
  readonly onAlreadySent?: (message: AnyAlertMessage) => void;
}

/** Sinks that refuse to act once `signal` is aborted: an ended environment has no side effects left. */
function untilAborted(sinks: DetectSinks, signal: AbortSignal): DetectSinks {
  const guard =
    <A extends unknown[]>(write: (...args: A) => Promise<void>) =>
    async (...args: A): Promise<void> => {
      signal.throwIfAborted();
      await write(...args);
    };
  const { recordAlert, recordEpisode } = sinks;
  return {
    quarantine: guard((r) => sinks.quarantine(r)),
    putSnippet: guard((k, s) => sinks.putSnippet(k, s)),
    publishAlert: guard((m) => sinks.publishAlert(m)),
    ...(recordAlert ? { recordAlert: guard((m, s) => recordAlert.call(sinks, m, s)) } : {}),
    ...(recordEpisode ? { recordEpisode: guard((m) => recordEpisode.call(sinks, m)) } : {}),
  };
}

/** Presence writes that refuse to act once `signal` is aborted (reads go on: they change nothing). */
function presenceUntilAborted(store: PresenceStore, signal: AbortSignal | undefined): PresenceStore {
  if (signal === undefined) return store;
  return {
    arrived: async (d, s) => {
      signal.throwIfAborted();
      return store.arrived(d, s);
    },
    lastArrivals: () => store.lastArrivals(),
    openLost: async (d, e) => {
      signal.throwIfAborted();
      return store.openLost(d, e);
    },
    closeLost: async (d, f) => {
      signal.throwIfAborted();
      await store.closeLost(d, f);
    },
  };
}

function emitMetrics(metrics: Metrics, result: BatchResult): void {
  const c = result.counts;
  metrics.addMetric(DETECT_METRIC.beatsScored, MetricUnit.Count, c.beatsScored);
  metrics.addMetric(DETECT_METRIC.anomalousBeats, MetricUnit.Count, c.anomalousBeats);
  metrics.addMetric(DETECT_METRIC.alerts, MetricUnit.Count, c.alerts);
  metrics.addMetric(DETECT_METRIC.failedAlerts, MetricUnit.Count, c.failedAlerts);
  metrics.addMetric(DETECT_METRIC.rejectedRecords, MetricUnit.Count, c.rejected);
  metrics.addMetric(DETECT_METRIC.segmenterRestarts, MetricUnit.Count, c.segmenterRestarts);
  metrics.addMetric(DETECT_METRIC.duplicateRecords, MetricUnit.Count, c.duplicates);
  metrics.addMetric(DETECT_METRIC.scoringLatency, MetricUnit.Milliseconds, result.scoringMs);
  metrics.addMetric(DETECT_METRIC.learningBeats, MetricUnit.Count, c.learningBeats);
  metrics.addMetric(DETECT_METRIC.heldAlerts, MetricUnit.Count, c.heldAlerts);
  metrics.addMetric(DETECT_METRIC.profilesLearned, MetricUnit.Count, c.profilesLearned);
  metrics.addMetric(DETECT_METRIC.profileLoads, MetricUnit.Count, c.profileLoads);
  metrics.addMetric(DETECT_METRIC.profileFailures, MetricUnit.Count, c.profileFailures);
  metrics.addMetric(DETECT_METRIC.deviceRestarts, MetricUnit.Count, c.deviceRestarts);
  metrics.addMetric(DETECT_METRIC.clockJumps, MetricUnit.Count, c.clockJumps);
  metrics.addMetric(DETECT_METRIC.implausibleRecords, MetricUnit.Count, c.implausibleRecords);
  metrics.addMetric(DETECT_METRIC.amplitudeFlaggedRecords, MetricUnit.Count, c.amplitudeFlagged);
  metrics.addMetric(DETECT_METRIC.deviceEvictions, MetricUnit.Count, c.evictions);
  metrics.addMetric(DETECT_METRIC.refusedDevices, MetricUnit.Count, c.refusedDevices);
  metrics.addMetric(DETECT_METRIC.refusedRecords, MetricUnit.Count, c.refusedRecords);
  metrics.addMetric(DETECT_METRIC.alreadyPublishedAlerts, MetricUnit.Count, c.alreadyPublished);
  metrics.addMetric(DETECT_METRIC.noModelBatches, MetricUnit.Count, 0);
  metrics.addMetric(DETECT_METRIC.leadFallbackBeats, MetricUnit.Count, c.leadFallbackBeats);
  metrics.addMetric(DETECT_METRIC.asystoleVetoes, MetricUnit.Count, c.asystoleVetoes);
}

/**
 * Builds the detect handler. Configuration is read on the first invocation (so importing the
 * module never throws); the detector's per-device state and the model cache live as long as
 * the handler (the Lambda environment).
 *
 * @example
 * // the Lambda entry point:
 * export const handler = createDetectHandler();
 * // the demo: same code, its own observer
 * const handler = createDetectHandler({ onBatch: (r) => counts.add(r) });
 */
export function createDetectHandler(options: DetectHandlerOptions = {}): DetectHandler {
  const logger = options.logger ?? new Logger({ serviceName: 'beatwatch-detect' });
  const metrics = options.metrics ?? new Metrics({ namespace: METRICS_NAMESPACE, serviceName: DETECT_SERVICE_NAME });
  let ready: { config: DetectConfig; cache: ModelCache; detector: Detector } | null = null;

  function setUp() {
    const config = detectConfigFromEnv(options.env ?? process.env);
    const aws = options.aws ?? createAwsClients({ env: options.env ?? process.env });
    const sinks = createDetectSinks({
      s3: aws.s3,
      sns: aws.sns,
      bucket: config.bucket,
      topicArn: config.topicArn,
      skipSent: options.skipSentAlerts,
      onAlreadySent: options.onAlreadySent,
      onMarkerError: (err) => logger.warn('alert sent, its sent marker not written', { error: String(err) }),
    });
    const cache = new ModelCache(createS3ModelSource(aws.s3, config.bucket, config.pointerKey), loadBeatModel, {
      revalidateMs: config.revalidateMs,
      onRejected: (reason) => logger.warn('model refused, keeping the model in hand', { reason }),
    });
    // Learned profiles live in the same bucket (devices/), so a device learns once per model
    // version, not once per container.
    const stored = createS3ProfileStore(aws.s3, config.bucket, (device, reason) =>
      logger.warn('device profile unusable, relearning', { device: deviceLogRef(device), reason }),
    );
    const { signal } = options;
    const profiles = signal
      ? {
          load: (d: string) => stored.load(d),
          save: async (d: string, p: DeviceProfile) => {
            signal.throwIfAborted();
            await stored.save(d, p);
          },
        }
      : stored;
    // The alert state table (the console's): alerts recorded before SNS, snoozes read per batch,
    // and each device's last arrival, which the signal-lost sweep reads (functions/signal-lost-sweep.ts).
    const env = options.env ?? process.env;
    const table = env[DETECT_ENV.alertTable];
    const dynamo = table ? createDynamoClient({ env }) : null;
    const state = dynamo && table ? new AlertStateStore(dynamo, table) : null;
    const recorded: DetectSinks = state
      ? { ...sinks, recordAlert: (m, s) => state.putAlert(m, s), recordEpisode: (m) => state.putEpisode(m) }
      : sinks;
    const recording = signal ? untilAborted(recorded, signal) : recorded;
    const detector = new Detector(options.wrapSinks ? options.wrapSinks(recording) : recording, decodeRecord, {
      ...config.detector,
      profiles,
      ...(state && dynamo && table
        ? { snoozes: cachedSnoozes(state, SNOOZE_CACHE_MS), presence: presenceUntilAborted(new DynamoPresenceStore(dynamo, table), signal) }
        : {}),
    });
    return { config, cache, detector };
  }

  const handler = async (event: KinesisStreamEvent, context?: Context): Promise<KinesisStreamBatchResponse> => {
    ready ??= setUp();
    if (context) logger.addContext(context);
    // No model at all (cold start before any pointer, artifact missing, corrupt, wrong hash,
    // unknown format): stop consuming. Every record is reported failed, so the mapping retries
    // the whole batch from its first record, without bisecting it into single records (a thrown
    // error would be bisected); nothing is discarded while the mapping keeps retrying (until
    // the record-age limit with the stack's defaults). NoModelBatches raises an alarm at once.
    let model: Awaited<ReturnType<ModelCache['current']>>;
    try {
      model = await ready.cache.current();
    } catch (err) {
      if (!(err instanceof NoModelError)) throw err;
      logger.error('no usable model: batch not consumed, the mapping retries it', {
        reason: ready.cache.lastError ?? err.message,
        records: event.Records.length,
      });
      metrics.addMetric(DETECT_METRIC.noModelBatches, MetricUnit.Count, 1);
      metrics.publishStoredMetrics();
      return { batchItemFailures: event.Records.map((r) => ({ itemIdentifier: r.kinesis.sequenceNumber })) };
    }
    const input: InputRecord[] = event.Records.map((r) => ({
      id: r.kinesis.sequenceNumber,
      data: Buffer.from(r.kinesis.data, 'base64'),
      arrivedAt: Math.round(r.kinesis.approximateArrivalTimestamp * 1000),
    }));
    const result = await ready.detector.processBatch(input, model);
    // Ended while it ran (a local timeout): its answer and its counts belong to nobody.
    options.signal?.throwIfAborted();
    for (const alert of result.alerts) {
      logger.info('alert published', {
        device: deviceLogRef(alert.deviceId),
        severity: alert.severity,
        from: alert.from,
        to: alert.to,
        anomalousBeats: alert.anomalousBeats,
        maxScore: alert.maxScore,
        threshold: alert.threshold,
      });
    }
    logger.info('batch processed', {
      modelVersion: model.version,
      devices: ready.detector.devices.size,
      ...result.counts,
      failedRecords: result.failedRecordIds.length,
      scoringMs: Number(result.scoringMs.toFixed(2)),
    });
    if (result.failedRecordIds.length > 0)
      logger.warn('records failed and will be retried', {
        failedRecords: result.failedRecordIds.length,
        lowest: result.failedRecordIds[0],
      });
    if (result.counts.presenceFailures > 0)
      logger.warn('device arrivals not persisted (signal-lost sweep sees them late); retried at the next batch', {
        failures: result.counts.presenceFailures,
      });
    for (const alert of result.episodes)
      if (alert.reason === 'signal-lost')
        logger.info('signal lost', { device: deviceLogRef(alert.deviceId), phase: alert.phase, from: alert.from });
    emitMetrics(metrics, result);
    metrics.publishStoredMetrics();
    options.onBatch?.(result);
    return { batchItemFailures: result.failedRecordIds.map((id) => ({ itemIdentifier: id })) };
  };
  return handler;
}

/** How long a warm environment trusts the snoozes it read: a snooze takes effect within this. */
const SNOOZE_CACHE_MS = 10_000;

/**
 * Device settings (snoozes, label thresholds) read at most once per `ttlMs` per device: one
 * BatchGetItem per batch is the most it costs.
 */
function cachedSnoozes(source: Required<SnoozeSource>, ttlMs: number): Required<SnoozeSource> {
  const cache = new Map<string, { settings: DeviceSettings | undefined; readAt: number }>();
  const deviceSettings = async (ids: readonly string[]): Promise<ReadonlyMap<string, DeviceSettings>> => {
    const now = Date.now();
    const stale = ids.filter((id) => (cache.get(id)?.readAt ?? -Infinity) < now - ttlMs);
    if (stale.length > 0) {
      const read = await source.deviceSettings(stale);
      for (const id of stale) cache.set(id, { settings: read.get(id), readAt: now });
    }
    const out = new Map<string, DeviceSettings>();
    for (const id of ids) {
      const settings = cache.get(id)?.settings;
      if (settings !== undefined) out.set(id, settings);
    }
    return out;
  };
  return {
    deviceSettings,
    async snoozedUntil(ids) {
      const out = new Map<string, number>();
      for (const [id, s] of await deviceSettings(ids)) if (s.snoozedUntil !== undefined) out.set(id, s.snoozedUntil);
      return out;
    },
  };
}

/** The detect handler (a Kinesis event in, partial batch failures out). */
export type DetectHandler = (event: KinesisStreamEvent, context?: Context) => Promise<KinesisStreamBatchResponse>;

/** The Lambda entry point (`functions/detect.handler`). */
export const handler = createDetectHandler();
