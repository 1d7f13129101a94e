import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Rejection } from '../detect';
import { rejectedKey } from '../contract';

/** The JSON object stored under `rejected/`: the reason and the raw payload, for forensics. */
export interface QuarantinedRecord {
  readonly recordId: string;
  readonly shardId?: string;
  readonly reason: string;
  readonly field?: string;
  /** ISO time the record reached the stream. */
  readonly arrivedAt: string;
  readonly bytes: number;
  /** The payload exactly as received, base64 (it may not even be UTF-8). */
  readonly dataBase64: string;
}

/**
 * Writes a rejected record to `rejected/YYYY/MM/DD/<shard>-<sequence>.json`. The key derives
 * from the record's place in the stream, so a retried batch overwrites rather than duplicates.
 * The payload goes to S3 only, never to logs.
 *
 * @example
 * await quarantineRecord(s3, 'bucket', { recordId: seq, reason, data, arrivedAt }, 'shardId-000000000001');
 */
export async function quarantineRecord(s3: S3Client, bucket: string, rejection: Rejection, shardId?: string): Promise<string> {
  const key = rejectedKey(rejection.arrivedAt, rejection.recordId, shardId);
  const body: QuarantinedRecord = {
    recordId: rejection.recordId,
    ...(shardId === undefined ? {} : { shardId }),
    reason: rejection.reason,
    ...(rejection.field === undefined ? {} : { field: rejection.field }),
    arrivedAt: new Date(rejection.arrivedAt).toISOString(),
    bytes: rejection.data.byteLength,
    dataBase64: Buffer.from(rejection.data.buffer, rejection.data.byteOffset, rejection.data.byteLength).toString('base64'),
  };
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: JSON.stringify(body), ContentType: 'application/json' }));
  return key;
}
