import { randomUUID } from 'node:crypto';
import type { _Record as KinesisRecord } from '@aws-sdk/client-kinesis';
import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';

/** A Kinesis-triggered Lambda handler, the shape `functions/detect.ts` exports. */
export type KinesisHandler = (event: KinesisStreamEvent, context: Context) => Promise<KinesisStreamBatchResponse | void>;

/** Where the records came from, as the event source mapping stamps it on every record. */
export interface EventSourceIdentity {
  readonly streamArn: string;
  readonly region: string;
  readonly functionName: string;
  /** Account of the emulated function (kinesis-local's default account). */
  readonly accountId: string;
}

/**
 * Builds one record of a Lambda Kinesis event exactly as the event source mapping delivers it:
 * data base64, arrival in epoch seconds (fractional), `eventID` = `<shardId>:<sequenceNumber>`.
 *
 * @example
 * const event = { Records: records.map((r) => toKinesisEventRecord(r, 'shardId-000000000000', identity)) };
 */
export function toKinesisEventRecord(record: KinesisRecord, shardId: string, identity: EventSourceIdentity): KinesisStreamRecord {
  const data = record.Data ?? new Uint8Array(0);
  return {
    kinesis: {
      kinesisSchemaVersion: '1.0',
      partitionKey: record.PartitionKey ?? '',
      sequenceNumber: record.SequenceNumber ?? '',
      data: Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64'),
      approximateArrivalTimestamp: (record.ApproximateArrivalTimestamp?.getTime() ?? Date.now()) / 1000,
    },
    eventSource: 'aws:kinesis',
    eventVersion: '1.0',
    eventID: `${shardId}:${record.SequenceNumber ?? ''}`,
    eventName: 'aws:kinesis:record',
    invokeIdentityArn: `arn:aws:iam::${identity.accountId}:role/${identity.functionName}-role`,
    awsRegion: identity.region,
    eventSourceARN: identity.streamArn,
  };
}

/** Bytes a record adds to the invocation payload: its base64 data plus the JSON around it. */
export function eventRecordBytes(record: KinesisRecord, shardId: string): number {
  const dataBytes = record.Data?.byteLength ?? 0;
  // 4/3 for base64, plus the fixed fields (ARNs, ids): a safe over-estimate of ~600 bytes.
  return Math.ceil(dataBytes / 3) * 4 + 600 + shardId.length + (record.PartitionKey?.length ?? 0);
}

/**
 * A Lambda context for one local invocation: a fresh request id, the remaining time counting
 * down from `timeoutMs`. The deprecated callback-style methods throw: beatwatch handlers are async.
 */
export function makeLambdaContext(identity: EventSourceIdentity, timeoutMs: number, memoryMb: number): Context {
  const deadline = Date.now() + timeoutMs;
  const unsupported = () => {
    throw new Error('callback-style context methods are not supported locally: return a promise');
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: identity.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${identity.region}:${identity.accountId}:function:${identity.functionName}`,
    memoryLimitInMB: String(memoryMb),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${identity.functionName}`,
    logStreamName: `local/[$LATEST]${randomUUID().replaceAll('-', '')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}

/** How the mapping reads a handler's answer. */
export type BatchOutcome =
  | { readonly kind: 'success' }
  /** Records from `fromIndex` on are retried (the lowest reported failure; earlier ones are checkpointed). */
  | { readonly kind: 'partial'; readonly fromIndex: number }
  | { readonly kind: 'error'; readonly message: string };

/**
 * Interprets a handler's response like Lambda with `ReportBatchItemFailures`: nothing or an
 * empty list is success; otherwise the batch is checkpointed before the lowest failed sequence
 * number. An identifier that is empty or not in the batch fails the whole batch, as in AWS.
 * Without `reportBatchItemFailures` any resolved response is success.
 */
export function interpretResponse(response: unknown, sequenceNumbers: readonly string[], reportBatchItemFailures: boolean): BatchOutcome {
  if (!reportBatchItemFailures || response === undefined || response === null) return { kind: 'success' };
  const failures = (response as Partial<KinesisStreamBatchResponse>).batchItemFailures;
  if (failures === undefined || failures === null) return { kind: 'success' };
  if (!Array.isArray(failures)) return { kind: 'error', message: 'batchItemFailures is not an array' };
  if (failures.length === 0) return { kind: 'success' };
  let lowest = Infinity;
  for (const f of failures) {
    const id = (f as Partial<{ itemIdentifier: unknown }> | null)?.itemIdentifier;
    const index = typeof id === 'string' && id !== '' ? sequenceNumbers.indexOf(id) : -1;
    if (index < 0)
      return { kind: 'error', message: 'batchItemFailures names an itemIdentifier that is not a sequence number of the batch' };
    lowest = Math.min(lowest, index);
  }
  return { kind: 'partial', fromIndex: lowest };
}
