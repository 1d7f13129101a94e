/**
 * The retrain Lambda: EventBridge schedule → one retraining cycle (`src/model/retrain` over the
 * S3 ports of `src/aws`) → logs and EMF metrics. Thin on purpose: the job itself does not know
 * it runs in Lambda (DESIGN.md §5); this file only turns the Lambda's remaining time into the
 * job's time budget and its environment into options.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { createAwsClients, type AwsClients } from '../src/aws/clients';
import { runRetrainCycle } from '../src/aws/retrain-ports';
import { DEFAULT_RETRAIN_OPTIONS, type RetrainResult } from '../src/retrain';
import { envReader } from '../src/contract/env-reader';

/** Kept back from the Lambda's remaining time for everything after the job (logs, metrics, return). */
export const DEFAULT_SAFETY_MARGIN_MS = 30_000;

/** The retrain function's configuration, from its environment. */
export interface RetrainConfig {
  /** BUCKET_NAME (required). */
  readonly bucket: string;
  /** RETRAIN_HISTORY_DAYS (or HISTORY_DAYS; default 7). */
  readonly days: number;
  /** RETRAIN_SAFETY_MARGIN_SECONDS, in ms here (default {@link DEFAULT_SAFETY_MARGIN_MS}). */
  readonly safetyMarginMs: number;
  /** TIME_BUDGET_MS: a fixed budget instead of the remaining time minus the margin (optional). */
  readonly timeBudgetMs?: number;
  /** MAX_DEVICES, MAX_BEATS: the memory bounds of the dataset. */
  readonly maxDevices: number;
  readonly maxBeats: number;
  /** EPOCHS, TRAIN_WORKERS. */
  readonly epochs: number;
  readonly workers: number;
}

/**
 * Reads the environment, naming the variable in every error.
 *
 * @example
 * const config = retrainConfigFromEnv({ BUCKET_NAME: 'beatwatch-data', RETRAIN_HISTORY_DAYS: '3' });
 */
export function retrainConfigFromEnv(env: Readonly<Record<string, string | undefined>>): RetrainConfig {
  const reader = envReader(env);
  const bucket = reader.required('BUCKET_NAME');
  const num = reader.number;
  const positive = (n: number) => Number.isFinite(n) && n > 0;
  const int = (min: number) => (n: number) => Number.isInteger(n) && n >= min;
  const fixed = reader.optionalNumber('TIME_BUDGET_MS', positive, 'a number > 0');
  return {
    bucket,
    days: num(
      env.RETRAIN_HISTORY_DAYS === undefined ? 'HISTORY_DAYS' : 'RETRAIN_HISTORY_DAYS',
      DEFAULT_RETRAIN_OPTIONS.days,
      positive,
      'a number of days > 0',
    ),
    safetyMarginMs:
      1000 *
      num(
        'RETRAIN_SAFETY_MARGIN_SECONDS',
        DEFAULT_SAFETY_MARGIN_MS / 1000,
        (n) => Number.isFinite(n) && n >= 0,
        'a number of seconds >= 0',
      ),
    ...(fixed === undefined ? {} : { timeBudgetMs: fixed }),
    maxDevices: num('MAX_DEVICES', DEFAULT_RETRAIN_OPTIONS.maxDevices, int(1), 'an integer >= 1'),
    maxBeats: num('MAX_BEATS', DEFAULT_RETRAIN_OPTIONS.maxBeats, int(1), 'an integer >= 1'),
    epochs: num('EPOCHS', DEFAULT_RETRAIN_OPTIONS.train.epochs, int(0), 'an integer >= 0'),
    workers: num('TRAIN_WORKERS', DEFAULT_RETRAIN_OPTIONS.train.workers, int(1), 'an integer >= 1'),
  };
}

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
  metrics.addMetric('HistoryRecords', MetricUnit.Count, r.history.records);
  metrics.addMetric('MalformedHistoryLines', MetricUnit.Count, r.history.malformedLines);
  metrics.addMetric('MalformedHistoryObjects', MetricUnit.Count, r.history.malformedObjects);
  metrics.addMetric('BeatsRead', MetricUnit.Count, r.beatsRead);
  metrics.addMetric('BeatsUsed', MetricUnit.Count, r.beatsUsed);
  metrics.addMetric('TrainingSeconds', MetricUnit.Seconds, r.training?.seconds ?? 0);
  metrics.addMetric('RetrainSeconds', MetricUnit.Seconds, r.seconds);
  metrics.addMetric('Promoted', MetricUnit.Count, r.decision === 'promoted' ? 1 : 0);
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
  const metrics = options.metrics ?? new Metrics({ namespace: 'beatwatch', serviceName: 'retrain' });
  let ready: { config: RetrainConfig; aws: AwsClients } | null = null;
  return async (_event, context) => {
    ready ??= {
      config: retrainConfigFromEnv(options.env ?? process.env),
      aws: options.aws ?? createAwsClients({ env: options.env ?? process.env }),
    };
    if (context) logger.addContext(context);
    const { config, aws } = ready;
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
      onProgress: (p) => logger.info(p.message, { phase: p.phase, ...p.data }),
      onProblem: (p) => logger.warn('history skipped', { key: p.key, line: p.line, reason: p.reason }),
    });
    const { comparison, training, ...summary } = result;
    logger.info(result.decision === 'promoted' ? 'new model promoted' : 'champion kept', {
      ...summary,
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
