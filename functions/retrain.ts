/**
 * The retrain Lambda: EventBridge schedule → one retraining cycle (`src/retrain` over the
 * S3 ports of `src/aws`) → logs and EMF metrics. Thin on purpose: the job itself does not know
 * it runs in Lambda (docs/ARCHITECTURE.md §5); this file only turns the Lambda's remaining time into the
 * job's time budget and its environment into options.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { AlertStateStore, createDynamoClient } from '../src/aws/alert-state-store';
import { createAwsClients, type AwsClients } from '../src/aws/clients';
import { runRetrainCycle } from '../src/aws/retrain-ports';
import { DEFAULT_RETRAIN_OPTIONS, type RetrainResult, retrainConfigFromEnv, type RetrainConfig } from '../src/retrain';
import { METRICS_NAMESPACE, RETRAIN_METRIC, RETRAIN_SERVICE_NAME, RETRAIN_ENV } from '../src/contract';

export { DEFAULT_SAFETY_MARGIN_MS, retrainConfigFromEnv, type RetrainConfig } from '../src/retrain';

/** Options of {@link createRetrainHandler}; everything defaults to what the Lambda uses. */
export interface RetrainHandlerOptions {
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly aws?: AwsClients;
  readonly logger?: Logger;
  readonly metrics?: Metrics;
}

/** The job's budget: a fixed one, else the Lambda's remaining time minus the margin, else the job's default. */
export function retrainBudgetMs(config: RetrainConfig, context?: Pick<Context, 'getRemainingTimeInMillis'>): number {
  if (config.timeBudgetMs !== undefined) return config.timeBudgetMs;
  if (context) return Math.max(1_000, context.getRemainingTimeInMillis() - config.safetyMarginMs);
  return DEFAULT_RETRAIN_OPTIONS.timeBudgetMs;
}

function emitMetrics(metrics: Metrics, r: RetrainResult): void {
  metrics.addMetric(RETRAIN_METRIC.historyRecords, MetricUnit.Count, r.history.records);
  metrics.addMetric(RETRAIN_METRIC.malformedHistoryRecords, MetricUnit.Count, r.history.malformedRecords);
  metrics.addMetric(RETRAIN_METRIC.malformedHistoryObjects, MetricUnit.Count, r.history.malformedObjects);
  metrics.addMetric(RETRAIN_METRIC.beatsRead, MetricUnit.Count, r.beatsRead);
  metrics.addMetric(RETRAIN_METRIC.beatsUsed, MetricUnit.Count, r.beatsUsed);
  metrics.addMetric(RETRAIN_METRIC.trainingSeconds, MetricUnit.Seconds, r.training?.seconds ?? 0);
  metrics.addMetric(RETRAIN_METRIC.retrainSeconds, MetricUnit.Seconds, r.seconds);
  metrics.addMetric(RETRAIN_METRIC.promoted, MetricUnit.Count, r.decision === 'promoted' ? 1 : 0);
}

/**
 * Builds the retrain handler. Configuration is read on the first invocation (importing never
 * throws). A run that decides (promoted or kept) succeeds; one that cannot run (no usable
 * current model, storage errors) throws, so the schedule's retry policy and alarms see it.
 *
 * @example
 * export const handler = createRetrainHandler();
 */
export function createRetrainHandler(
  options: RetrainHandlerOptions = {},
): (event: ScheduledEvent | Record<string, never>, context?: Context) => Promise<RetrainResult> {
  const logger = options.logger ?? new Logger({ serviceName: 'beatwatch-retrain' });
  const metrics = options.metrics ?? new Metrics({ namespace: METRICS_NAMESPACE, serviceName: RETRAIN_SERVICE_NAME });
  let ready: { config: RetrainConfig; aws: AwsClients; alertState: AlertStateStore | undefined } | null = null;
  const setUp = () => {
    const env = options.env ?? process.env;
    const table = env[RETRAIN_ENV.alertTable];
    return {
      config: retrainConfigFromEnv(env),
      aws: options.aws ?? createAwsClients({ env }),
      // Clinicians' labels (docs/ARCHITECTURE.md §3.9) when the stack gives the table.
      alertState: table ? new AlertStateStore(createDynamoClient({ env }), table) : undefined,
    };
  };
  return async (_event, context) => {
    ready ??= setUp();
    if (context) logger.addContext(context);
    const { config, aws, alertState } = ready;
    const timeBudgetMs = retrainBudgetMs(config, context);
    logger.info('retraining', { days: config.days, timeBudgetMs });
    const result = await runRetrainCycle({
      s3: aws.s3,
      bucket: config.bucket,
      days: config.days,
      timeBudgetMs,
      maxDevices: config.maxDevices,
      maxBeats: config.maxBeats,
      train: { epochs: config.epochs, workers: config.workers },
      ...(alertState ? { alertState } : {}),
      onProgress: (p) => logger.info(p.message, { phase: p.phase, ...p.data }),
      onProblem: (p) => logger.warn('history skipped', { key: p.key, offset: p.offset, reason: p.reason }),
    });
    // The labels' per-device list names devices: the log keeps their counts only.
    const { comparison, training, labels, ...summary } = result;
    logger.info(result.decision === 'promoted' ? 'new model promoted' : 'champion kept', {
      ...summary,
      labels: labels && { ...labels, devices: labels.devices.length },
      epochs: training?.epochs,
      stoppedBy: training?.stoppedBy,
      trainLoss: training?.trainLoss.at(-1),
      bestValLoss: training?.bestValLoss,
      checks: comparison?.checks,
    });
    emitMetrics(metrics, result);
    metrics.publishStoredMetrics();
    return result;
  };
}

/** The Lambda entry point (`functions/retrain.handler`). */
export const handler = createRetrainHandler();
