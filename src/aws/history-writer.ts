import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { archiveEntry, historyObjectKey } from '../contract';

const gzipAsync = promisify(gzip);

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
 * Writes wire records as one gzip history object, as the stack's Firehose does (GZIP, the
 * `AppendDelimiterToRecord` processor): each payload exactly as received from Kinesis, then a
 * newline (docs/ARCHITECTURE.md §3.4). Returns the key. Byte payloads may be v1 JSON or v2
 * binary: the reader finds a v2 record's end from its header, so 0x0A bytes inside it are not
 * delimiters. Text payloads are v1 records and must not contain a newline (wire records are
 * single-line JSON; a newline would split one record in two for every reader).
 *
 * @example
 * const key = await putHistoryObject(s3, bucket, [v1Text, v2Bytes], { at: Date.now() });
 */
export async function putHistoryObject(
  s3: S3Client,
  bucket: string,
  records: readonly (string | Uint8Array)[],
  options: HistoryObjectOptions,
): Promise<string> {
  const parts: Uint8Array[] = [];
  for (let i = 0; i < records.length; i++) {
    const record = records[i];
    if (typeof record === 'string' && record.includes('\n')) throw new RangeError(`history record ${i} is text with a newline in it`);
    parts.push(archiveEntry(typeof record === 'string' ? Buffer.from(record, 'utf8') : record));
  }
  const key = historyObjectKey(options.at, options.unique ?? randomUUID(), options.name);
  const body = await gzipAsync(Buffer.concat(parts));
  // Like Firehose: no Content-Encoding, so readers get the gzip bytes, not a transparently
  // decompressed body; the `.gz` suffix says what they are.
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: 'application/octet-stream' }));
  return key;
}
