import {
  CreateStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListShardsCommand,
  PutRecordsCommand,
  StreamMode,
  type PutRecordsCommandOutput,
} from '@aws-sdk/client-kinesis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients, type AwsClients } from '../../src/aws/clients';
import { decodeRecord } from '../../src/contract/decode-record';
import { createRandom } from '../../src/random';
import { startKinesisEmulator, type KinesisEmulator } from '../../src/local/kinesis-emulator';
import { waitForStreamActive } from '../../src/local/provision';
import { EcgProducer, EndpointUnreachableError, leadBits, type PutRecordsClient } from '../../src/producer';

/** A client that records every request and answers with what `answer` says for each entry. */
function fakeClient(answer: (call: number, index: number) => string | undefined = () => undefined) {
  const calls: { keys: string[]; data: Uint8Array[] }[] = [];
  const client: PutRecordsClient = {
    send(command: PutRecordsCommand): Promise<PutRecordsCommandOutput> {
      const records = command.input.Records ?? [];
      const call = calls.length;
      calls.push({ keys: records.map((r) => r.PartitionKey!), data: records.map((r) => r.Data!) });
      const results = records.map((_, i) => {
        const code = answer(call, i);
        return code === undefined ? { SequenceNumber: `${call}-${i}`, ShardId: 'shardId-0' } : { ErrorCode: code, ErrorMessage: 'x' };
      });
      return Promise.resolve({ FailedRecordCount: results.filter((r) => 'ErrorCode' in r).length, Records: results, $metadata: {} });
    },
  };
  return { client, calls };
}

function ramp(n: number, from = 0): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => ((from + i) % 50) / 200);
}

