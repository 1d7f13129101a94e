import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { RETRAIN_ENV } from '../../src/contract';
import { Construct } from 'constructs';
import type { BeatwatchConfig } from '../config';
import { grantReadPrefix, grantWritePrefix } from '../grants';
import { BundledFunction } from './bundled-function';
import { FailureQueue } from './failure-queue';
import { PREFIX } from './storage';

/** Times EventBridge retries delivering a scheduled event to Lambda. */
export const RETRAIN_TARGET_RETRY_ATTEMPTS = 2;
/** Age after which a scheduled run is no longer started (the next one will come). */
export const RETRAIN_MAX_EVENT_AGE_HOURS = 2;
/**
 * Lambda's retries of a failed run. A run costs up to 15 minutes and its failures are mostly
 * deterministic (bad data, a bug), so it is not retried: it lands in the dead-letter queue, the
 * alarm fires, and the next scheduled run tries again.
 */
export const RETRAIN_ASYNC_RETRY_ATTEMPTS = 0;

/** Options of {@link Retraining}. */
export interface RetrainingProps {
  readonly entry: string;
  readonly projectRoot: string;
  readonly config: BeatwatchConfig;
  readonly key: kms.IKey;
  readonly bucket: s3.IBucket;
}

/**
 * The retrain function on an EventBridge schedule (docs/ARCHITECTURE.md §5): reads `history/`, trains a
 * challenger within its time budget, writes `models/<version>/` and switches `models/current.json`
 * when the challenger is better.
 *
 * Permissions, from grants only: read `history/` and `models/`, write `models/`. It cannot
 * publish alerts or touch `alerts/` and `rejected/`. Scheduled invocations are asynchronous, so
 * failed runs land in an encrypted dead-letter queue.
 */
export class Retraining extends Construct {
  readonly function: BundledFunction;
  readonly deadLetterQueue: sqs.Queue;
  readonly schedule: events.Rule;

  constructor(scope: Construct, id: string, props: RetrainingProps) {
    super(scope, id);
    const { config } = props;
    this.deadLetterQueue = new FailureQueue(this, 'DeadLetterQueue', { key: props.key }).queue;
    this.function = new BundledFunction(this, 'Retrain', {
      entry: props.entry,
      projectRoot: props.projectRoot,
      description: 'beatwatch retrain: history -> challenger model -> promote if better',
      memoryMb: config.retrainMemoryMb,
      timeout: Duration.seconds(config.retrainTimeoutSeconds),
      key: props.key,
      logRetentionDays: config.logRetentionDays,
      reservedConcurrency: config.retrainReservedConcurrency,
      deadLetterQueue: this.deadLetterQueue,
      environment: {
        [RETRAIN_ENV.bucket]: props.bucket.bucketName,
        [RETRAIN_ENV.historyDays]: String(config.retrainHistoryDays),
        [RETRAIN_ENV.safetyMarginSeconds]: String(config.retrainSafetyMarginSeconds),
      },
    });
    const fn = this.function.fn;
    fn.configureAsyncInvoke({ retryAttempts: RETRAIN_ASYNC_RETRY_ATTEMPTS, maxEventAge: Duration.hours(RETRAIN_MAX_EVENT_AGE_HOURS) });
    grantReadPrefix(fn, props.bucket, props.key, PREFIX.history);
    grantReadPrefix(fn, props.bucket, props.key, PREFIX.models);
    grantWritePrefix(fn, props.bucket, props.key, PREFIX.models);

    this.schedule = new events.Rule(this, 'Schedule', {
      description: 'beatwatch: scheduled retraining',
      schedule: events.Schedule.expression(config.retrainSchedule),
      targets: [
        new targets.LambdaFunction(fn, {
          retryAttempts: RETRAIN_TARGET_RETRY_ATTEMPTS,
          maxEventAge: Duration.hours(RETRAIN_MAX_EVENT_AGE_HOURS),
        }),
      ],
    });
  }
}
