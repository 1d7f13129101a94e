import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { FunctionRuntime, InvocationTimeout, type ExecutionEnvironment } from '../../src/local/execution-environment';

const event: KinesisStreamEvent = { Records: [] };
const context = {} as Context;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** A response that says who gave it. */
const answer = (who: string): KinesisStreamBatchResponse => ({ batchItemFailures: [{ itemIdentifier: who }] });

describe('FunctionRuntime: execution environments as Lambda runs them', () => {
  it('reuses a healthy environment (one cold start for many invocations)', async () => {
    const built: ExecutionEnvironment[] = [];
    let calls = 0;
    const runtime = new FunctionRuntime(
      {
        createHandler: (environment) => {
          built.push(environment);
          return async () => answer(`call ${++calls}`);
        },
      },
      'shard-0',
    );
    for (let i = 0; i < 3; i++) await runtime.invoke(event, context, 1000);
    expect(built.map((e) => e.id)).toEqual(['shard-0#1']);
    expect(calls).toBe(3);
    expect(built[0].signal.aborted).toBe(false);
    runtime.stop();
    expect(built[0].signal.aborted).toBe(true);
  });

  it('a timeout ends the environment: the late result is ignored, the signal says why, the next call starts afresh', async () => {
    const built: ExecutionEnvironment[] = [];
    let release: (value: KinesisStreamBatchResponse) => void = () => {};
    const runtime = new FunctionRuntime(
      {
        createHandler: (environment) => {
          built.push(environment);
          const n = built.length;
          return () => (n === 1 ? new Promise<KinesisStreamBatchResponse>((r) => (release = r)) : Promise.resolve(answer(`env ${n}`)));
        },
      },
      'shard-0',
    );
    const first = runtime.invoke(event, context, 50);
    await expect(first).rejects.toBeInstanceOf(InvocationTimeout);
    await expect(first).rejects.toThrow('Task timed out after 50 ms');
    expect(built[0].signal.aborted).toBe(true);
    expect(built[0].signal.reason).toBeInstanceOf(InvocationTimeout);
    // The abandoned invocation answers now: nobody listens, and it is no error either.
    release(answer('env 1'));
    await sleep(10);
    expect(await runtime.invoke(event, context, 1000)).toEqual(answer('env 2'));
    expect(built.map((e) => e.id)).toEqual(['shard-0#1', 'shard-0#2']);
    expect(runtime.environments).toBe(2);
  });

  it('an init error fails the invocation and is retried with a new environment', async () => {
    let attempts = 0;
    const runtime = new FunctionRuntime(
      {
        createHandler: () => {
          if (++attempts === 1) throw new Error('cannot load the module');
          return async () => answer('ok');
        },
      },
      'shard-1',
    );
    await expect(runtime.invoke(event, context, 1000)).rejects.toThrow('cannot load the module');
    expect(await runtime.invoke(event, context, 1000)).toEqual(answer('ok'));
    expect(runtime.environments).toBe(2);
  });

  it('a shared handler is used by every environment, and a throw is an ordinary function error', async () => {
    let calls = 0;
    const handler = async () => {
      if (++calls === 1) throw new Error('boom');
      return answer('second');
    };
    const runtime = new FunctionRuntime({ handler }, 'shard-2');
    await expect(runtime.invoke(event, context, 1000)).rejects.toThrow('boom');
    expect(await runtime.invoke(event, context, 1000)).toEqual(answer('second'));
    // A thrown error does not end the environment (Lambda keeps it), only a timeout does.
    expect(runtime.environments).toBe(1);
  });
});
