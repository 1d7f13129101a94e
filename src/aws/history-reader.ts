import { pipeline } from 'node:stream';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import {
  ArchiveFramer,
  type ArchiveItem,
  type AnyDecodedRecord,
  historyDayPrefixes,
  historyHourPrefix,
  historyKeyHour,
  historyKeyTime,
} from '../contract';

/** Counters of a history read: what was read and what was skipped. */
export interface HistoryReadStats {
  /** Objects opened. */
  objects: number;
  /** Objects that could not be read to the end (gone, not gzip, truncated); records before the fault still count. */
  malformedObjects: number;
  /** Valid wire records (v1 or v2) yielded. */
  records: number;
  /**
   * Malformed records skipped: a text line that is not a valid record, or a stretch of bytes
   * skipped to resync after a record that could not be framed (docs/ARCHITECTURE.md §3.4).
   */
  malformedRecords: number;
}

/** A skipped record or object, for logs: the reason never holds samples or a device id. */
export interface HistoryProblem {
  readonly key: string;
  /** Byte offset of the skipped bytes in the decompressed object; absent for an object-level fault. */
  readonly offset?: number;
  /** Bytes skipped; absent for an object-level fault. */
  readonly length?: number;
  readonly reason: string;
}

/** Fresh counters for {@link readHistoryObject}. */
export function emptyHistoryStats(): HistoryReadStats {
  return { objects: 0, malformedObjects: 0, records: 0, malformedRecords: 0 };
}

/** Options of {@link listHistoryKeys} and {@link readHistory}. */
export interface HistoryReadOptions {
  /** How many days back from `now` to read (hour granularity). */
  readonly days: number;
  /** End of the window, epoch ms (default `Date.now()`). */
  readonly now?: number;
  /** Told about every skipped line or object. */
  readonly onProblem?: (problem: HistoryProblem) => void;
}

/** One record read back, with the object it came from. */
export interface HistoryEntry {
  readonly key: string;
  readonly record: AnyDecodedRecord;
}

/**
 * Lists the history objects filed in the `days` days up to `now`: one paged listing per day
 * prefix, keys kept when their hour prefix falls inside the window. Sorted oldest first.
 *
 * @example
 * const keys = await listHistoryKeys(s3, bucket, { days: 7 });
 */
