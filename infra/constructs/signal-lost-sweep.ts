import { Duration } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { SWEEP_ENV, SWEEP_SCHEDULE_SECONDS } from '../../src/contract';
import type { BeatwatchConfig } from '../config';
import { grantPublishEncrypted, grantTableActions } from '../grants';
import { BundledFunction } from './bundled-function';
import { FailureQueue } from './failure-queue';

/**
 * Sweep memory: the function holds a DynamoDB and an SNS client and one page of device items
 * (1 MB at most); it spends its time waiting between sweeps, so the smallest size costs least.
 */
export const SWEEP_MEMORY_MB = 128;
/** Sweep timeout: one scheduled run sweeps for up to a minute (the handler starts no sweep within 5 s of it). */
export const SWEEP_TIMEOUT_SECONDS = SWEEP_SCHEDULE_SECONDS + 15;
/**
 * A run that fails is not retried, and one not started within a minute is dropped: the next
 * scheduled run a minute later sweeps the same state anew. Failures land in the dead-letter queue.
 */
export const SWEEP_ASYNC_RETRY_ATTEMPTS = 0;
/** EventBridge's and Lambda's shortest event age (60 s): a run older than that is superseded by the next. */
export const SWEEP_MAX_EVENT_AGE_SECONDS = 60;
/** Times EventBridge retries handing a scheduled event to Lambda. */
export const SWEEP_TARGET_RETRY_ATTEMPTS = 2;

/** Options of {@link SignalLostSweep}. */
export interface SignalLostSweepProps {
  readonly entry: string;
  readonly projectRoot: string;
  readonly config: BeatwatchConfig;
  readonly key: kms.IKey;
  /** The alert state table, where the detector persists each device's last arrival. */
  readonly table: dynamodb.ITable;
  /** Its index listing the devices (`gsi1`). */
  readonly indexName: string;
  readonly topic: sns.ITopic;
}

/**
 * The signal-lost sweep (docs/ARCHITECTURE.md §3.3): an EventBridge schedule every minute runs a
 * function that sweeps the devices' last arrivals every 10 s of that minute and raises
 * `signal-lost` for the silent ones. Lambda is not invoked when no records arrive, so this is
 * what catches a shard that goes quiet altogether.
 *
 * Permissions, from grants only: query the table's device index, update device items
 * (conditional: open an episode, or reopen it after a failed publish), record the alert for the
 * console (a conditional put), read snoozes (BatchGetItem), publish to the alerts topic. Nothing of S3, nothing of the stream. One run at a
 * time (reserved concurrency 1); failed runs land in an encrypted dead-letter queue.
 */
export class SignalLostSweep extends Construct {
  readonly function: BundledFunction;
  readonly deadLetterQueue: sqs.Queue;
  readonly schedule: events.Rule;

  constructor(scope: Construct, id: string, props: SignalLostSweepProps) {
    super(scope, id);
    this.deadLetterQueue = new FailureQueue(this, 'DeadLetterQueue', { key: props.key }).queue;
    this.function = new BundledFunction(this, 'Sweep', {
      entry: props.entry,
      projectRoot: props.projectRoot,
      description: 'beatwatch signal-lost sweep: devices silent past the deadline -> technical alert',
      memoryMb: SWEEP_MEMORY_MB,
      timeout: Duration.seconds(SWEEP_TIMEOUT_SECONDS),
      key: props.key,
      logRetentionDays: props.config.logRetentionDays,
      reservedConcurrency: 1,
      deadLetterQueue: this.deadLetterQueue,
      environment: {
        [SWEEP_ENV.topicArn]: props.topic.topicArn,
        [SWEEP_ENV.alertTable]: props.table.tableName,
        [SWEEP_ENV.signalLostSeconds]: String(props.config.signalLostSeconds),
      },
    });
    const fn = this.function.fn;
    fn.configureAsyncInvoke({ retryAttempts: SWEEP_ASYNC_RETRY_ATTEMPTS, maxEventAge: Duration.seconds(SWEEP_MAX_EVENT_AGE_SECONDS) });
    // PutItem: the onset it raises is recorded as the console's alert (a conditional put; UpdateItem ends it).
    grantTableActions(fn, props.table, props.key, ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:BatchGetItem']);
    grantTableActions(fn, props.table, props.key, ['dynamodb:Query'], { indexes: [props.indexName], only: 'indexes' });
    grantPublishEncrypted(fn, props.topic, props.key);

    this.schedule = new events.Rule(this, 'Schedule', {
      description: 'beatwatch: signal-lost sweep',
      schedule: events.Schedule.rate(Duration.seconds(SWEEP_SCHEDULE_SECONDS)),
      targets: [
        new targets.LambdaFunction(fn, {
          retryAttempts: SWEEP_TARGET_RETRY_ATTEMPTS,
          maxEventAge: Duration.seconds(SWEEP_MAX_EVENT_AGE_SECONDS),
        }),
      ],
    });
  }
}
