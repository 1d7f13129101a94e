import { CreateStreamCommand, DescribeStreamSummaryCommand, StreamMode } from '@aws-sdk/client-kinesis';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { CreateTopicCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { AwsClients } from '../aws/clients';

/** Names of the local resources; every one has a default. */
export interface LocalResourcesOptions {
  /** Kinesis stream (default `beatwatch-ecg`). */
  readonly streamName?: string;
  /**
   * Shards of a PROVISIONED stream; absent = ON_DEMAND, as deployed (kinesis-local gives an
   * on-demand stream 4 shards).
   */
  readonly shardCount?: number;
  /** S3 bucket for history/, models/, alerts/, rejected/ (default `beatwatch-local`). */
  readonly bucket?: string;
  /** SNS alerts topic (default `beatwatch-alerts`). */
  readonly topicName?: string;
  /** SQS queue subscribed to the topic, standing in for alert consumers (default `beatwatch-alerts-subscriber`). */
  readonly alertQueueName?: string;
  /** SQS on-failure destination of the event source mapping (default `beatwatch-detect-failures`). */
  readonly failureQueueName?: string;
  /** Skip the Kinesis stream (for tests that need only S3/SNS/SQS); `streamArn` is then ''. */
  readonly skipStream?: boolean;
  /** How long to wait for the stream to become ACTIVE (default 20 s). */
  readonly activeTimeoutMs?: number;
}

/** What {@link provisionLocalResources} created. */
export interface LocalResources {
  readonly streamName: string;
  readonly streamArn: string;
  readonly bucket: string;
  readonly topicArn: string;
  readonly alertQueueUrl: string;
  readonly alertQueueArn: string;
  readonly failureQueueUrl: string;
  readonly failureQueueArn: string;
}

/**
 * Creates what the deployed stack has (stream, bucket, alerts topic, on-failure queue) plus an
 * SQS queue subscribed to the topic so alerts can be received locally. Idempotent for
 * bucket, topic and queues; the stream must not exist yet.
 *
 * @example
 * const res = await provisionLocalResources(aws, { shardCount: 2 });
 */
export async function provisionLocalResources(aws: AwsClients, options: LocalResourcesOptions = {}): Promise<LocalResources> {
  const streamName = options.streamName ?? 'beatwatch-ecg';
  const bucket = options.bucket ?? 'beatwatch-local';
  const [streamArn] = await Promise.all([
    options.skipStream ? Promise.resolve('') : createStream(aws.kinesis, streamName, options),
    aws.s3.send(new CreateBucketCommand({ Bucket: bucket })),
  ]);
  const { TopicArn } = await aws.sns.send(new CreateTopicCommand({ Name: options.topicName ?? 'beatwatch-alerts' }));
  if (TopicArn === undefined) throw new Error('CreateTopic returned no TopicArn');
  const alertQueue = await createQueue(aws.sqs, options.alertQueueName ?? 'beatwatch-alerts-subscriber');
  const failureQueue = await createQueue(aws.sqs, options.failureQueueName ?? 'beatwatch-detect-failures');
  await aws.sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: alertQueue.arn }));
  return {
    streamName,
    streamArn,
    bucket,
    topicArn: TopicArn,
    alertQueueUrl: alertQueue.url,
    alertQueueArn: alertQueue.arn,
    failureQueueUrl: failureQueue.url,
    failureQueueArn: failureQueue.arn,
  };
}

async function createStream(kinesis: KinesisClient, streamName: string, options: LocalResourcesOptions): Promise<string> {
  await kinesis.send(
    new CreateStreamCommand(
      options.shardCount === undefined
        ? { StreamName: streamName, StreamModeDetails: { StreamMode: StreamMode.ON_DEMAND } }
        : { StreamName: streamName, ShardCount: options.shardCount, StreamModeDetails: { StreamMode: StreamMode.PROVISIONED } },
    ),
  );
  return waitForStreamActive(kinesis, streamName, options.activeTimeoutMs ?? 20_000);
}

/** Creates (or finds) a standard queue and returns its URL and ARN. */
async function createQueue(sqs: SQSClient, name: string): Promise<{ url: string; arn: string }> {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  if (QueueUrl === undefined) throw new Error(`CreateQueue ${name} returned no QueueUrl`);
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  const arn = Attributes?.QueueArn;
  if (arn === undefined) throw new Error(`queue ${name} has no QueueArn attribute`);
  return { url: QueueUrl, arn };
}

/**
 * Polls DescribeStreamSummary until the stream is ACTIVE and returns its ARN.
 *
 * @example
 * const arn = await waitForStreamActive(aws.kinesis, 'beatwatch-ecg', 20_000);
 */
export async function waitForStreamActive(kinesis: KinesisClient, streamName: string, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { StreamDescriptionSummary: s } = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: streamName }));
    if (s?.StreamStatus === 'ACTIVE' && s.StreamARN !== undefined) return s.StreamARN;
    if (Date.now() > deadline) throw new Error(`stream ${streamName} is ${s?.StreamStatus ?? 'unknown'}, not ACTIVE after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
