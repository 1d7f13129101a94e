import { GetRecordsCommand, GetShardIteratorCommand, type KinesisClient, type _Record as KinesisRecord } from '@aws-sdk/client-kinesis';
import { DeleteMessageCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { interpretResponse, makeLambdaContext, toKinesisEventRecord, type EventSourceIdentity, type KinesisHandler } from './lambda-event';

/** Options of {@link redrive}. */
export interface RedriveOptions {
  readonly sqs: SQSClient;
  readonly kinesis: KinesisClient;
  /** The detect function's on-failure queue. */
  readonly queueUrl: string;
  /** The detect handler the records go through (e.g. `createDetectHandler({ env })`). */
  readonly handler: KinesisHandler;
  /** Records per invocation (default 100, the mapping's default). */
  readonly batchSize?: number;
  /** Attempts per batch before a range is given up for this run (default {@link REDRIVE_ATTEMPTS}). */
  readonly attempts?: number;
  /** Delete the messages whose range was fully handled (default true). */
  readonly deleteHandled?: boolean;
  /** Stop after this many messages (default: until the queue is empty). */
  readonly maxMessages?: number;
  /** Told one line per range (no device ids, no samples). */
  readonly onProgress?: (line: string) => void;
}

/** What happened to one failure-queue message. */
export interface RedriveRange {
  readonly shardId: string;
  readonly startSequenceNumber: string;
  readonly endSequenceNumber: string;
  /** Records the message says were discarded. */
  readonly expected: number;
  /** Records found in the stream for the range. */
  readonly found: number;
  /** Records the handler took (acknowledged). */
  readonly recovered: number;
  /** `recovered`: done and deleted; `partial`/`failed`: kept in the queue for another run; `unreadable`: not an on-failure message. */
  readonly outcome: 'recovered' | 'partial' | 'failed' | 'unreadable';
  readonly reason?: string;
}

/** The report of a {@link redrive} run (`beatwatch redrive --json` prints it). */
export interface RedriveReport {
  readonly messages: number;
  readonly ranges: RedriveRange[];
  readonly recordsExpected: number;
  readonly recordsRecovered: number;
  readonly deleted: number;
}

/** Attempts per batch: the handler fails a batch only when a side effect (SNS, S3) still fails. */
export const REDRIVE_ATTEMPTS = 3;

/** On-failure message body of a Kinesis event source mapping (the part redrive reads). */
interface BatchInfo {
  shardId: string;
  startSequenceNumber: string;
  endSequenceNumber: string;
  batchSize: number;
  streamArn: string;
}

/**
 * Re-drives what the detect event source mapping gave up on: reads each on-failure message of
 * the queue (shard, sequence range), fetches the range's records from the stream
 * (`GetShardIterator AT_SEQUENCE_NUMBER`, then `GetRecords` to the end of the range), pushes them
 * through `handler` in stream order (ranges sorted by shard and sequence number), once, and deletes the message when every record was taken. It is
 * idempotent: alert ids are deterministic and snippet keys derive from them, so a range re-driven
 * twice writes the same objects and messages with the same ids (subscribers de-duplicate on
 * `id`); within one run the handler's publish watermark sends each alert once. A range no
 * longer in the stream (past its retention) is reported `failed` with the reason and kept.
 *
 * @example
 * const report = await redrive({ sqs: aws.sqs, kinesis: aws.kinesis, queueUrl, handler: createDetectHandler({ env }) });
 */
export async function redrive(options: RedriveOptions): Promise<RedriveReport> {
  const ranges: RedriveRange[] = [];
  let messages = 0;
  let deleted = 0;
  const max = options.maxMessages ?? Infinity;
  const seen = new Set<string>();
  // Every message first, then the ranges in stream order per shard: a device's records must
  // reach the detector in order (a later range first would make the earlier one duplicates).
  const received: { body: string; receipt: string | undefined; info: BatchInfo | null }[] = [];
  while (received.length < max) {
    const out = await options.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: options.queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, VisibilityTimeout: 300 }),
    );
    const batch = (out.Messages ?? []).filter((m) => !seen.has(m.MessageId ?? ''));
    if (batch.length === 0) break;
    for (const m of batch.slice(0, max - received.length)) {
      seen.add(m.MessageId ?? '');
      received.push({ body: m.Body ?? '', receipt: m.ReceiptHandle, info: parseBatchInfo(m.Body ?? '') });
    }
  }
  received.sort((x, y) => {
    if (x.info === null || y.info === null) return x.info === null ? 1 : -1;
    if (x.info.shardId !== y.info.shardId) return x.info.shardId < y.info.shardId ? -1 : 1;
    const d = BigInt(x.info.startSequenceNumber) - BigInt(y.info.startSequenceNumber);
    return d < 0n ? -1 : d > 0n ? 1 : 0;
  });
  for (const message of received) {
    messages++;
    const range = await redriveMessage(message.body, options);
    ranges.push(range);
    options.onProgress?.(
      `redrive: ${range.shardId || '?'} ${range.startSequenceNumber}..${range.endSequenceNumber}: ${range.recovered}/${range.expected} records, ${range.outcome}${range.reason ? ` (${range.reason})` : ''}`,
    );
    if (range.outcome === 'recovered' && options.deleteHandled !== false) {
      await options.sqs.send(new DeleteMessageCommand({ QueueUrl: options.queueUrl, ReceiptHandle: message.receipt }));
      deleted++;
    }
  }
  return {
    messages,
    ranges,
    recordsExpected: ranges.reduce((n, r) => n + r.expected, 0),
    recordsRecovered: ranges.reduce((n, r) => n + r.recovered, 0),
    deleted,
  };
}

