import { GetRecordsCommand, GetShardIteratorCommand, type _Record as KinesisRecord, type KinesisClient } from '@aws-sdk/client-kinesis';
import { deliverBatch, type DeliveryContext } from './batch-delivery';
import { MAX_INVOCATION_BYTES } from './event-source-config';
import { IdleBackoff } from './idle-backoff';
import { eventRecordBytes } from './lambda-event';

/** Records asked for per GetRecords call, at most (Kinesis's own cap is 10,000 and 10 MB). */
const GET_RECORDS_LIMIT = 10_000;
/** Pause after a throttled or failed GetRecords. */
const ERROR_BACKOFF_MS = 250;

/**
 * Reads one shard in order and feeds its records, in batches, to {@link deliverBatch}: one
 * batch in flight per shard (Lambda's ParallelizationFactor 1), the next read only after it.
 */
export class ShardConsumer {
  private iterator: string | undefined;
  private lastSequenceNumber: string | undefined;
  private readonly buffer: KinesisRecord[] = [];
  private firstBufferedAt = 0;
  private busy = false;
  private ended = false;
  /** Start time of the latest GetRecords that found the shard fully read. */
  private caughtUpAt = -Infinity;
  /** Set when the loop died of an unexpected error (reported by drain()). */
  failure: Error | undefined;
  /** Resolves when the loop has exited. */
  readonly finished: Promise<void>;
  private readonly idle: IdleBackoff;

  constructor(
    private readonly kinesis: KinesisClient,
    private readonly streamArn: string,
    readonly shardId: string,
    private readonly delivery: DeliveryContext,
  ) {
    this.idle = new IdleBackoff(delivery.mapping.pollIntervalMs, delivery.mapping.maxIdlePollMs);
    this.finished = this.run().catch((err: unknown) => {
      this.failure = err instanceof Error ? err : new Error(String(err));
      delivery.onWarning?.(`shard ${shardId} stopped: ${this.failure.message}`);
    });
  }

  /** True when every record read after `since` has been delivered and the shard was caught up then. */
  drainedSince(since: number): boolean {
    if (this.failure !== undefined) throw this.failure;
    return this.ended || (this.buffer.length === 0 && !this.busy && this.caughtUpAt >= since);
  }

  /** A one-line state for timeout errors. */
  describe(): string {
    return `${this.shardId}: ${this.buffer.length} buffered, ${this.busy ? 'invoking' : 'idle'}, ${this.ended ? 'ended' : 'open'}`;
  }

  private async run(): Promise<void> {
    const { mapping } = this.delivery;
    this.iterator = await this.newIterator();
    while (!this.delivery.stopping()) {
      let fetched = 0;
      if (this.iterator !== undefined && this.buffer.length < mapping.batchSize) fetched = await this.fetch();
      if (this.delivery.stopping()) break;
      if (this.readyToInvoke()) {
        this.busy = true;
        try {
          await deliverBatch(this.takeBatch(), this.delivery);
        } finally {
          this.busy = false;
        }
        continue;
      }
      if (this.iterator === undefined && this.buffer.length === 0) {
        // A closed shard (after a reshard) read to its end.
        this.ended = true;
        return;
      }
      if (fetched > 0) this.idle.reset();
      else await sleep(this.buffer.length > 0 ? Math.min(mapping.pollIntervalMs, this.windowLeft()) : this.idle.next());
    }
  }

  private readyToInvoke(): boolean {
    if (this.buffer.length === 0) return false;
    const { mapping } = this.delivery;
    return this.buffer.length >= mapping.batchSize || this.iterator === undefined || this.windowLeft() <= 0;
  }

  private windowLeft(): number {
    return this.firstBufferedAt + this.delivery.mapping.maximumBatchingWindowMs - Date.now();
  }

  /** Up to `batchSize` records whose event stays under Lambda's 6 MB payload (always at least one). */
  private takeBatch(): KinesisRecord[] {
    let bytes = 0;
    let n = 0;
    while (n < this.buffer.length && n < this.delivery.mapping.batchSize) {
      bytes += eventRecordBytes(this.buffer[n], this.shardId);
      if (n > 0 && bytes > MAX_INVOCATION_BYTES) break;
      n++;
    }
    const batch = this.buffer.splice(0, n);
    this.firstBufferedAt = Date.now();
    return batch;
  }

  /** One GetRecords; returns how many records it added. Recoverable errors back off and return 0. */
  private async fetch(): Promise<number> {
    const startedAt = Date.now();
    try {
      const out = await this.kinesis.send(
        new GetRecordsCommand({ ShardIterator: this.iterator, Limit: GET_RECORDS_LIMIT, StreamARN: this.streamArn }),
      );
      const records = out.Records ?? [];
      if (records.length > 0) {
        if (this.buffer.length === 0) this.firstBufferedAt = Date.now();
        for (const r of records) this.buffer.push(r);
        this.lastSequenceNumber = records[records.length - 1].SequenceNumber;
      } else if ((out.MillisBehindLatest ?? 0) === 0) {
        this.caughtUpAt = startedAt;
      }
      this.iterator = out.NextShardIterator ?? undefined;
      return records.length;
    } catch (err) {
      const name = (err as Error).name;
      if (name === 'ExpiredIteratorException') {
        this.iterator = await this.newIterator();
        return 0;
      }
      if (name === 'ResourceNotFoundException') throw err;
      this.delivery.onWarning?.(`GetRecords on ${this.shardId} failed (${name}), retrying`);
      await sleep(ERROR_BACKOFF_MS);
      return 0;
    }
  }

  /** An iterator at the starting position, or just after the last record read. */
  private async newIterator(): Promise<string | undefined> {
    const after = this.lastSequenceNumber;
    const out = await this.kinesis.send(
      new GetShardIteratorCommand({
        StreamARN: this.streamArn,
        ShardId: this.shardId,
        ...(after === undefined
          ? { ShardIteratorType: this.delivery.mapping.startingPosition }
          : { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', StartingSequenceNumber: after }),
      }),
    );
    return out.ShardIterator;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, Math.max(0, ms)));
}
