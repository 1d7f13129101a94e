import { CreateStreamCommand, PutRecordsCommand, StreamMode } from '@aws-sdk/client-kinesis';
import { CreateQueueCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { Context, KinesisStreamEvent } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients, type AwsClients } from '../../src/aws/clients';
import { startEventSourcePoller, type EventSourcePoller } from '../../src/local/event-source-poller';
import type { EventSourcePollerBase } from '../../src/local/event-source-config';
import type { HandlerSource } from '../../src/local/execution-environment';
import { startFauxqsEmulator, type FauxqsEmulator } from '../../src/local/fauxqs-emulator';
import { startKinesisEmulator, type KinesisEmulator } from '../../src/local/kinesis-emulator';
import type { KinesisOnFailureMessage } from '../../src/local/on-failure';
import { waitForStreamActive } from '../../src/local/provision';

let kinesisEmulator: KinesisEmulator;
let fauxqs: FauxqsEmulator;
let aws: AwsClients;
let streamCount = 0;
const pollers: EventSourcePoller[] = [];

/** A fresh stream per test, so tests cannot see each other's records. */
async function newStream(shards = 1): Promise<{ name: string; arn: string }> {
  const name = `poller-test-${++streamCount}`;
  await aws.kinesis.send(
    new CreateStreamCommand({ StreamName: name, ShardCount: shards, StreamModeDetails: { StreamMode: StreamMode.PROVISIONED } }),
  );
  return { name, arn: await waitForStreamActive(aws.kinesis, name, 20_000) };
}

/** Puts `n` records `"<key>:<i>"`, one PutRecords call, keys cycling through `keys`. */
async function put(stream: string, n: number, keys = ['dev-a']): Promise<string[]> {
  const entries = Array.from({ length: n }, (_, i) => ({
    PartitionKey: keys[i % keys.length],
    Data: Buffer.from(`${keys[i % keys.length]}:${i}`),
  }));
  const out = await aws.kinesis.send(new PutRecordsCommand({ StreamName: stream, Records: entries }));
  expect(out.FailedRecordCount ?? 0).toBe(0);
  return (out.Records ?? []).map((r) => r.SequenceNumber as string);
}

function payloads(event: KinesisStreamEvent): string[] {
  return event.Records.map((r) => Buffer.from(r.kinesis.data, 'base64').toString());
}

async function start(options: Partial<EventSourcePollerBase> & { streamName: string } & HandlerSource): Promise<EventSourcePoller> {
  const p = await startEventSourcePoller({ kinesis: aws.kinesis, pollIntervalMs: 20, retryBackoffMs: 1, ...options });
  pollers.push(p);
  return p;
}

beforeAll(async () => {
  [kinesisEmulator, fauxqs] = await Promise.all([startKinesisEmulator(), startFauxqsEmulator({ mode: 'in-process' })]);
  aws = createAwsClients({
    endpoint: { kinesis: kinesisEmulator.endpoint, s3: fauxqs.endpoint, sns: fauxqs.endpoint, sqs: fauxqs.endpoint },
    env: {},
  });
});

// Idle pollers keep polling: stop each test's pollers so later tests do not pay for them.
afterEach(async () => {
  await Promise.all(pollers.splice(0).map((p) => p.stop()));
});

afterAll(async () => {
  aws?.destroy();
  await Promise.all([kinesisEmulator?.stop(), fauxqs?.stop()]);
});