export async function listHistoryKeys(s3: S3Client, bucket: string, options: HistoryReadOptions): Promise<string[]> {
  const now = options.now ?? Date.now();
  const fromHour = Math.floor((now - options.days * 86_400_000) / 3_600_000) * 3_600_000;
  const keys: string[] = [];
  for (const prefix of historyDayPrefixes(options.days, now)) {
    let token: string | undefined;
    do {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
      for (const o of page.Contents ?? []) {
        const hour = o.Key === undefined ? undefined : historyKeyHour(o.Key);
        if (hour !== undefined && hour >= fromHour && hour <= now) keys.push(o.Key as string);
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
  }
  return keys.sort();
}

/**
 * Streams one history object: gunzip (for `.gz` keys), frame the records (v1 JSON lines and v2
 * binary records, each ending where its own format says: {@link ArchiveFramer}), decode each.
 * Bad records and a broken object are skipped and counted in `stats`, never thrown.
 *
 * @example
 * const stats = emptyHistoryStats();
 * for await (const record of readHistoryObject(s3, bucket, key, stats)) dataset.add(record);
 */
export async function* readHistoryObject(
  s3: S3Client,
  bucket: string,
  key: string,
  stats: HistoryReadStats,
  onProblem?: (p: HistoryProblem) => void,
): AsyncGenerator<AnyDecodedRecord> {
  for await (const { record } of readObjectRecords(s3, bucket, key, stats, onProblem, false)) yield record;
}

/** A record of a history object with its bytes exactly as the device sent them. */
export interface HistoryPayload {
  readonly record: AnyDecodedRecord;
  readonly data: Uint8Array;
}

/**
 * As {@link readHistoryObject}, each record with its own bytes too (what a re-drive hands the
 * detector, which decodes records itself).
 *
 * @example
 * for await (const { record, data } of readHistoryPayloads(s3, bucket, key, emptyHistoryStats())) send(record.deviceId, data);
 */
export async function* readHistoryPayloads(
  s3: S3Client,
  bucket: string,
  key: string,
  stats: HistoryReadStats,
  onProblem?: (p: HistoryProblem) => void,
): AsyncGenerator<HistoryPayload> {
  for await (const { record, data } of readObjectRecords(s3, bucket, key, stats, onProblem, true))
    if (data !== undefined) yield { record, data };
}

async function* readObjectRecords(
  s3: S3Client,
  bucket: string,
  key: string,
  stats: HistoryReadStats,
  onProblem: ((p: HistoryProblem) => void) | undefined,
  keepBytes: boolean,
): AsyncGenerator<{ record: AnyDecodedRecord; data?: Uint8Array }> {
  stats.objects++;
  const framer = new ArchiveFramer({ keepBytes });
  let read = 0;
  const handle = function* (items: ArchiveItem[]): Generator<{ record: AnyDecodedRecord; data?: Uint8Array }> {
    for (const item of items) {
      if (item.kind === 'record') {
        stats.records++;
        yield item;
      } else {
        stats.malformedRecords++;
        onProblem?.({ key, offset: item.offset, length: item.length, reason: item.reason });
      }
    }
  };
  try {
    const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    let source = out.Body as Readable;
    if (key.endsWith('.gz')) {
      const gunzip = createGunzip();
      // pipeline() forwards an error of either stream to the one we iterate.
      source = pipeline(source, gunzip, () => undefined);
    }
    for await (const chunk of source) {
      read += (chunk as Buffer).length;
      yield* handle(framer.write(chunk as Buffer));
    }
  } catch (err) {
    stats.malformedObjects++;
    onProblem?.({ key, reason: `object unreadable after ${read} bytes: ${(err as Error).name}: ${(err as Error).message}` });
    return;
  }
  yield* handle(framer.end());
}

/**
 * Lists the history objects whose own timestamp (the arrival of their oldest record, in the
 * name: {@link historyKeyTime}) falls in `[from, to]`, epoch ms: one listing per hour prefix.
 * Sorted oldest first. A key of the layout without a readable timestamp is kept when its hour is
 * in the window (better read once too often than missed).
 *
 * @example
 * const keys = await listHistoryKeysBetween(s3, bucket, arrivedFirst - 900_000, arrivedLast + 900_000);
 */
export async function listHistoryKeysBetween(s3: S3Client, bucket: string, from: number, to: number): Promise<string[]> {
  const keys: string[] = [];
  for (let hour = Math.floor(from / 3_600_000) * 3_600_000; hour <= to; hour += 3_600_000) {
    let token: string | undefined;
    do {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: historyHourPrefix(hour), ContinuationToken: token }));
      for (const o of page.Contents ?? []) {
        if (o.Key === undefined) continue;
        const t = historyKeyTime(o.Key);
        // A timestamp has second precision: an object of second s may hold an arrival at s + 0.999 s.
        if (t === undefined || (t + 1000 > from && t <= to)) keys.push(o.Key);
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
  }
  return keys.sort();
}

/**
 * Reads every wire record of the last `days` days from `history/` (the retraining job's
 * input), in key order: by hour and second, but objects of the same second in random order
 * (Firehose names end in a random suffix), so sort by `deviceId` and `seq` to rebuild a
 * device's signal. Records appear at least once (a retried Firehose delivery can repeat
 * them): dedupe by `deviceId` + `seq`. `stats` fills in as the iteration proceeds.
 *
 * @example
 * const { records, stats } = readHistory(s3, bucket, { days: 7 });
 * for await (const { record } of records) dataset.add(record);
 * console.error(stats.malformedRecords, 'malformed records skipped');
 */
export function readHistory(
  s3: S3Client,
  bucket: string,
  options: HistoryReadOptions,
): { records: AsyncIterable<HistoryEntry>; stats: HistoryReadStats } {
  const stats = emptyHistoryStats();
  async function* records(): AsyncGenerator<HistoryEntry> {
    for (const key of await listHistoryKeys(s3, bucket, options)) {
      for await (const record of readHistoryObject(s3, bucket, key, stats, options.onProblem)) yield { key, record };
    }
  }
  return { records: records(), stats };
}