describe('EcgProducer', () => {
  it('cuts each device into N-second records with its own seq and t0, the last partial one on close', async () => {
    const { client, calls } = fakeClient();
    const p = new EcgProducer({ kinesis: client, streamName: 's', format: 'v2', secondsPerRecord: 2 });
    p.addDevice({ deviceId: 'a', fs: 100, t0: 1000, leads: [{ name: 'MLII', gain: 200, bits: 11 }], firstSeq: 40 });
    p.addDevice({ deviceId: 'b', fs: 100, t0: 5000, leads: [{ name: 'MLII', gain: 200, bits: 11 }] });
    // Odd chunk sizes: records do not depend on how the signal was written.
    for (let at = 0; at < 450; at += 70) {
      await p.write('a', [ramp(Math.min(70, 450 - at), at)]);
      await p.write('b', [ramp(Math.min(70, 450 - at), at)]);
    }
    expect(p.nextSeq('a')).toBe(42);
    await p.close();
    const got = calls.flatMap((c) => c.data.map((d, i) => ({ key: c.keys[i], r: decodeRecord(d) })));
    const a = got.filter((g) => g.key === 'a').map((g) => (g.r.ok ? g.r.record : null));
    expect(a.map((r) => [r?.seq, r?.t0, r?.samples.length])).toEqual([
      [40, 1000, 200],
      [41, 3000, 200],
      [42, 5000, 50],
    ]);
    expect(got.filter((g) => g.key === 'b').map((g) => (g.r.ok ? g.r.record.seq : -1))).toEqual([0, 1, 2]);
    // One record per device per request: a device's next record leaves after the previous one is in.
    for (const c of calls) expect(new Set(c.keys).size).toBe(c.keys.length);
    expect(p.stats).toMatchObject({ records: 6, delivered: 6, retriedEntries: 0 });
    const samples = a.flatMap((r) => Array.from(r!.samples));
    expect(samples).toEqual(Array.from(ramp(450), (x) => Math.fround(Math.round(x * 200) / 200)));
  });

  it('sends v1 with the MLII lead, whatever the order of the leads', async () => {
    const { client, calls } = fakeClient();
    const p = new EcgProducer({ kinesis: client, streamName: 's', format: 'v1' });
    p.addDevice({
      deviceId: 'a',
      fs: 100,
      t0: 0,
      leads: [
        { name: 'V1', gain: 200 },
        { name: 'MLII', gain: 200 },
      ],
    });
    await p.write('a', [new Float32Array(100).fill(1), new Float32Array(100).fill(0.5)]);
    await p.flush();
    const r = decodeRecord(calls[0].data[0]);
    expect(r.ok && r.record.v).toBe(1);
    expect(r.ok && r.record.samples[0]).toBe(0.5);
  });

  it('resends failed entries with the same seq and bytes, after back-off with seeded jitter, and gives up after maxRetries', async () => {
    // Entry 0 of the first two calls is throttled.
    const { client, calls } = fakeClient((call, i) => (call < 2 && i === 0 ? 'ProvisionedThroughputExceededException' : undefined));
    const delays: number[] = [];
    const p = new EcgProducer({
      kinesis: client,
      streamName: 's',
      baseDelayMs: 100,
      seed: 7,
      sleep: (ms) => {
        delays.push(ms);
        return Promise.resolve();
      },
    });
    for (const id of ['a', 'b']) p.addDevice({ deviceId: id, fs: 100, t0: 0, leads: [{ name: 'MLII', gain: 200 }] });
    await p.write('a', [ramp(200)]);
    await p.write('b', [ramp(200)]);
    await p.flush();
    expect(calls.map((c) => c.keys)).toEqual([['a', 'b'], ['a', 'b'], ['a'], ['a']]);
    // Call 1 resent a's seq 0 with the very bytes of call 0 (b's seq 0 had gone through: b sends seq 1).
    expect(calls[1].data[0]).toBe(calls[0].data[0]);
    expect(calls[2].data[0]).toBe(calls[0].data[0]);
    const rng = createRandom(7);
    expect(delays).toEqual([50 + 50 * rng.next(), 100 + 100 * rng.next()]);
    expect(p.stats).toMatchObject({ records: 4, delivered: 4, throttledEntries: 2, retriedEntries: 2 });

    const always = fakeClient(() => 'InternalFailure');
    const q = new EcgProducer({ kinesis: always.client, streamName: 's', maxRetries: 2, sleep: () => Promise.resolve() });
    q.addDevice({ deviceId: 'a', fs: 100, t0: 0, leads: [{ name: 'MLII', gain: 200 }] });
    await q.write('a', [ramp(100)]);
    await expect(q.flush()).rejects.toThrow(/1 records still failing after 2 retries \(InternalFailure\)/);
    expect(always.calls).toHaveLength(3);
  });

  it('keeps requests within 500 entries and retries a failed request whole; a missing stream is fatal', async () => {
    const { client, calls } = fakeClient();
    const p = new EcgProducer({ kinesis: client, streamName: 's', highWaterRecords: 10_000 });
    for (let d = 0; d < 620; d++) p.addDevice({ deviceId: `d${d}`, fs: 100, t0: 0, leads: [{ name: 'II', gain: 100 }] });
    for (let d = 0; d < 620; d++) await p.write(`d${d}`, [ramp(100)]);
    await p.flush();
    expect(calls.map((c) => c.keys.length)).toEqual([500, 120]);

    let n = 0;
    const flaky: PutRecordsClient = {
      send: (cmd) => (n++ === 0 ? Promise.reject(Object.assign(new Error('socket'), { name: 'TimeoutError' })) : client.send(cmd)),
    };
    const q = new EcgProducer({ kinesis: flaky, streamName: 's', sleep: () => Promise.resolve() });
    q.addDevice({ deviceId: 'a', fs: 100, t0: 0, leads: [{ name: 'II', gain: 100 }] });
    await q.write('a', [ramp(100)]);
    await q.flush();
    expect(q.stats).toMatchObject({ delivered: 1, requests: 2 });

    const missing: PutRecordsClient = {
      send: () => Promise.reject(Object.assign(new Error('no stream'), { name: 'ResourceNotFoundException' })),
    };
    const m = new EcgProducer({ kinesis: missing, streamName: 's' });
    m.addDevice({ deviceId: 'a', fs: 100, t0: 0, leads: [{ name: 'II', gain: 100 }] });
    await m.write('a', [ramp(100)]);
    await expect(m.flush()).rejects.toThrow(/no stream/);
  });

  it('an endpoint that cannot be reached: retried by default with its code as the reason, thrown at once on request', async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), {
      code: 'ECONNREFUSED',
      address: '127.0.0.1',
      port: 9,
    });
    const down: PutRecordsClient = { send: () => Promise.reject(refused) };
    const reasons: string[] = [];
    const patient = new EcgProducer({
      kinesis: down,
      streamName: 's',
      maxRetries: 2,
      sleep: () => Promise.resolve(),
      onRetry: (r) => void reasons.push(r.reason),
    });
    patient.addDevice({ deviceId: 'a', fs: 100, t0: 0, leads: [{ name: 'II', gain: 100 }] });
    await patient.write('a', [ramp(100)]);
    await expect(patient.flush()).rejects.toThrow(/still failing after 2 retries \(ECONNREFUSED\)/);
    expect(reasons).toEqual(['ECONNREFUSED', 'ECONNREFUSED']);

    const hasty = new EcgProducer({ kinesis: down, streamName: 's', onUnreachable: 'throw', onRetry: () => reasons.push('retried') });
    hasty.addDevice({ deviceId: 'a', fs: 100, t0: 0, leads: [{ name: 'II', gain: 100 }] });
    await hasty.write('a', [ramp(100)]);
    const err = await hasty.flush().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EndpointUnreachableError);
    expect(err).toMatchObject({ code: 'ECONNREFUSED', address: '127.0.0.1:9', reason: 'connection refused (ECONNREFUSED)' });
    expect(reasons).toHaveLength(2);
    expect(hasty.stats).toMatchObject({ requests: 1, delivered: 0 });
  });

  it('refuses bad settings early', () => {
    const { client } = fakeClient();
    expect(() => new EcgProducer({ kinesis: client, streamName: 's', secondsPerRecord: 61 })).toThrow(/secondsPerRecord/);
    const p = new EcgProducer({ kinesis: client, streamName: 's' });
    expect(() => p.addDevice({ deviceId: 'a b', fs: 50, t0: 0, leads: [{ name: 'II', gain: 1 }] })).toThrow(/deviceId/);
    expect(() => p.nextSeq('nobody')).toThrow(/not registered/);
    expect(leadBits(Float32Array.of(-0.145, 2.5), 200)).toBe(10);
    expect(leadBits(Float32Array.of(-1024 / 200), 200)).toBe(11);
  });
});

