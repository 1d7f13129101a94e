import { GetRecordsCommand, GetShardIteratorCommand, type KinesisClient, type _Record as KinesisRecord } from '@aws-sdk/client-kinesis';
import { ChangeMessageVisibilityCommand, DeleteMessageCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { interpretResponse, makeLambdaContext, toKinesisEventRecord, type EventSourceIdentity, type KinesisHandler } from './lambda-event';
import { readHistoryWindow, type HistorySource } from './redrive-history';

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
  /** Delete the messages whose range was fully handled (default true); the others are made visible again at the end of the run. */
  readonly deleteHandled?: boolean;
  /** Stop after this many messages (default: until the queue is empty). */
  readonly maxMessages?: number;
  /** Told one line per range (no device ids, no samples). */
  readonly onProgress?: (line: string) => void;
  /**
   * Where to look when the stream no longer has a range (past its retention, trimmed, deleted):
   * the `history/` archive. Without it such a range is reported `failed` and kept.
   */
  readonly history?: HistorySource;
}

/** What happened to one failure-queue message. */
export interface RedriveRange {
  readonly shardId: string;
  readonly startSequenceNumber: string;
  readonly endSequenceNumber: string;
  /** Records the message says were discarded. */
  readonly expected: number;
  /** Where the records came from: the stream, or `history/` when the stream no longer had them. */
  readonly source?: 'stream' | 'history';
  /**
   * Records found for the range: in the stream, exactly the range; in `history/`, every record
   * of the shard's devices around it (the archive has no sequence numbers: see `readHistoryWindow`),
   * shared by the ranges of the shard re-driven from history in this run.
   */
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
  /** Records read back from `history/` and pushed through the handler (a superset of the ranges it stood in for). */
  readonly historyRecords: number;
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
  /** ISO times: where to look for the range in `history/`. */
  approximateArrivalOfFirstRecord: string;
  approximateArrivalOfLastRecord: string;
}

/**
 * Re-drives what the detect event source mapping gave up on: reads each on-failure message of
 * the queue (shard, sequence range), fetches the range's records from the stream
 * (`GetShardIterator AT_SEQUENCE_NUMBER`, then `GetRecords` to the end of the range) or, when the
 * stream no longer has them (past its retention, trimmed, deleted) and `history` is given, from
 * the `history/` archive around the range's arrival times (`readHistoryWindow`: a superset of the
 * range, the shard's devices only), pushes them through `handler` in stream order (ranges sorted
 * by shard and sequence number, those from history first: they are the older ones), once, and
 * deletes the message when every record was taken.
 *
 * Idempotent: alert ids are deterministic and snippet keys derive from them, so re-driven records
 * write the same objects; within one run the handler's device state skips records it has seen
 * and its publish watermark sends each alert once; across runs, and for alerts the detector
 * already sent before the batch was discarded, a handler built with `skipSentAlerts` (as
 * `beatwatch redrive` builds it) skips every alert whose sent marker exists. A range neither the
 * stream nor the archive has is reported `failed` with the reason and kept.
 *
 * @example
 * const report = await redrive({ sqs: aws.sqs, kinesis: aws.kinesis, queueUrl, history: { s3: aws.s3, bucket },
 *   handler: createDetectHandler({ env, skipSentAlerts: true }) });
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
  // Each range from the stream when it still holds it, else from history/. Ranges of a shard
  // read from history share one read of the archive and go first: they are the older ones.
  const plans: Plan[] = [];
  for (const message of received) {
    messages++;
    plans.push(await plan(message, options));
  }
  let historyRecords = 0;
  const byShard = new Map<string, Plan[]>();
  for (const p of plans) if (p.kind === 'history') byShard.set(p.info.shardId, [...(byShard.get(p.info.shardId) ?? []), p]);
  for (const group of byShard.values()) historyRecords += await fromHistory(group, options);
  for (const p of plans) {
    if (p.kind === 'stream') p.range = await pushRange(p.info, p.records, 'stream', options);
    const range = p.range as RedriveRange;
    ranges.push(range);
    options.onProgress?.(
      `redrive: ${range.shardId || '?'} ${range.startSequenceNumber}..${range.endSequenceNumber}: ${range.recovered}/${range.expected} records${range.source === 'history' ? ' (from history/)' : ''}, ${range.outcome}${range.reason ? ` (${range.reason})` : ''}`,
    );
    if (range.outcome === 'recovered' && options.deleteHandled !== false) {
      await options.sqs.send(new DeleteMessageCommand({ QueueUrl: options.queueUrl, ReceiptHandle: p.receipt }));
      deleted++;
    } else {
      // Kept for another run: visible again now, not once the receive's visibility timeout ends.
      await options.sqs.send(
        new ChangeMessageVisibilityCommand({ QueueUrl: options.queueUrl, ReceiptHandle: p.receipt, VisibilityTimeout: 0 }),
      );
    }
  }
  return {
    messages,
    ranges,
    recordsExpected: ranges.reduce((n, r) => n + r.expected, 0),
    recordsRecovered: ranges.reduce((n, r) => n + r.recovered, 0),
    deleted,
    historyRecords,
  };
}

/** What to do with one message: its records from the stream, from history (later), or nothing. */
type Plan = { receipt: string | undefined; range?: RedriveRange } & (
  { kind: 'stream'; info: BatchInfo; records: KinesisRecord[] } | { kind: 'history'; info: BatchInfo; why: string } | { kind: 'done' }
);

