import { randomUUID } from 'node:crypto';
import type { _Record as KinesisRecord } from '@aws-sdk/client-kinesis';
import type { KinesisStreamEvent } from 'aws-lambda';
import type { InvocationReport, ResolvedMapping } from './event-source-config';
import { InvocationTimeout, type FunctionRuntime } from './execution-environment';
import { interpretResponse, makeLambdaContext, toKinesisEventRecord, type BatchOutcome, type EventSourceIdentity } from './lambda-event';
import { onFailureMessage, sendOnFailure, type DiscardCondition } from './on-failure';

/** Counters of the mapping, summed over shards. */
export interface DeliveryStats {
  invocations: number;
  /** Records acknowledged by the handler (checkpointed). */
  recordsSucceeded: number;
  functionErrors: number;
  partialFailures: number;
  retries: number;
  bisections: number;
  /** Records given up on (retries exhausted or too old). */
  recordsDiscarded: number;
  onFailureMessages: number;
  /** Invocations that ran past the timeout; each ended its execution environment (a function error). */
  timeouts: number;
}

/**
 * Delivery statistics before any delivery: every counter at 0.
 *
 * @example
 * const stats = emptyDeliveryStats();
 */
export function emptyDeliveryStats(): DeliveryStats {
  return {
    invocations: 0,
    recordsSucceeded: 0,
    functionErrors: 0,
    partialFailures: 0,
    retries: 0,
    bisections: 0,
    recordsDiscarded: 0,
    onFailureMessages: 0,
    timeouts: 0,
  };
}

/** What one shard's delivery needs. */
export interface DeliveryContext {
  readonly shardId: string;
  readonly identity: EventSourceIdentity;
  readonly mapping: ResolvedMapping;
  /** Runs the handler in the shard's execution environment (a timeout ends it, as in Lambda). */
  readonly runtime: FunctionRuntime;
  readonly stats: DeliveryStats;
  readonly onInvoke?: (report: InvocationReport) => void;
  readonly onWarning?: (message: string) => void;
  /** True once the poller is stopping: pending retries are abandoned (as if the mapping were disabled). */
  readonly stopping: () => boolean;
}

interface Pending {
  records: KinesisRecord[];
  /** Failed attempts at these records (their first record, precisely) so far. */
  failures: number;
}

/**
 * Delivers one batch of a shard with Lambda's error handling, returning when every record is
 * either acknowledged or discarded (or the poller stops):
 * - success: done; partial failure: checkpoint before the lowest failed record, retry the rest;
 * - function error (throw, timeout, invalid response): bisect when enabled and more than one
 *   record (not counted as a retry), else retry the same records;
 * - more than `maximumRetryAttempts` failures, or records older than `maximumRecordAgeMs`:
 *   discarded, with an on-failure record sent to the destination.
 * Order is kept: the first half of a bisected batch is finished before the second starts.
 */
export async function deliverBatch(batch: KinesisRecord[], ctx: DeliveryContext): Promise<void> {
  const { mapping } = ctx;
  const queue: Pending[] = [{ records: batch, failures: 0 }];
  while (queue.length > 0) {
    if (ctx.stopping()) return;
    const item = queue[0];
    const expired = expiredPrefix(item.records, mapping.maximumRecordAgeMs);
    if (expired > 0) {
      await discard(item.records.slice(0, expired), 'RecordAgeExceeded', item.failures, item.failures > 0, ctx);
      item.records = item.records.slice(expired);
      if (item.records.length === 0) {
        queue.shift();
        continue;
      }
    }
    if (item.failures > 0) {
      ctx.stats.retries++;
      await sleep(Math.min(2000, mapping.retryBackoffMs * 2 ** (item.failures - 1)));
      if (ctx.stopping()) return;
    }
    const outcome = await invoke(item, ctx);
    if (outcome.kind === 'success') {
      ctx.stats.recordsSucceeded += item.records.length;
      queue.shift();
      continue;
    }
    if (outcome.kind === 'partial') {
      ctx.stats.partialFailures++;
      ctx.stats.recordsSucceeded += outcome.fromIndex;
      // Progress resets the count: the record now first has failed once.
      item.failures = outcome.fromIndex > 0 ? 1 : item.failures + 1;
      item.records = item.records.slice(outcome.fromIndex);
    } else {
      ctx.stats.functionErrors++;
      if (mapping.bisectBatchOnFunctionError && item.records.length > 1) {
        ctx.stats.bisections++;
        const half = Math.ceil(item.records.length / 2);
        queue.splice(
          0,
          1,
          { records: item.records.slice(0, half), failures: item.failures },
          { records: item.records.slice(half), failures: item.failures },
        );
        continue;
      }
      item.failures++;
    }
    if (mapping.maximumRetryAttempts >= 0 && item.failures > mapping.maximumRetryAttempts) {
      await discard(item.records, 'RetryAttemptsExhausted', item.failures, outcome.kind === 'error', ctx);
      queue.shift();
    }
  }
}

