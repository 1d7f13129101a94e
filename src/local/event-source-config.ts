import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { HandlerSource } from './execution-environment';
import type { OnFailureDestination } from './on-failure';

/**
 * Settings of the local event source mapping. Names follow Lambda's `CreateEventSourceMapping`;
 * defaults are the ones beatwatch deploys (not Lambda's own, which retry forever), so local
 * runs behave like the real detector. Local-only knobs are marked.
 */
export interface EventSourceMappingOptions {
  /** Records per invocation at most (default {@link DEFAULT_BATCH_SIZE}; Lambda: 1–10,000). */
  readonly batchSize?: number;
  /** How long to gather records before invoking, ms (default 0: invoke as soon as records arrive). */
  readonly maximumBatchingWindowMs?: number;
  /** Where to start reading each shard (default `TRIM_HORIZON`). */
  readonly startingPosition?: 'TRIM_HORIZON' | 'LATEST';
  /** Honour `batchItemFailures` in the handler's response (default true). */
  readonly reportBatchItemFailures?: boolean;
  /** Split a batch in two when the handler throws (default true); splitting does not use up retries. */
  readonly bisectBatchOnFunctionError?: boolean;
  /** Retries of a failing batch before it is discarded (default {@link DEFAULT_MAXIMUM_RETRY_ATTEMPTS}; -1 = until the record expires). */
  readonly maximumRetryAttempts?: number;
  /** Records older than this are discarded unprocessed, ms (default -1 = never; Lambda's minimum is 60 s, not enforced locally). */
  readonly maximumRecordAgeMs?: number;
  /** Where discarded batches are reported (default: nowhere, they are only counted). */
  readonly onFailure?: OnFailureDestination;
  /**
   * Invocation timeout, ms (default 60 s): a handler still running then is a function error, its
   * result is ignored whenever it comes, and its execution environment is shut down (see
   * `FunctionRuntime`).
   */
  readonly timeoutMs?: number;
  /** Reported in the context (default 1024). */
  readonly memoryMb?: number;
  /** Function name in the context and ARNs (default `beatwatch-detect`). */
  readonly functionName?: string;
  /** Local: first wait after an empty poll, ms; doubles while the shard stays idle (default {@link DEFAULT_POLL_INTERVAL_MS}). */
  readonly pollIntervalMs?: number;
  /** Local: longest wait between polls of an idle shard, ms (default {@link DEFAULT_MAX_IDLE_POLL_MS}, Lambda's cadence). */
  readonly maxIdlePollMs?: number;
  /** Local: base of the exponential delay before a retry, ms (default 50). */
  readonly retryBackoffMs?: number;
}

/** What the poller needs besides the mapping's settings and the function's code. */
export interface EventSourcePollerBase extends EventSourceMappingOptions {
  readonly kinesis: KinesisClient;
  readonly streamName: string;
  /** Told about every invocation (demo progress, latency, tests). */
  readonly onInvoke?: (report: InvocationReport) => void;
  /** Told about polling errors the poller recovers from (throttling, expired iterators). */
  readonly onWarning?: (message: string) => void;
}

/**
 * Everything the poller needs. The function's code is either `handler` (one function shared by
 * every shard: fine when it keeps no state) or `createHandler`, called for each execution
 * environment: one per shard, started on its first invocation and replaced after a timeout, as
 * Lambda does. The detector keeps device state in memory, so it is given as `createHandler`.
 */
export type EventSourcePollerOptions = EventSourcePollerBase & HandlerSource;

/** One invocation of the handler, as observed by the poller. */
export interface InvocationReport {
  readonly shardId: string;
  readonly requestId: string;
  readonly records: number;
  /** 0 for the first attempt at these records, then 1, 2, … */
  readonly retry: number;
  readonly outcome: 'success' | 'partial' | 'error';
  /** For `partial`: records checkpointed before the lowest failure. */
  readonly succeeded: number;
  readonly error?: string;
  readonly startedAt: number;
  readonly durationMs: number;
  /** Arrival (epoch ms) of the batch's first and last record. */
  readonly firstArrival: number;
  readonly lastArrival: number;
}