describe('EcgProducer against the local Kinesis emulator', () => {
  let emulator: KinesisEmulator;
  let aws: AwsClients;

  beforeAll(async () => {
    emulator = await startKinesisEmulator();
    aws = createAwsClients({ endpoint: { kinesis: emulator.endpoint }, env: {} });
    await aws.kinesis.send(
      new CreateStreamCommand({ StreamName: 'producer', ShardCount: 2, StreamModeDetails: { StreamMode: StreamMode.PROVISIONED } }),
    );
    await waitForStreamActive(aws.kinesis, 'producer', 20_000);
  }, 60_000);

  afterAll(async () => {
    aws?.destroy();
    await emulator?.stop();
  });

  it('delivers every record exactly once, in seq order per device, through injected throttling', async () => {
    // The wrapper throttles about a third of the entries: they never reach the stream and are
    // reported back as ProvisionedThroughputExceededException, as Kinesis does.
    const rng = createRandom(3);
    let throttled = 0;
    const throttling: PutRecordsClient = {
      async send(command) {
        const records = command.input.Records ?? [];
        const pass = records.map(() => rng.next() >= 0.33);
        const sent = records.filter((_, i) => pass[i]);
        const out = sent.length > 0 ? await aws.kinesis.send(new PutRecordsCommand({ ...command.input, Records: sent })) : { Records: [] };
        let k = 0;
        const results = records.map((_, i) => {
          if (pass[i]) return out.Records![k++];
          throttled++;
          return { ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: 'Rate exceeded for shard' };
        });
        return { FailedRecordCount: results.filter((r) => r.ErrorCode).length, Records: results, $metadata: {} };
      },
    };
    const devices = ['dev-a', 'dev-b', 'dev-c', 'dev-d'];
    const p = new EcgProducer({ kinesis: throttling, streamName: 'producer', format: 'v2', secondsPerRecord: 1, baseDelayMs: 1, seed: 5 });
    devices.forEach((id) =>
      p.addDevice({
        deviceId: id,
        fs: 250,
        t0: 1_764_150_000_000,
        leads: [
          { name: 'MLII', gain: 200, bits: 12 },
          { name: 'V5', gain: 200, bits: 12 },
        ],
      }),
    );
    const seconds = 12;
    for (let s = 0; s < seconds; s++) for (const id of devices) await p.write(id, [ramp(250, s * 250), ramp(250, s * 7)]);
    await p.close();
    expect(throttled).toBeGreaterThan(5);
    expect(p.stats.throttledEntries).toBe(throttled);

    const shards = (await aws.kinesis.send(new ListShardsCommand({ StreamName: 'producer' }))).Shards ?? [];
    const seen = new Map<string, number[]>();
    for (const shard of shards) {
      let iterator = (
        await aws.kinesis.send(
          new GetShardIteratorCommand({ StreamName: 'producer', ShardId: shard.ShardId!, ShardIteratorType: 'TRIM_HORIZON' }),
        )
      ).ShardIterator;
      for (let empty = 0; iterator && empty < 2;) {
        const out = await aws.kinesis.send(new GetRecordsCommand({ ShardIterator: iterator }));
        if ((out.Records ?? []).length === 0) empty++;
        for (const r of out.Records ?? []) {
          const d = decodeRecord(r.Data!);
          if (!d.ok) throw new Error(d.reason);
          seen.set(d.record.deviceId, [...(seen.get(d.record.deviceId) ?? []), d.record.seq]);
        }
        iterator = out.NextShardIterator;
      }
    }
    for (const id of devices) expect(seen.get(id), id).toEqual(Array.from({ length: seconds }, (_, i) => i));
  }, 60_000);
});