/** Invokes the handler once on `item.records` and classifies the result. */
async function invoke(item: Pending, ctx: DeliveryContext): Promise<BatchOutcome> {
  const { mapping, identity, shardId } = ctx;
  const event: KinesisStreamEvent = { Records: item.records.map((r) => toKinesisEventRecord(r, shardId, identity)) };
  const context = makeLambdaContext(identity, mapping.timeoutMs, mapping.memoryMb);
  const startedAt = Date.now();
  ctx.stats.invocations++;
  let outcome: BatchOutcome;
  try {
    const response = await ctx.runtime.invoke(event, context, mapping.timeoutMs);
    outcome = interpretResponse(
      response,
      item.records.map((r) => r.SequenceNumber ?? ''),
      mapping.reportBatchItemFailures,
    );
  } catch (err) {
    if (err instanceof InvocationTimeout) ctx.stats.timeouts++;
    outcome = { kind: 'error', message: err instanceof Error ? `${err.name}: ${err.message}` : String(err) };
  }
  ctx.onInvoke?.({
    shardId,
    requestId: context.awsRequestId,
    records: item.records.length,
    retry: item.failures,
    outcome: outcome.kind,
    succeeded: outcome.kind === 'success' ? item.records.length : outcome.kind === 'partial' ? outcome.fromIndex : 0,
    ...(outcome.kind === 'error' ? { error: outcome.message } : {}),
    startedAt,
    durationMs: Date.now() - startedAt,
    firstArrival: item.records[0].ApproximateArrivalTimestamp?.getTime() ?? startedAt,
    lastArrival: item.records[item.records.length - 1].ApproximateArrivalTimestamp?.getTime() ?? startedAt,
  });
  return outcome;
}

/** Counts records at the front of a batch that are older than the maximum age. */
function expiredPrefix(records: readonly KinesisRecord[], maxAgeMs: number): number {
  if (maxAgeMs < 0) return 0;
  const cutoff = Date.now() - maxAgeMs;
  let n = 0;
  while (n < records.length && (records[n].ApproximateArrivalTimestamp?.getTime() ?? Infinity) < cutoff) n++;
  return n;
}

async function discard(
  records: KinesisRecord[],
  condition: DiscardCondition,
  invokeCount: number,
  functionError: boolean,
  ctx: DeliveryContext,
): Promise<void> {
  ctx.stats.recordsDiscarded += records.length;
  const destination = ctx.mapping.onFailure;
  if (destination === undefined) return;
  const { identity } = ctx;
  const message = onFailureMessage({
    records,
    shardId: ctx.shardId,
    streamArn: identity.streamArn,
    functionArn: `arn:aws:lambda:${identity.region}:${identity.accountId}:function:${identity.functionName}`,
    requestId: randomUUID(),
    condition,
    invokeCount,
    functionError,
  });
  try {
    await sendOnFailure(destination, message);
    ctx.stats.onFailureMessages++;
  } catch (err) {
    // Lambda does not block the shard on a failing destination either.
    ctx.onWarning?.(`on-failure destination failed for ${ctx.shardId}: ${(err as Error).message}`);
  }
}

function sleep(ms: number): Promise<void> {
  return ms <= 0 ? Promise.resolve() : new Promise((r) => setTimeout(r, ms));
}
