import { Duration } from 'aws-cdk-lib';
import type * as kinesis from 'aws-cdk-lib/aws-kinesis';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { DETECT_ENV, MODEL_POINTER_KEY } from '../../src/contract';
import { Construct, type IDependable } from 'constructs';
import type { BeatwatchConfig } from '../config';
import { grantPublishEncrypted, grantReadPrefix, grantWritePrefix } from '../grants';
import { BundledFunction } from './bundled-function';
import { FailureQueue } from './failure-queue';
import { EncryptedSqsOnFailure } from './on-failure-queue';
import { PREFIX } from './storage';

// The pointer key, the metric namespace and the `service` dimension of the detector's EMF
// metrics are contracts with functions/detect.ts (src/contract); re-exported for the stack's users.
export { DETECT_SERVICE_NAME, METRICS_NAMESPACE, MODEL_POINTER_KEY } from '../../src/contract';

/** Options of {@link Detection}. */
export interface DetectionProps {
  readonly entry: string;
  readonly projectRoot: string;
  readonly config: BeatwatchConfig;
  readonly key: kms.IKey;
  readonly stream: kinesis.IStream;
  readonly bucket: s3.IBucket;
  readonly topic: sns.ITopic;
}

/**
 * The detect function and its Kinesis event source mapping (docs/ARCHITECTURE.md §4).
 *
 * Batches start at TRIM_HORIZON so nothing written before the mapping existed is skipped; the
 * handler reports partial batch failures, failing batches are bisected and retried a finite number
 * of times, records past the maximum age are not retried, and whatever is given up on is described
 * in an encrypted SQS queue (shard, sequence range) for replay from the stream or `history/`.
 *
 * Permissions, from grants only: read the stream, read `models/`, write `alerts/` and
 * `rejected/`, publish to the alerts topic. Nothing else: not `history/`, not writing models.
 */
export class Detection extends Construct {
  readonly function: BundledFunction;
  /** On-failure destination of the event source mapping. */
  readonly failureQueue: sqs.Queue;
  readonly eventSource: sources.KinesisEventSource;

  constructor(scope: Construct, id: string, props: DetectionProps) {
    super(scope, id);
    const { config } = props;
    this.failureQueue = new FailureQueue(this, 'FailureQueue', { key: props.key }).queue;
    this.function = new BundledFunction(this, 'Detect', {
      entry: props.entry,
      projectRoot: props.projectRoot,
      description: 'beatwatch detect: Kinesis ECG records -> beats -> LSTM-AE scores -> alerts',
      memoryMb: config.detectMemoryMb,
      timeout: Duration.seconds(config.detectTimeoutSeconds),
      key: props.key,
      logRetentionDays: config.logRetentionDays,
      reservedConcurrency: config.detectReservedConcurrency,
      environment: {
        [DETECT_ENV.bucket]: props.bucket.bucketName,
        [DETECT_ENV.topicArn]: props.topic.topicArn,
        [DETECT_ENV.pointerKey]: MODEL_POINTER_KEY,
        [DETECT_ENV.signalLostSeconds]: String(config.signalLostSeconds),
        ...config.detectorOverrides,
      },
    });
    const fn = this.function.fn;

    this.eventSource = new sources.KinesisEventSource(props.stream, {
      startingPosition: lambda.StartingPosition.TRIM_HORIZON,
      batchSize: config.detectBatchSize,
      maxBatchingWindow: Duration.seconds(config.detectMaxBatchingWindowSeconds),
      reportBatchItemFailures: true,
      bisectBatchOnError: true,
      retryAttempts: config.detectRetryAttempts,
      maxRecordAge: Duration.seconds(config.detectMaxRecordAgeSeconds),
      parallelizationFactor: config.parallelizationFactor,
      onFailure: new EncryptedSqsOnFailure(this.failureQueue, props.key),
    });
    fn.addEventSource(this.eventSource);

    grantReadPrefix(fn, props.bucket, props.key, PREFIX.models);
    grantWritePrefix(fn, props.bucket, props.key, PREFIX.alerts);
    grantWritePrefix(fn, props.bucket, props.key, PREFIX.rejected);
    // Learned device profiles (devices/<id>/profile.json): read on first sight, written when learned.
    grantReadPrefix(fn, props.bucket, props.key, PREFIX.devices);
    grantWritePrefix(fn, props.bucket, props.key, PREFIX.devices);
    grantPublishEncrypted(fn, props.topic, props.key);
  }

  /** Creates the event source mapping only after `dependency` exists (e.g. the default model). */
  startAfter(dependency: IDependable): void {
    const mapping = this.function.fn.node.children.find((child) => child instanceof lambda.EventSourceMapping);
    if (mapping === undefined) throw new Error('detection: the Kinesis event source mapping was not created');
    mapping.node.addDependency(dependency);
  }
}
