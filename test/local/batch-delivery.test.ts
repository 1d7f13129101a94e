import type { _Record as KinesisRecord } from '@aws-sdk/client-kinesis';
import type { KinesisStreamEvent } from 'aws-lambda';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deliverBatch, emptyDeliveryStats } from '../../src/local/batch-delivery';
import { resolveMapping } from '../../src/local/event-source-config';
import { FunctionRuntime } from '../../src/local/execution-environment';
import type { KinesisOnFailureMessage } from '../../src/local/on-failure';
import { createRandom } from '../../src/random';

const identity = {
  streamArn: 'arn:aws:kinesis:us-east-1:000000000000:stream/s',
  region: 'us-east-1',
  accountId: '000000000000',
  functionName: 'fn',
};

function records(n: number): KinesisRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    SequenceNumber: String(1000 + i),
    PartitionKey: 'k',
    Data: Buffer.from(String(i)),
    ApproximateArrivalTimestamp: new Date(),
  }));
}

describe('deliverBatch (Lambda error handling, no emulator)', () => {
  it('acknowledges or discards every record exactly once, in order, whatever the handler does', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 0, max: 3 }),
        fc.boolean(),
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        async (n, maxRetries, bisect, seed) => {
          const random = createRandom(seed);
          const batch = records(n);
          const acked: string[] = [];
          const failures: KinesisOnFailureMessage[] = [];
          // A handler that succeeds, throws, or reports failures at random positions.
          const handler = async (event: KinesisStreamEvent) => {
            const seqs = event.Records.map((r) => r.kinesis.sequenceNumber);
            const roll = random.next();
            if (roll < 0.3) throw new Error('random failure');
            if (roll < 0.6) {
              const at = Math.floor(random.next() * seqs.length);
              acked.push(...seqs.slice(0, at));
              return { batchItemFailures: [{ itemIdentifier: seqs[at] }, { itemIdentifier: seqs[seqs.length - 1] }] };
            }
            acked.push(...seqs);
            return undefined;
          };
          const stats = emptyDeliveryStats();
          await deliverBatch(batch, {
            shardId: 'shardId-000000000000',
            identity,
            mapping: resolveMapping({
              maximumRetryAttempts: maxRetries,
              bisectBatchOnFunctionError: bisect,
              retryBackoffMs: 0,
              onFailure: async (m) => void failures.push(m),
            }),
            runtime: new FunctionRuntime({ handler }, 'shardId-000000000000'),
            stats,
            stopping: () => false,
          });
          const all = batch.map((r) => r.SequenceNumber as string);
          const discarded = failures.flatMap((f) => {
            const from = all.indexOf(f.KinesisBatchInfo.startSequenceNumber);
            const to = all.indexOf(f.KinesisBatchInfo.endSequenceNumber);
            expect(to - from + 1).toBe(f.KinesisBatchInfo.batchSize);
            return all.slice(from, to + 1);
          });
          // Acknowledged records come in stream order and never twice.
          expect(acked).toEqual([...acked].sort());
          expect(new Set(acked).size).toBe(acked.length);
          // Acknowledged and discarded partition the batch.
          expect([...acked, ...discarded].sort()).toEqual(all);
          expect(stats.recordsSucceeded).toBe(acked.length);
          expect(stats.recordsDiscarded).toBe(discarded.length);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('with infinite retries, keeps retrying until the handler recovers', async () => {
    let calls = 0;
    const stats = emptyDeliveryStats();
    await deliverBatch(records(3), {
      shardId: 's',
      identity,
      mapping: resolveMapping({ maximumRetryAttempts: -1, bisectBatchOnFunctionError: false, retryBackoffMs: 0 }),
      runtime: new FunctionRuntime(
        {
          handler: async () => {
            if (++calls < 20) throw new Error('not yet');
          },
        },
        's',
      ),
      stats,
      stopping: () => false,
    });
    expect(calls).toBe(20);
    expect(stats).toMatchObject({ recordsSucceeded: 3, recordsDiscarded: 0, retries: 19 });
  });
});
