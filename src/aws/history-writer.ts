import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { historyObjectKey } from '../contract/s3-layout';

const gzipAsync = promisify(gzip);
const NEWLINE = Buffer.from('\n');

/** Options of {@link putHistoryObject}. */
export interface HistoryObjectOptions {
  /** Instant that files the object (Firehose: when the buffer is flushed, by arrival hour). */
  readonly at: number;
  /** Object name part (default `beatwatch-history-1`, see `DEFAULT_HISTORY_OBJECT_NAME`). */
  readonly name?: string;
  /** Unique suffix (default a random UUID, as Firehose does). */
  readonly unique?: string;
}

/**
 * Writes wire records as one gzip NDJSON history object (one record per line), as Firehose does
 * with GZIP compression and a newline delimiter. Returns the key. Text lines must not contain a
 * newline (wire records are single-line JSON); byte lines are the Kinesis payloads exactly as
 * received and are written as is, like Firehose (a payload with a newline in it then reads back
 * as malformed lines, which the reader counts).
 *
 * @example
 * const key = await putHistoryObject(s3, bucket, recordTexts, { at: Date.now() });
 */
export async function putHistoryObject(
  s3: S3Client,
  bucket: string,
  lines: readonly (string | Uint8Array)[],
  options: HistoryObjectOptions,
): Promise<string> {
  const parts: Uint8Array[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (typeof line === 'string' && line.includes('\n')) throw new RangeError(`history line ${i} contains a newline`);
    parts.push(typeof line === 'string' ? Buffer.from(line, 'utf8') : line, NEWLINE);
  }
  const key = historyObjectKey(options.at, options.unique ?? randomUUID(), options.name);
  const body = await gzipAsync(Buffer.concat(parts));
  // Like Firehose: no Content-Encoding, so readers get the gzip bytes, not a transparently
  // decompressed body; the `.gz` suffix says what they are.
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: 'application/octet-stream' }));
  return key;
}
