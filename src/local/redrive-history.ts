import { createHash } from 'node:crypto';
import { ListShardsCommand, type KinesisClient, type _Record as KinesisRecord } from '@aws-sdk/client-kinesis';
import type { S3Client } from '@aws-sdk/client-s3';
import { emptyHistoryStats, listHistoryKeysBetween, readHistoryPayloads, type HistoryReadStats } from '../aws/history-reader';
import { historyKeyTime } from '../contract';

/** Where `beatwatch redrive` looks when the stream no longer has a range. */
export interface HistorySource {
  readonly s3: S3Client;
  /** The data bucket (`history/`). */
  readonly bucket: string;
  /**
   * The archive's longest buffering interval, seconds (default {@link DEFAULT_HISTORY_BUFFER_SECONDS},
   * Firehose's maximum): how far from a record's arrival the object holding it may be stamped.
   */
  readonly bufferSeconds?: number;
}

/** Firehose's longest buffering interval: an object holds records that arrived up to this long after its stamp. */
export const DEFAULT_HISTORY_BUFFER_SECONDS = 900;

/** The records of a window of one shard, as read back from `history/`. */
export interface HistoryWindow {
  /** In archive order (by object, then within it), without repeats, as Kinesis records for the handler. */
  readonly records: KinesisRecord[];
  /** Objects read. */
  readonly objects: number;
  /** Whether records were kept by the shard's hash key range (false when the stream no longer lists the shard: every device kept). */
  readonly byShard: boolean;
  readonly stats: HistoryReadStats;
}

/**
 * Finds in `history/` the records that may belong to the on-failure ranges of one shard, whose
 * records arrived in `[from, to]`. The archive keeps payloads only (no sequence number, no
 * arrival time), so the window is widened by the buffering interval on both sides and every
 * record of it from a device of the shard (its partition key, the device id, hashed into the
 * shard's hash key range when the stream still lists the shard) is taken: a superset of the
 * ranges. Re-driving the extra records is harmless: the detector skips what it has seen in the
 * run, and alerts that already went out are skipped by their sent marker.
 *
 * Each record gets a stable id (`history-<object hash>-<its place in the object>`) and an arrival time estimated
 * from its own clock (`t0` + its duration) clamped into its object's buffering interval, which is
 * what the detector's stream rules compare device time with.
 *
 * @example
 * const window = await readHistoryWindow(kinesis, { s3, bucket }, streamArn, 'shardId-000000000000', first, last);
 */
export async function readHistoryWindow(
  kinesis: KinesisClient,
  source: HistorySource,
  streamArn: string,
  shardId: string,
  from: number,
  to: number,
): Promise<HistoryWindow> {
  const bufferMs = (source.bufferSeconds ?? DEFAULT_HISTORY_BUFFER_SECONDS) * 1000;
  const range = await shardHashRange(kinesis, streamArn, shardId);
  const keys = await listHistoryKeysBetween(source.s3, source.bucket, from - bufferMs, to + bufferMs);
  const stats = emptyHistoryStats();
  const seen = new Set<string>();
  const records: KinesisRecord[] = [];
  for (const key of keys) {
    const stamp = historyKeyTime(key);
    const objectId = createHash('sha256').update(key).digest('hex').slice(0, 12);
    let n = 0;
    for await (const { record, data } of readHistoryPayloads(source.s3, source.bucket, key, stats)) {
      n++;
      if (range !== null && !inRange(hashKey(record.deviceId), range)) continue;
      // Firehose delivers at least once: the same record may be in two objects.
      const id = `${record.deviceId}\u0000${record.seq}\u0000${record.t0}`;
      if (seen.has(id)) continue;
      seen.add(id);
      const end = record.t0 + (record.samples.length / record.fs) * 1000;
      const arrival = stamp === undefined ? end : Math.min(stamp + bufferMs, Math.max(stamp, end));
      records.push({
        SequenceNumber: `history-${objectId}-${n}`,
        PartitionKey: record.deviceId,
        Data: data,
        ApproximateArrivalTimestamp: new Date(arrival),
      });
    }
  }
  return { records, objects: keys.length, byShard: range !== null, stats };
}

/** The 128-bit hash key Kinesis maps a partition key to (MD5 of its UTF-8 bytes). */
function hashKey(partitionKey: string): bigint {
  return BigInt(`0x${createHash('md5').update(partitionKey, 'utf8').digest('hex')}`);
}

function inRange(key: bigint, range: { start: bigint; end: bigint }): boolean {
  return key >= range.start && key <= range.end;
}

/** The shard's hash key range, or null when the stream (or the shard) is gone. */
async function shardHashRange(kinesis: KinesisClient, streamArn: string, shardId: string): Promise<{ start: bigint; end: bigint } | null> {
  try {
    let token: string | undefined;
    do {
      const out = await kinesis.send(
        token === undefined ? new ListShardsCommand({ StreamARN: streamArn }) : new ListShardsCommand({ NextToken: token }),
      );
      const shard = (out.Shards ?? []).find((s) => s.ShardId === shardId);
      const r = shard?.HashKeyRange;
      if (r?.StartingHashKey !== undefined && r.EndingHashKey !== undefined)
        return { start: BigInt(r.StartingHashKey), end: BigInt(r.EndingHashKey) };
      token = out.NextToken;
    } while (token !== undefined);
    return null;
  } catch {
    return null;
  }
}
