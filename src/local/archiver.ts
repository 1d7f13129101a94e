import {
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListShardsCommand,
  type KinesisClient,
} from '@aws-sdk/client-kinesis';
import type { S3Client } from '@aws-sdk/client-s3';
import { putHistoryObject } from '../aws/history-writer';
import { IdleBackoff } from './idle-backoff';

/** Options of {@link startArchiver}: Firehose's buffering hints and where to write. */
export interface ArchiverOptions {
  readonly kinesis: KinesisClient;
  readonly s3: S3Client;
  readonly streamName: string;
  readonly bucket: string;
  /** Flush when this many payload bytes are buffered (default {@link DEFAULT_ARCHIVE_BUFFER_BYTES}, Firehose's default). */
  readonly bufferSizeBytes?: number;
  /** Flush when the oldest buffered record has waited this long, ms (default {@link DEFAULT_ARCHIVE_BUFFER_INTERVAL_MS}). */
  readonly bufferIntervalMs?: number;
  /** Where to start reading (default `TRIM_HORIZON`: archive everything in the stream). */
  readonly startingPosition?: 'TRIM_HORIZON' | 'LATEST';
  /** First wait after an empty poll of a shard, ms; doubles while it stays idle (default 100). */
  readonly pollIntervalMs?: number;
  /** Longest wait between polls of an idle shard, ms (default 1000). */
  readonly maxIdlePollMs?: number;
  /** Name part of objects (default `beatwatch-history-1`). */
  readonly objectName?: string;
  /** Told about recoverable problems (a failed PutObject is retried at the next flush). */
  readonly onWarning?: (message: string) => void;
}

/** Counters of the archiver. */
export interface ArchiverStats {
  recordsRead: number;
  recordsArchived: number;
  objectsWritten: number;
  flushFailures: number;
}

/** A running archiver. */
export interface Archiver {
  readonly stats: Readonly<ArchiverStats>;
  /** Keys written so far, in order. */
  readonly keys: readonly string[];
  /** Reads every shard to the end as of the call, then flushes everything buffered. */
  drain(timeoutMs?: number): Promise<void>;
  /** Stops reading and flushes what is buffered. Idempotent. */
  stop(): Promise<void>;
}

/** Firehose's default buffer size (5 MiB). */
export const DEFAULT_ARCHIVE_BUFFER_BYTES = 5 * 1024 * 1024;
/** Local default buffer interval: 60 s (Firehose defaults to 300 s; a local run is short). */
export const DEFAULT_ARCHIVE_BUFFER_INTERVAL_MS = 60_000;

interface Buffered {
  readonly data: Uint8Array;
  readonly arrival: number;
}

/**
 * Plays Firehose with a Kinesis source and an S3 destination: reads every shard with its own
 * iterators (independent of the detector's), buffers records across shards, and flushes them
 * by size or age as one gzip object under `history/YYYY/MM/DD/HH/` holding each payload as
 * received (v1 JSON or v2 binary) followed by a newline, as the stack's Firehose with its
 * delimiter processor writes them (docs/ARCHITECTURE.md §3.4); the hour and the
 * object's timestamp taken from the oldest record's arrival (UTC), as Firehose does. A failed
 * write keeps the records buffered and is retried at the next flush.
 *
 * @example
 * const archiver = await startArchiver({ kinesis: aws.kinesis, s3: aws.s3, streamName, bucket });
 * ...
 * await archiver.stop(); // flushes
 */
