import { pipeline } from 'node:stream';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { historyDayPrefixes, historyKeyHour } from '../contract/s3-layout';
import { decodeWireRecord, type WireRecordV1 } from '../contract/wire';

/** Counters of a history read: what was read and what was skipped. */
export interface HistoryReadStats {
  /** Objects opened. */
  objects: number;
  /** Objects that could not be read to the end (gone, not gzip, truncated); lines before the fault still count. */
  malformedObjects: number;
  /** Non-empty lines seen. */
  lines: number;
  /** Valid wire records yielded. */
  records: number;
  /** Lines (or concatenated parts of one) that were not a valid wire record. */
  malformedLines: number;
}

/** A skipped line or object, for logs: the reason never holds samples or a device id. */
export interface HistoryProblem {
  readonly key: string;
  /** 1-based line number in the decompressed object; absent for an object-level fault. */
  readonly line?: number;
  readonly reason: string;
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
  readonly record: WireRecordV1;
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
 * Streams one history object: gunzip (for `.gz` keys), split lines, decode each as a wire
 * record. Bad lines and a broken object are skipped and counted in `stats`, never thrown.
 */
export async function* readHistoryObject(
  s3: S3Client,
  bucket: string,
  key: string,
  stats: HistoryReadStats,
  onProblem?: (p: HistoryProblem) => void,
): AsyncGenerator<WireRecordV1> {
  stats.objects++;
  let lineNo = 0;
  try {
    const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    let source = out.Body as Readable;
    if (key.endsWith('.gz')) {
      const gunzip = createGunzip();
      // pipeline() forwards an error of either stream to the one we iterate.
      source = pipeline(source, gunzip, () => undefined);
    }
    const decoder = new StringDecoder('utf8');
    let rest = '';
    const handle = function* (line: string): Generator<WireRecordV1> {
      lineNo++;
      if (line.trim() === '') return;
      stats.lines++;
      for (const part of splitConcatenated(line)) {
        const r = decodeWireRecord(part);
        if (r.ok) {
          stats.records++;
          yield r.record;
        } else {
          stats.malformedLines++;
          onProblem?.({ key, line: lineNo, reason: r.reason });
        }
      }
    };
    for await (const chunk of source) {
      rest += decoder.write(chunk as Buffer);
      let start = 0;
      for (let nl = rest.indexOf('\n'); nl >= 0; nl = rest.indexOf('\n', start)) {
        yield* handle(rest.slice(start, nl));
        start = nl + 1;
      }
      rest = rest.slice(start);
    }
    rest += decoder.end();
    if (rest !== '') yield* handle(rest);
  } catch (err) {
    stats.malformedObjects++;
    onProblem?.({ key, reason: `object unreadable after ${lineNo} lines: ${(err as Error).name}: ${(err as Error).message}` });
  }
}

/**
 * Firehose writes records back to back unless a delimiter is configured; wire records are
 * flat objects, so `}{` only ever appears between two of them.
 */
function splitConcatenated(line: string): string[] {
  if (!line.includes('}{')) return [line];
  return line.split('}{').map((part, i, all) => `${i === 0 ? '' : '{'}${part}${i === all.length - 1 ? '' : '}'}`);
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
 * console.error(stats.malformedLines, 'bad lines skipped');
 */
export function readHistory(
  s3: S3Client,
  bucket: string,
  options: HistoryReadOptions,
): { records: AsyncIterable<HistoryEntry>; stats: HistoryReadStats } {
  const stats: HistoryReadStats = { objects: 0, malformedObjects: 0, lines: 0, records: 0, malformedLines: 0 };
  async function* records(): AsyncGenerator<HistoryEntry> {
    for (const key of await listHistoryKeys(s3, bucket, options)) {
      for await (const record of readHistoryObject(s3, bucket, key, stats, options.onProblem)) yield { key, record };
    }
  }
  return { records: records(), stats };
}
