import { DescribeStreamSummaryCommand, ListShardsCommand, type KinesisClient, type Shard } from '@aws-sdk/client-kinesis';
import { emptyDeliveryStats, type DeliveryStats } from './batch-delivery';
import { resolveMapping, type EventSourcePollerOptions } from './event-source-config';
import { FunctionRuntime, type HandlerSource } from './execution-environment';
import { ShardConsumer } from './shard-consumer';

export type { EventSourcePollerOptions, EventSourceMappingOptions, InvocationReport } from './event-source-config';
export type { DeliveryStats } from './batch-delivery';
export type { ExecutionEnvironment, HandlerFactory } from './execution-environment';
export type { KinesisHandler } from './lambda-event';

/** A running local event source mapping. */
export interface EventSourcePoller {
  /** Shards being read. */
  readonly shardIds: readonly string[];
  /** Live counters (invocations, retries, bisections, discarded records, …). */
  readonly stats: Readonly<DeliveryStats>;
  /**
   * Resolves once every record in the stream when `drain` was called has been acknowledged or
   * discarded (each shard read to its end after the call, nothing buffered or in flight).
   * Rejects after `timeoutMs` (default 60 s) naming each shard's state.
   */
  drain(timeoutMs?: number): Promise<void>;
  /**
   * Stops polling; an invocation in flight finishes, pending retries are abandoned, then every
   * execution environment is shut down (its signal aborted). Idempotent.
   */
  stop(): Promise<void>;
}

/** Default drain timeout. */
export const DEFAULT_DRAIN_TIMEOUT_MS = 60_000;

/**
 * Plays the Lambda Kinesis event source mapping locally: reads every shard of `streamName` from
 * TRIM_HORIZON (or LATEST), batches records (batch size, batching window, 6 MB payload), invokes
 * the function with the exact Lambda event and a Lambda context, honours `batchItemFailures`
 * (checkpoint before the lowest failed sequence number, retry from there), bisects on function
 * errors, retries a finite number of times, discards records past the maximum age, and reports
 * discarded batches to the on-failure destination. Per shard, one batch at a time, in order;
 * shards run concurrently. Each shard runs the function in its own execution environment (with
 * `createHandler`), which a timeout ends: the retry runs in a fresh one, so the timed-out
 * invocation can neither answer for the batch nor touch the state the retry builds. Resharding
 * during a run is not followed (shards are listed once).
 *
 * @example
 * const poller = await startEventSourcePoller({ kinesis: aws.kinesis, streamName,
 *   createHandler: ({ signal }) => createDetectHandler({ env, signal }),
 *   batchSize: 100, onFailure: { sqs: aws.sqs, queueUrl: res.failureQueueUrl } });
 * await poller.drain();
 * await poller.stop();
 */
export async function startEventSourcePoller(options: EventSourcePollerOptions): Promise<EventSourcePoller> {
  const mapping = resolveMapping(options);
  const source = handlerSource(options);
  const { StreamDescriptionSummary: summary } = await options.kinesis.send(
    new DescribeStreamSummaryCommand({ StreamName: options.streamName }),
  );
  const streamArn = summary?.StreamARN;
  if (streamArn === undefined) throw new Error(`stream ${options.streamName} has no ARN`);
  const [, , , region, accountId] = streamArn.split(':');
  const identity = { streamArn, region, accountId, functionName: mapping.functionName };
  const stats: DeliveryStats = emptyDeliveryStats();
  let stopping = false;
  const shards = await listShards(options.kinesis, streamArn);
  const runtimes = shards.map((shard) => new FunctionRuntime(source, shard.ShardId as string));
  const consumers = shards.map(
    (shard, i) =>
      new ShardConsumer(options.kinesis, streamArn, shard.ShardId as string, {
        shardId: shard.ShardId as string,
        identity,
        mapping,
        runtime: runtimes[i],
        stats,
        onInvoke: options.onInvoke,
        onWarning: options.onWarning,
        stopping: () => stopping,
      }),
  );
  let stopped: Promise<void> | undefined;
  return {
    shardIds: consumers.map((c) => c.shardId),
    stats,
    async drain(timeoutMs = DEFAULT_DRAIN_TIMEOUT_MS) {
      const since = Date.now();
      const deadline = since + timeoutMs;
      while (!consumers.every((c) => c.drainedSince(since))) {
        if (stopping) throw new Error('the poller was stopped before it drained');
        if (Date.now() > deadline)
          throw new Error(`the poller did not drain within ${timeoutMs} ms: ${consumers.map((c) => c.describe()).join('; ')}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    stop() {
      stopping = true;
      stopped ??= Promise.all(consumers.map((c) => c.finished)).then(() => {
        for (const runtime of runtimes) runtime.stop();
      });
      return stopped;
    },
  };
}

/** The function's code, exactly one of `handler` and `createHandler`. */
function handlerSource(options: EventSourcePollerOptions): HandlerSource {
  const given = options as Partial<{ handler: unknown; createHandler: unknown }>;
  if ((given.handler === undefined) === (given.createHandler === undefined))
    throw new TypeError('event source mapping: give exactly one of handler and createHandler');
  return options;
}

/** Every shard of the stream (paged). */
async function listShards(kinesis: KinesisClient, streamArn: string): Promise<Shard[]> {
  const shards: Shard[] = [];
  let token: string | undefined;
  do {
    const out = await kinesis.send(
      token === undefined ? new ListShardsCommand({ StreamARN: streamArn }) : new ListShardsCommand({ NextToken: token }),
    );
    shards.push(...(out.Shards ?? []));
    token = out.NextToken;
  } while (token !== undefined);
  return shards;
}