async function redriveMessage(body: string, options: RedriveOptions): Promise<RedriveRange> {
  const info = parseBatchInfo(body);
  if (info === null)
    return {
      shardId: '',
      startSequenceNumber: '',
      endSequenceNumber: '',
      expected: 0,
      found: 0,
      recovered: 0,
      outcome: 'unreadable',
      reason: 'not a Kinesis on-failure message',
    };
  const base = {
    shardId: info.shardId,
    startSequenceNumber: info.startSequenceNumber,
    endSequenceNumber: info.endSequenceNumber,
    expected: info.batchSize,
  };
  let records: KinesisRecord[];
  try {
    records = await fetchRange(options.kinesis, info);
  } catch (err) {
    return { ...base, found: 0, recovered: 0, outcome: 'failed', reason: `cannot read the range from the stream: ${(err as Error).name}` };
  }
  if (records.length === 0) return { ...base, found: 0, recovered: 0, outcome: 'failed', reason: 'the range is no longer in the stream' };
  const [, , , region, accountId] = info.streamArn.split(':');
  const identity: EventSourceIdentity = { streamArn: info.streamArn, region, accountId, functionName: 'beatwatch-redrive' };
  const size = options.batchSize ?? 100;
  const attempts = options.attempts ?? REDRIVE_ATTEMPTS;
  let recovered = 0;
  let pos = 0;
  let failures = 0;
  while (pos < records.length) {
    const chunk = records.slice(pos, pos + size);
    let outcome: ReturnType<typeof interpretResponse>;
    try {
      const response = await options.handler(
        { Records: chunk.map((r) => toKinesisEventRecord(r, info.shardId, identity)) },
        makeLambdaContext(identity, 900_000, 1769),
      );
      outcome = interpretResponse(
        response,
        chunk.map((r) => r.SequenceNumber ?? ''),
        true,
      );
    } catch (err) {
      outcome = { kind: 'error', message: (err as Error).message };
    }
    const taken = outcome.kind === 'success' ? chunk.length : outcome.kind === 'partial' ? outcome.fromIndex : 0;
    recovered += taken;
    pos += taken;
    if (taken < chunk.length) {
      if (taken === 0 && ++failures >= attempts) break;
      if (taken > 0) failures = 0;
    }
  }
  const outcome =
    pos >= records.length ? (records.length >= info.batchSize ? 'recovered' : 'partial') : recovered > 0 ? 'partial' : 'failed';
  return {
    ...base,
    found: records.length,
    recovered,
    outcome,
    ...(outcome === 'recovered'
      ? {}
      : {
          reason:
            pos < records.length ? 'the handler kept failing (SNS or S3 still down?)' : 'part of the range is no longer in the stream',
        }),
  };
}

/** Reads the records of `[start, end]` of one shard, in order. */
async function fetchRange(kinesis: KinesisClient, info: BatchInfo): Promise<KinesisRecord[]> {
  const end = BigInt(info.endSequenceNumber);
  const { ShardIterator } = await kinesis.send(
    new GetShardIteratorCommand({
      StreamARN: info.streamArn,
      ShardId: info.shardId,
      ShardIteratorType: 'AT_SEQUENCE_NUMBER',
      StartingSequenceNumber: info.startSequenceNumber,
    }),
  );
  const out: KinesisRecord[] = [];
  let iterator = ShardIterator;
  // Empty pages happen while the iterator walks over time with no records: bounded, not endless.
  for (let empty = 0; iterator !== undefined && empty < 20;) {
    const page = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, StreamARN: info.streamArn, Limit: 1000 }));
    const records = page.Records ?? [];
    if (records.length === 0) {
      if ((page.MillisBehindLatest ?? 0) === 0) break;
      empty++;
    }
    for (const r of records) {
      if (BigInt(r.SequenceNumber ?? '0') > end) return out;
      out.push(r);
    }
    iterator = page.NextShardIterator;
  }
  return out;
}

function parseBatchInfo(body: string): BatchInfo | null {
  try {
    const info = (JSON.parse(body) as { KinesisBatchInfo?: Partial<BatchInfo> }).KinesisBatchInfo;
    if (
      info === undefined ||
      typeof info.shardId !== 'string' ||
      typeof info.streamArn !== 'string' ||
      !/^\d+$/.test(info.startSequenceNumber ?? '') ||
      !/^\d+$/.test(info.endSequenceNumber ?? '') ||
      typeof info.batchSize !== 'number'
    )
      return null;
    return info as BatchInfo;
  } catch {
    return null;
  }
}