describe('event source poller against kinesis-local', () => {
  it('delivers the exact Lambda event shape and a Lambda context', async () => {
    const { name, arn } = await newStream();
    const seqs = await put(name, 3);
    const events: { event: KinesisStreamEvent; context: Context; remaining: number }[] = [];
    const poller = await start({
      streamName: name,
      handler: async (event, context) => void events.push({ event, context, remaining: context.getRemainingTimeInMillis() }),
    });
    await poller.drain();
    expect(events).toHaveLength(1);
    const [{ event, context, remaining }] = events;
    expect(payloads(event)).toEqual(['dev-a:0', 'dev-a:1', 'dev-a:2']);
    const r = event.Records[0];
    expect(r).toMatchObject({
      eventSource: 'aws:kinesis',
      eventVersion: '1.0',
      eventName: 'aws:kinesis:record',
      eventSourceARN: arn,
      awsRegion: 'us-east-1',
      eventID: `shardId-000000000000:${seqs[0]}`,
      kinesis: { kinesisSchemaVersion: '1.0', partitionKey: 'dev-a', sequenceNumber: seqs[0] },
    });
    expect(r.invokeIdentityArn).toMatch(/^arn:aws:iam::\d{12}:role\//);
    expect(Math.abs(r.kinesis.approximateArrivalTimestamp - Date.now() / 1000)).toBeLessThan(30);
    expect(context.functionName).toBe('beatwatch-detect');
    expect(context.invokedFunctionArn).toMatch(/^arn:aws:lambda:us-east-1:\d{12}:function:beatwatch-detect$/);
    expect(remaining).toBeGreaterThan(59_000);
    expect(poller.stats).toMatchObject({ invocations: 1, recordsSucceeded: 3, recordsDiscarded: 0 });
  });

  it('cuts batches of at most batchSize records, in shard order', async () => {
    const { name } = await newStream();
    await put(name, 25);
    const sizes: number[] = [];
    const seen: string[] = [];
    const poller = await start({
      streamName: name,
      batchSize: 10,
      handler: async (event) => {
        sizes.push(event.Records.length);
        seen.push(...payloads(event));
      },
    });
    await poller.drain();
    expect(sizes).toEqual([10, 10, 5]);
    expect(seen).toEqual(Array.from({ length: 25 }, (_, i) => `dev-a:${i}`));
  });

  it('gathers records for the batching window before invoking', async () => {
    const { name } = await newStream();
    const sizes: number[] = [];
    // A window long enough that three puts land in it even on a loaded CI machine.
    const poller = await start({
      streamName: name,
      maximumBatchingWindowMs: 1500,
      handler: async (event) => void sizes.push(event.Records.length),
    });
    for (let i = 0; i < 3; i++) {
      await put(name, 1);
      await new Promise((r) => setTimeout(r, 20));
    }
    await poller.drain();
    expect(sizes).toEqual([3]);
  });

  it('checkpoints before the lowest reported failure and retries only from there', async () => {
    const { name } = await newStream();
    const seqs = await put(name, 6);
    const calls: string[][] = [];
    const poller = await start({
      streamName: name,
      handler: async (event) => {
        calls.push(payloads(event));
        // First call: records 2 and 4 fail; the retry starts at 2 and succeeds.
        if (calls.length === 1) return { batchItemFailures: [{ itemIdentifier: seqs[4] }, { itemIdentifier: seqs[2] }] };
        return { batchItemFailures: [] };
      },
    });
    await poller.drain();
    expect(calls).toEqual([
      ['dev-a:0', 'dev-a:1', 'dev-a:2', 'dev-a:3', 'dev-a:4', 'dev-a:5'],
      ['dev-a:2', 'dev-a:3', 'dev-a:4', 'dev-a:5'],
    ]);
    expect(poller.stats).toMatchObject({ partialFailures: 1, retries: 1, recordsSucceeded: 6 });
  });

  it('treats an itemIdentifier that is not in the batch as a whole-batch failure', async () => {
    const { name } = await newStream();
    await put(name, 2);
    const calls: number[] = [];
    const poller = await start({
      streamName: name,
      bisectBatchOnFunctionError: false,
      handler: async (event) => {
        calls.push(event.Records.length);
        return calls.length === 1 ? { batchItemFailures: [{ itemIdentifier: 'not-a-sequence-number' }] } : undefined;
      },
    });
    await poller.drain();
    expect(calls).toEqual([2, 2]);
    expect(poller.stats.functionErrors).toBe(1);
  });

  it('bisects on a thrown error to isolate a poison record, discards it after the retries, and reports it on failure', async () => {
    const { name, arn } = await newStream();
    const seqs = await put(name, 8);
    const failures: KinesisOnFailureMessage[] = [];
    const acked: string[] = [];
    let poisonCalls = 0;
    const poller = await start({
      streamName: name,
      maximumRetryAttempts: 2,
      onFailure: async (m) => void failures.push(m),
      handler: async (event) => {
        const data = payloads(event);
        if (data.includes('dev-a:5')) {
          if (data.length === 1) poisonCalls++;
          throw new Error('poison');
        }
        acked.push(...data);
      },
    });
    await poller.drain();
    // Every other record is processed, in order, exactly once.
    expect(acked).toEqual(['dev-a:0', 'dev-a:1', 'dev-a:2', 'dev-a:3', 'dev-a:4', 'dev-a:6', 'dev-a:7']);
    // Alone, the poison record is tried once plus maximumRetryAttempts retries.
    expect(poisonCalls).toBe(3);
    expect(failures).toHaveLength(1);
    expect(failures[0].requestContext.condition).toBe('RetryAttemptsExhausted');
    expect(failures[0].responseContext.functionError).toBe('Unhandled');
    expect(failures[0].KinesisBatchInfo).toMatchObject({
      shardId: 'shardId-000000000000',
      startSequenceNumber: seqs[5],
      endSequenceNumber: seqs[5],
      batchSize: 1,
      streamArn: arn,
    });
    expect(poller.stats.bisections).toBeGreaterThanOrEqual(3);
    expect(poller.stats.recordsDiscarded).toBe(1);
  });

  it('without bisect, retries the whole batch and discards it all; sends the record to an SQS destination', async () => {
    const { name } = await newStream();
    const seqs = await put(name, 4);
    const { QueueUrl } = await aws.sqs.send(new CreateQueueCommand({ QueueName: 'poller-on-failure' }));
    let calls = 0;
    const poller = await start({
      streamName: name,
      bisectBatchOnFunctionError: false,
      maximumRetryAttempts: 1,
      onFailure: { sqs: aws.sqs, queueUrl: QueueUrl as string },
      handler: async () => {
        calls++;
        throw new Error('always');
      },
    });
    await poller.drain();
    expect(calls).toBe(2);
    const { Messages = [] } = await aws.sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 1 }));
    expect(Messages).toHaveLength(1);
    const m = JSON.parse(Messages[0].Body as string) as KinesisOnFailureMessage;
    expect(m.KinesisBatchInfo).toMatchObject({ startSequenceNumber: seqs[0], endSequenceNumber: seqs[3], batchSize: 4 });
    expect(m.requestContext.approximateInvokeCount).toBe(2);
    // The on-failure record carries batch metadata only, never the records' data.
    expect(Messages[0].Body).not.toContain(Buffer.from('dev-a:0').toString('base64'));
  });

  it('counts a handler that outlives the timeout as a function error', async () => {
    const { name } = await newStream();
    await put(name, 1);
    let calls = 0;
    const poller = await start({
      streamName: name,
      timeoutMs: 100,
      maximumRetryAttempts: 0,
      handler: () => {
        calls++;
        return new Promise(() => undefined);
      },
    });
    await poller.drain();
    expect(calls).toBe(1);
    expect(poller.stats).toMatchObject({ functionErrors: 1, recordsDiscarded: 1 });
  });

  it('a timeout ends the execution environment: the retry runs in a fresh one, the late invocation rolls nothing back', async () => {
    const { name } = await newStream();
    await put(name, 6);
    const timeoutMs = 300;
    // A stateful handler like the detector: each environment remembers what it took (and skips
    // it as a duplicate), commits what it took at the end, and rolls back if that fails.
    const committed: string[] = [];
    const taken: Set<string>[] = [];
    let late: Promise<void> | undefined;
    const poller = await start({
      streamName: name,
      timeoutMs,
      batchSize: 10,
      createHandler: (environment) => {
        const mine = new Set<string>();
        taken.push(mine);
        let calls = 0;
        return async (event) => {
          const fresh = payloads(event).filter((p) => !mine.has(p));
          for (const p of fresh) mine.add(p);
          if (taken.length === 1 && ++calls === 1) {
            // The first environment's first call hangs past the timeout, then its side effect
            // fails and it rolls its state back, long after the retry went on.
            late = new Promise((r) => setTimeout(r, 3 * timeoutMs)).then(() => {
              for (const p of fresh) mine.delete(p);
              if (!environment.signal.aborted) committed.push(...fresh);
            });
            await late;
            throw new Error('side effect failed');
          }
          committed.push(...fresh);
        };
      },
    });
    await poller.drain();
    await late;
    expect(poller.stats).toMatchObject({ timeouts: 1, functionErrors: 1, recordsDiscarded: 0, recordsSucceeded: 6 });
    // Every record committed once, by the retry, and the environment in service holds all of them.
    expect(committed).toEqual(['dev-a:0', 'dev-a:1', 'dev-a:2', 'dev-a:3', 'dev-a:4', 'dev-a:5']);
    expect(taken).toHaveLength(2);
    expect([...taken[1]]).toEqual(committed);
  });

  it('discards records older than the maximum record age without invoking', async () => {
    const { name } = await newStream();
    await put(name, 3);
    await new Promise((r) => setTimeout(r, 400));
    const failures: KinesisOnFailureMessage[] = [];
    let calls = 0;
    const poller = await start({
      streamName: name,
      maximumRecordAgeMs: 200,
      onFailure: async (m) => void failures.push(m),
      handler: async () => void calls++,
    });
    await poller.drain();
    expect(calls).toBe(0);
    expect(failures.map((f) => [f.requestContext.condition, f.KinesisBatchInfo.batchSize])).toEqual([['RecordAgeExceeded', 3]]);
  });

  it('keeps order per partition key across shards, and drain waits for records put after start', async () => {
    const { name } = await newStream(2);
    const keys = ['d0', 'd1', 'd2', 'd3', 'd4', 'd5'];
    const seen = new Map<string, number[]>();
    const shardsSeen = new Set<string>();
    const poller = await start({
      streamName: name,
      batchSize: 7,
      handler: async (event) => {
        for (const r of event.Records) {
          shardsSeen.add(r.eventID.split(':')[0]);
          const [key, i] = Buffer.from(r.kinesis.data, 'base64').toString().split(':');
          seen.set(key, [...(seen.get(key) ?? []), Number(i)]);
        }
      },
    });
    expect(poller.shardIds).toHaveLength(2);
    await put(name, 60, keys);
    await put(name, 60, keys);
    await poller.drain();
    expect(shardsSeen.size).toBe(2);
    let total = 0;
    for (const [key, idx] of seen) {
      const k = keys.indexOf(key);
      const expected = Array.from({ length: 10 }, (_, j) => k + 6 * j);
      expect(idx).toEqual([...expected, ...expected]);
      total += idx.length;
    }
    expect(total).toBe(120);
  });

  it('stop() lets the invocation in flight finish and then invokes nothing more', async () => {
    const { name } = await newStream();
    await put(name, 5);
    let calls = 0;
    let finished = 0;
    const poller = await start({
      streamName: name,
      batchSize: 1,
      handler: async () => {
        calls++;
        await new Promise((r) => setTimeout(r, 150));
        finished++;
      },
    });
    while (calls === 0) await new Promise((r) => setTimeout(r, 10));
    await poller.stop();
    expect(finished).toBe(calls);
    const after = calls;
    await new Promise((r) => setTimeout(r, 200));
    expect(calls).toBe(after);
    expect(calls).toBeLessThan(5);
  });
});