export async function startArchiver(options: ArchiverOptions): Promise<Archiver> {
  const sizeLimit = options.bufferSizeBytes ?? DEFAULT_ARCHIVE_BUFFER_BYTES;
  const intervalMs = options.bufferIntervalMs ?? DEFAULT_ARCHIVE_BUFFER_INTERVAL_MS;
  const pollMs = options.pollIntervalMs ?? 100;
  const maxIdleMs = options.maxIdlePollMs ?? Math.max(1000, pollMs);
  if (!(sizeLimit > 0) || !(intervalMs > 0)) throw new RangeError('archiver: bufferSizeBytes and bufferIntervalMs must be > 0');
  const { StreamDescriptionSummary: summary } = await options.kinesis.send(
    new DescribeStreamSummaryCommand({ StreamName: options.streamName }),
  );
  const streamArn = summary?.StreamARN;
  if (streamArn === undefined) throw new Error(`stream ${options.streamName} has no ARN`);
  const shardIds: string[] = [];
  let token: string | undefined;
  do {
    const out = await options.kinesis.send(
      token === undefined ? new ListShardsCommand({ StreamARN: streamArn }) : new ListShardsCommand({ NextToken: token }),
    );
    for (const s of out.Shards ?? []) shardIds.push(s.ShardId as string);
    token = out.NextToken;
  } while (token !== undefined);

  const stats: ArchiverStats = { recordsRead: 0, recordsArchived: 0, objectsWritten: 0, flushFailures: 0 };
  const keys: string[] = [];
  let buffer: Buffered[] = [];
  let bufferBytes = 0;
  /** When the current buffer got its first record (the interval hint counts from there). */
  let bufferStartedAt = 0;
  let stopping = false;
  /** Per shard: start time of the latest read that found it caught up (drain's marker). */
  const caughtUpAt = new Map<string, number>();
  const ended = new Set<string>();
  let flushing: Promise<void> = Promise.resolve();

  /** Takes the oldest records, up to `sizeLimit` bytes (always at least one). */
  const takeObject = (): Buffered[] => {
    let bytes = 0;
    let n = 0;
    while (n < buffer.length && (n === 0 || bytes + buffer[n].data.byteLength <= sizeLimit)) bytes += buffer[n++].data.byteLength;
    const taken = buffer.splice(0, n);
    bufferBytes -= bytes;
    return taken;
  };

  /**
   * Writes buffered records as objects of at most `sizeLimit` bytes: while a full object's worth
   * is buffered, or everything with `all`. Serialized, so objects never interleave.
   */
  const flush = (all: boolean): Promise<void> => {
    flushing = flushing.then(async () => {
      while (buffer.length > 0 && (all || bufferBytes >= sizeLimit)) {
        const batch = takeObject();
        const oldest = batch.reduce((m, b) => Math.min(m, b.arrival), Infinity);
        try {
          const key = await putHistoryObject(
            options.s3,
            options.bucket,
            batch.map((b) => b.data),
            { at: oldest, ...(options.objectName === undefined ? {} : { name: options.objectName }) },
          );
          keys.push(key);
          stats.objectsWritten++;
          stats.recordsArchived += batch.length;
        } catch (err) {
          stats.flushFailures++;
          options.onWarning?.(`archiver: PutObject failed (${(err as Error).name}), ${batch.length} records kept for the next flush`);
          buffer = batch.concat(buffer);
          bufferBytes = buffer.reduce((n, b) => n + b.data.byteLength, 0);
          bufferStartedAt = Date.now();
          return;
        }
      }
    });
    return flushing;
  };

  const readShard = async (shardId: string): Promise<void> => {
    const idle = new IdleBackoff(pollMs, maxIdleMs);
    let iterator = (
      await options.kinesis.send(
        new GetShardIteratorCommand({
          StreamARN: streamArn,
          ShardId: shardId,
          ShardIteratorType: options.startingPosition ?? 'TRIM_HORIZON',
        }),
      )
    ).ShardIterator;
    while (!stopping && iterator !== undefined) {
      const startedAt = Date.now();
      let n = 0;
      try {
        const out = await options.kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, StreamARN: streamArn }));
        const records = out.Records ?? [];
        n = records.length;
        if (n > 0 && buffer.length === 0) bufferStartedAt = Date.now();
        for (const r of records) {
          const data = r.Data ?? new Uint8Array(0);
          buffer.push({ data, arrival: r.ApproximateArrivalTimestamp?.getTime() ?? Date.now() });
          bufferBytes += data.byteLength;
        }
        stats.recordsRead += n;
        if (n === 0 && (out.MillisBehindLatest ?? 0) === 0) caughtUpAt.set(shardId, startedAt);
        iterator = out.NextShardIterator ?? undefined;
      } catch (err) {
        options.onWarning?.(`archiver: GetRecords on ${shardId} failed (${(err as Error).name}), retrying`);
      }
      if (bufferBytes >= sizeLimit) await flush(false);
      if (n > 0) idle.reset();
      else await new Promise((r) => setTimeout(r, idle.next()));
    }
    if (iterator === undefined) ended.add(shardId);
  };

  let failure: Error | undefined;
  const readers = Promise.all(shardIds.map((id) => readShard(id))).catch((err: unknown) => {
    failure = err instanceof Error ? err : new Error(String(err));
    options.onWarning?.(`archiver stopped reading: ${failure.message}`);
  });
  // The interval hint: flush once the buffer has been filling for long enough.
  const timer = setInterval(
    () => {
      if (buffer.length > 0 && Date.now() - bufferStartedAt >= intervalMs) void flush(true);
    },
    Math.min(1000, intervalMs),
  );
  timer.unref();

  let stopped: Promise<void> | undefined;
  return {
    stats,
    keys,
    async drain(timeoutMs = 60_000) {
      const since = Date.now();
      const deadline = since + timeoutMs;
      while (!shardIds.every((id) => ended.has(id) || (caughtUpAt.get(id) ?? -Infinity) >= since)) {
        if (failure !== undefined) throw failure;
        if (stopping) throw new Error('the archiver was stopped before it drained');
        if (Date.now() > deadline) throw new Error(`the archiver did not catch up within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 20));
      }
      await flush(true);
    },
    stop() {
      stopping = true;
      clearInterval(timer);
      stopped ??= readers.then(() => flush(true));
      return stopped;
    },
  };
}
