import { PutRecordsCommand, type KinesisClient, type PutRecordsRequestEntry } from '@aws-sdk/client-kinesis';

/** PutRecords limits: 500 entries and 5 MiB (data plus partition keys) per request. */
export const PUT_RECORDS_MAX_ENTRIES = 500;
export const PUT_RECORDS_MAX_BYTES = 5 * 1024 * 1024;

/** Options of {@link putRecordsReliably}. */
export interface PutRetryOptions {
  /** Retries of failed entries (or of a failed request) before giving up (default {@link DEFAULT_PUT_MAX_RETRIES}). */
  readonly maxRetries?: number;
  /** First backoff, ms; doubles per retry, capped at 5 s (default 100). */
  readonly retryBaseMs?: number;
  /** Told about each retry (throttling is expected under load, not an error). */
  readonly onRetry?: (info: { attempt: number; failed: number; reason: string }) => void;
}

/** Default retries: with 100 ms doubling this rides out about 25 s of throttling. */
export const DEFAULT_PUT_MAX_RETRIES = 8;

/** What a {@link putRecordsReliably} call did. */
export interface PutResult {
  readonly requests: number;
  /** Entries sent again after a failure (throttled or internal). */
  readonly retriedEntries: number;
  readonly throttledEntries: number;
  /**
   * Entries that reached the stream ahead of an earlier entry with the same partition key
   * (which failed and was resent): that key's records are out of order in the stream.
   * Always 0 when a request holds one entry per key.
   */
  readonly reorderedEntries: number;
}

/** Bytes an entry counts against the 5 MiB request limit. */
export function entryBytes(entry: PutRecordsRequestEntry): number {
  return (entry.Data?.byteLength ?? 0) + Buffer.byteLength(entry.PartitionKey ?? '', 'utf8');
}

/**
 * Splits entries into PutRecords-sized groups (≤ 500 entries, ≤ 5 MiB), keeping their order.
 *
 * @example
 * for (const group of chunkEntries(entries)) await putRecordsReliably(kinesis, stream, group);
 */
export function chunkEntries(entries: readonly PutRecordsRequestEntry[]): PutRecordsRequestEntry[][] {
  const groups: PutRecordsRequestEntry[][] = [];
  let current: PutRecordsRequestEntry[] = [];
  let bytes = 0;
  for (const e of entries) {
    const b = entryBytes(e);
    if (current.length > 0 && (current.length === PUT_RECORDS_MAX_ENTRIES || bytes + b > PUT_RECORDS_MAX_BYTES)) {
      groups.push(current);
      current = [];
      bytes = 0;
    }
    current.push(e);
    bytes += b;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

/**
 * Sends one PutRecords-sized group and retries what failed (per-entry `ErrorCode`, e.g.
 * `ProvisionedThroughputExceededException`, or a whole-request error) with exponential
 * backoff. Only the failed entries are resent. Throws after `maxRetries` naming how many
 * entries were left and why.
 */
export async function putRecordsReliably(
  kinesis: KinesisClient,
  streamName: string,
  entries: PutRecordsRequestEntry[],
  options: PutRetryOptions = {},
): Promise<PutResult> {
  const maxRetries = options.maxRetries ?? DEFAULT_PUT_MAX_RETRIES;
  const base = options.retryBaseMs ?? 100;
  let pending = entries;
  let requests = 0;
  let retriedEntries = 0;
  let throttledEntries = 0;
  let reorderedEntries = 0;
  for (let attempt = 0; ; attempt++) {
    let reason: string;
    try {
      requests++;
      const out = await kinesis.send(new PutRecordsCommand({ StreamName: streamName, Records: pending }));
      if (!out.FailedRecordCount) return { requests, retriedEntries, throttledEntries, reorderedEntries };
      const failed: PutRecordsRequestEntry[] = [];
      const codes = new Set<string>();
      const keysWithFailure = new Set<string | undefined>();
      (out.Records ?? []).forEach((r, i) => {
        if (r.ErrorCode === undefined) {
          if (keysWithFailure.has(pending[i].PartitionKey)) reorderedEntries++;
          return;
        }
        failed.push(pending[i]);
        keysWithFailure.add(pending[i].PartitionKey);
        codes.add(r.ErrorCode);
        if (r.ErrorCode === 'ProvisionedThroughputExceededException') throttledEntries++;
      });
      pending = failed;
      reason = [...codes].join(', ');
    } catch (err) {
      // A whole-request failure (network, throttling of the call): resend everything pending.
      reason = (err as Error).name;
      if (isFatal(err)) throw err;
    }
    if (attempt >= maxRetries)
      throw new Error(`PutRecords to ${streamName}: ${pending.length} records still failing after ${maxRetries} retries (${reason})`);
    retriedEntries += pending.length;
    options.onRetry?.({ attempt: attempt + 1, failed: pending.length, reason });
    await new Promise((r) => setTimeout(r, Math.min(5000, base * 2 ** attempt)));
  }
}

/** Errors that no retry fixes (a missing stream, a malformed request, no permission). */
function isFatal(err: unknown): boolean {
  const name = (err as Error).name;
  return (
    name === 'ResourceNotFoundException' ||
    name === 'ValidationException' ||
    name === 'InvalidArgumentException' ||
    name === 'AccessDeniedException'
  );
}