/** Default records per invocation (Lambda's default). */
export const DEFAULT_BATCH_SIZE = 100;
/** Default retries before a batch is discarded: finite, so one poison batch cannot block a shard for a week. */
export const DEFAULT_MAXIMUM_RETRY_ATTEMPTS = 3;
/** Default first idle wait: a shard that just went quiet is polled again soon. */
export const DEFAULT_POLL_INTERVAL_MS = 100;
/** Default longest idle wait: Lambda polls an idle shard about once a second. */
export const DEFAULT_MAX_IDLE_POLL_MS = 1000;
/** Lambda's synchronous invocation payload limit. */
export const MAX_INVOCATION_BYTES = 6 * 1024 * 1024;

/** The options with every default filled in and checked. */
export type ResolvedMapping = Required<Omit<EventSourceMappingOptions, 'onFailure'>> & Pick<EventSourceMappingOptions, 'onFailure'>;

/** Fills in defaults and validates ranges, naming the bad option. */
export function resolveMapping(options: EventSourceMappingOptions): ResolvedMapping {
  const r: ResolvedMapping = {
    batchSize: options.batchSize ?? DEFAULT_BATCH_SIZE,
    maximumBatchingWindowMs: options.maximumBatchingWindowMs ?? 0,
    startingPosition: options.startingPosition ?? 'TRIM_HORIZON',
    reportBatchItemFailures: options.reportBatchItemFailures ?? true,
    bisectBatchOnFunctionError: options.bisectBatchOnFunctionError ?? true,
    maximumRetryAttempts: options.maximumRetryAttempts ?? DEFAULT_MAXIMUM_RETRY_ATTEMPTS,
    maximumRecordAgeMs: options.maximumRecordAgeMs ?? -1,
    onFailure: options.onFailure,
    timeoutMs: options.timeoutMs ?? 60_000,
    memoryMb: options.memoryMb ?? 1024,
    functionName: options.functionName ?? 'beatwatch-detect',
    pollIntervalMs: options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS,
    maxIdlePollMs: options.maxIdlePollMs ?? Math.max(DEFAULT_MAX_IDLE_POLL_MS, options.pollIntervalMs ?? 0),
    retryBackoffMs: options.retryBackoffMs ?? 50,
  };
  const check = (ok: boolean, what: string) => {
    if (!ok) throw new RangeError(`event source mapping: ${what}`);
  };
  check(
    Number.isInteger(r.batchSize) && r.batchSize >= 1 && r.batchSize <= 10_000,
    `batchSize must be an integer in [1, 10000], got ${r.batchSize}`,
  );
  check(
    r.maximumBatchingWindowMs >= 0 && r.maximumBatchingWindowMs <= 300_000,
    `maximumBatchingWindowMs must be in [0, 300000], got ${r.maximumBatchingWindowMs}`,
  );
  check(
    Number.isInteger(r.maximumRetryAttempts) && r.maximumRetryAttempts >= -1 && r.maximumRetryAttempts <= 10_000,
    `maximumRetryAttempts must be an integer in [-1, 10000], got ${r.maximumRetryAttempts}`,
  );
  check(r.maximumRecordAgeMs === -1 || r.maximumRecordAgeMs > 0, `maximumRecordAgeMs must be -1 or > 0, got ${r.maximumRecordAgeMs}`);
  check(r.timeoutMs > 0, `timeoutMs must be > 0, got ${r.timeoutMs}`);
  check(r.pollIntervalMs >= 0 && r.retryBackoffMs >= 0, 'pollIntervalMs and retryBackoffMs must be >= 0');
  check(r.maxIdlePollMs >= r.pollIntervalMs, `maxIdlePollMs must be >= pollIntervalMs, got ${r.maxIdlePollMs}`);
  return r;
}