async function plan(message: { body: string; receipt: string | undefined }, options: RedriveOptions): Promise<Plan> {
  const { receipt } = message;
  const info = parseBatchInfo(message.body);
  if (info === null)
    return {
      kind: 'done',
      receipt,
      range: {
        shardId: '',
        startSequenceNumber: '',
        endSequenceNumber: '',
        expected: 0,
        found: 0,
        recovered: 0,
        outcome: 'unreadable',
        reason: 'not a Kinesis on-failure message',
      },
    };
  let records: KinesisRecord[] = [];
  let why: string;
  try {
    records = await fetchRange(options.kinesis, info);
    if (records.length >= info.batchSize) return { kind: 'stream', info, records, receipt };
    why = records.length === 0 ? 'the range is no longer in the stream' : 'part of the range is no longer in the stream';
  } catch (err) {
    why = `cannot read the range from the stream: ${(err as Error).name}`;
  }
  if (options.history !== undefined) return { kind: 'history', info, why, receipt };
  // No archive to fall back on: what the stream still has, if anything, and the reason.
  if (records.length > 0) return { kind: 'stream', info, records, receipt };
  return { kind: 'done', receipt, range: { ...rangeBase(info), found: 0, recovered: 0, outcome: 'failed', reason: why } };
}

/** Re-drives the ranges of one shard that the stream no longer has from `history/`; returns the records read. */
async function fromHistory(group: Plan[], options: RedriveOptions): Promise<number> {
  const infos = group.map((p) => (p as { info: BatchInfo }).info);
  const { shardId, streamArn } = infos[0];
  const from = Math.min(...infos.map((i) => Date.parse(i.approximateArrivalOfFirstRecord)));
  const to = Math.max(...infos.map((i) => Date.parse(i.approximateArrivalOfLastRecord)));
  const expected = infos.reduce((n, i) => n + i.batchSize, 0);
  let window: Awaited<ReturnType<typeof readHistoryWindow>> | undefined;
  let problem: string | undefined;
  if (!Number.isFinite(from) || !Number.isFinite(to)) problem = 'the message has no arrival times to find the range in history/';
  else {
    try {
      window = await readHistoryWindow(options.kinesis, options.history as HistorySource, streamArn, shardId, from, to);
    } catch (err) {
      problem = `cannot read history/: ${(err as Error).name}`;
    }
  }
  const records = window?.records ?? [];
  const pushed = records.length > 0 ? await pushRecords(infos[0], records, options) : { recovered: 0, complete: false };
  for (const p of group) {
    const info = (p as { info: BatchInfo }).info;
    const why = (p as { why: string }).why;
    const complete = pushed.complete && records.length >= expected;
    p.range = {
      ...rangeBase(info),
      source: 'history',
      found: records.length,
      // The archive cannot tell which of its records were this range's: all or nothing.
      recovered: complete ? info.batchSize : 0,
      outcome: complete ? 'recovered' : 'failed',
      ...(complete
        ? {}
        : {
            reason:
              problem ??
              (records.length === 0
                ? `${why}, nor in history/`
                : !pushed.complete
                  ? 'the handler kept failing (SNS or S3 still down?)'
                  : `${why}, and history/ holds fewer records than the ranges`),
          }),
    };
  }
  return records.length;
}

function rangeBase(info: BatchInfo) {
  return {
    shardId: info.shardId,
    startSequenceNumber: info.startSequenceNumber,
    endSequenceNumber: info.endSequenceNumber,
    expected: info.batchSize,
  };
}

/** Pushes a range read from the stream through the handler and reports it. */
async function pushRange(info: BatchInfo, records: KinesisRecord[], source: 'stream', options: RedriveOptions): Promise<RedriveRange> {
  const { recovered, complete } = await pushRecords(info, records, options);
  const outcome = complete ? (records.length >= info.batchSize ? 'recovered' : 'partial') : recovered > 0 ? 'partial' : 'failed';
  return {
    ...rangeBase(info),
    source,
    found: records.length,
    recovered,
    outcome,
    ...(outcome === 'recovered'
      ? {}
      : { reason: !complete ? 'the handler kept failing (SNS or S3 still down?)' : 'part of the range is no longer in the stream' }),
  };
}

/** Pushes records through the handler in batches, in order; a batch is retried up to `attempts` times without progress. */
async function pushRecords(
  info: BatchInfo,
  records: KinesisRecord[],
  options: RedriveOptions,
): Promise<{ recovered: number; complete: boolean }> {
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
  return { recovered, complete: pos >= records.length };
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
