import type { _Record as KinesisRecord } from '@aws-sdk/client-kinesis';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';

/** Why the mapping gave up on records (the `condition` Lambda reports). */
export type DiscardCondition = 'RetryAttemptsExhausted' | 'RecordAgeExceeded';

/**
 * The on-failure record Lambda sends for discarded Kinesis records: metadata about the batch
 * (shard, sequence range, arrival times), never the records themselves; a consumer re-reads
 * them from the stream with the sequence numbers while they are retained.
 */
export interface KinesisOnFailureMessage {
  readonly requestContext: {
    readonly requestId: string;
    readonly functionArn: string;
    readonly condition: DiscardCondition;
    readonly approximateInvokeCount: number;
  };
  readonly responseContext: { readonly statusCode: number; readonly executedVersion: string; readonly functionError?: string };
  readonly version: '1.0';
  readonly timestamp: string;
  readonly KinesisBatchInfo: {
    readonly shardId: string;
    readonly startSequenceNumber: string;
    readonly endSequenceNumber: string;
    readonly approximateArrivalOfFirstRecord: string;
    readonly approximateArrivalOfLastRecord: string;
    readonly batchSize: number;
    readonly streamArn: string;
  };
}

/** Where discarded-batch records go: an SQS queue, or any function (tests, logs). */
export type OnFailureDestination =
  { readonly sqs: SQSClient; readonly queueUrl: string } | ((message: KinesisOnFailureMessage) => Promise<void>);

/** Builds the on-failure record of discarded `records` (non-empty, in stream order). */
export function onFailureMessage(options: {
  records: readonly KinesisRecord[];
  shardId: string;
  streamArn: string;
  functionArn: string;
  requestId: string;
  condition: DiscardCondition;
  invokeCount: number;
  functionError: boolean;
}): KinesisOnFailureMessage {
  const first = options.records[0];
  const last = options.records[options.records.length - 1];
  const iso = (r: KinesisRecord) => (r.ApproximateArrivalTimestamp ?? new Date()).toISOString();
  return {
    requestContext: {
      requestId: options.requestId,
      functionArn: options.functionArn,
      condition: options.condition,
      approximateInvokeCount: options.invokeCount,
    },
    responseContext: { statusCode: 200, executedVersion: '$LATEST', ...(options.functionError ? { functionError: 'Unhandled' } : {}) },
    version: '1.0',
    timestamp: new Date().toISOString(),
    KinesisBatchInfo: {
      shardId: options.shardId,
      startSequenceNumber: first.SequenceNumber ?? '',
      endSequenceNumber: last.SequenceNumber ?? '',
      approximateArrivalOfFirstRecord: iso(first),
      approximateArrivalOfLastRecord: iso(last),
      batchSize: options.records.length,
      streamArn: options.streamArn,
    },
  };
}

/** Delivers an on-failure record to its destination. */
export async function sendOnFailure(destination: OnFailureDestination, message: KinesisOnFailureMessage): Promise<void> {
  if (typeof destination === 'function') {
    await destination(message);
    return;
  }
  await destination.sqs.send(new SendMessageCommand({ QueueUrl: destination.queueUrl, MessageBody: JSON.stringify(message) }));
}
