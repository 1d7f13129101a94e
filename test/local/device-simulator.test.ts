import {
  CreateStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListShardsCommand,
  StreamMode,
  type KinesisClient,
  type PutRecordsRequestEntry,
} from '@aws-sdk/client-kinesis';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients, type AwsClients } from '../../src/aws/clients';
import { decodeWireRecord, type WireRecordV1 } from '../../src/contract/wire';
import { ecgSimulate } from '../../src/ecg/ecg-simulate';
import { cutWireRecord, pseudonymousDeviceId, recordBounds, recordCount } from '../../src/local/device-records';
import { simulateDevices } from '../../src/local/device-simulator';
import { startKinesisEmulator, type KinesisEmulator } from '../../src/local/kinesis-emulator';
import { waitForStreamActive } from '../../src/local/provision';
import { chunkEntries, putRecordsReliably } from '../../src/local/put-records';

describe('device records', () => {
  it('gives stable pseudonymous ids that do not contain the label', () => {
    const id = pseudonymousDeviceId('mitdb/208');
    expect(id).toMatch(/^dev-[0-9a-f]{16}$/);
    expect(pseudonymousDeviceId('mitdb/208')).toBe(id);
    expect(pseudonymousDeviceId('mitdb/208', 'other-salt')).not.toBe(id);
    expect(pseudonymousDeviceId('mitdb/209')).not.toBe(id);
  });

  it('cuts records that tile the signal exactly, whatever fs and record length', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5000 }),
        fc.integer({ min: 50, max: 2000 }),
        fc.constantFrom(0.25, 0.5, 1, 1.3, 2),
        (length, fs, seconds) => {
          const n = recordCount(length, fs, seconds);
          let next = 0;
          for (let k = 0; k < n; k++) {
            const { start, end } = recordBounds(k, fs, seconds, length);
            expect(start).toBe(next);
            expect(end).toBeGreaterThan(start);
            next = end;
          }
          expect(next).toBe(length);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('holds the last valid value over NaN samples and stamps t0 from the first sample', () => {
    const signal = Float32Array.from([0.5, Number.NaN, 0.25, 1, Number.NaN, Number.NaN]);
    const device = { deviceId: 'dev-x', signal, fs: 100 };
    const scratch = new Float32Array(8);
    const a = cutWireRecord(device, 0, 1000, 0.03, scratch);
    const b = cutWireRecord(device, 1, 1000, 0.03, scratch);
    const ra = decodeWireRecord(a.text);
    const rb = decodeWireRecord(b.text);
    expect(ra.ok && rb.ok).toBe(true);
    if (!ra.ok || !rb.ok) return;
    expect(Array.from(ra.record.samples)).toEqual([0.5, 0.5, 0.25]);
    expect(Array.from(rb.record.samples)).toEqual([1, 1, 1]);
    expect([a.held, b.held]).toEqual([1, 2]);
    expect([ra.record.t0, rb.record.t0]).toEqual([1000, 1030]);
  });
});

describe('PutRecords batching and retries', () => {
  const entry = (bytes: number, key = 'k'): PutRecordsRequestEntry => ({ PartitionKey: key, Data: new Uint8Array(bytes) });

  it('chunks at 500 entries and at 5 MiB, keeping order', () => {
    expect(chunkEntries(Array.from({ length: 1001 }, () => entry(10))).map((g) => g.length)).toEqual([500, 500, 1]);
    const big = Array.from({ length: 6 }, () => entry(1024 * 1024 - 1));
    expect(chunkEntries(big).map((g) => g.length)).toEqual([5, 1]);
  });

  it('resends only the failed entries, then gives up after maxRetries naming the reason', async () => {
    const sent: number[][] = [];
    let call = 0;
    // A stand-in for Kinesis that throttles entry 1 on the first call: the logic under test is the retry loop.
    const fake = {
      send: async (cmd: { input: { Records: PutRecordsRequestEntry[] } }) => {
        const records = cmd.input.Records;
        sent.push(records.map((r) => r.Data![0]));
        call++;
        return call === 1
          ? {
              FailedRecordCount: 1,
              Records: records.map((_, i) => (i === 1 ? { ErrorCode: 'ProvisionedThroughputExceededException' } : { SequenceNumber: '1' })),
            }
          : { FailedRecordCount: 0, Records: records.map(() => ({ SequenceNumber: '2' })) };
      },
    } as unknown as KinesisClient;
    const entries = [0, 1, 2].map((i) => ({ PartitionKey: 'k', Data: Uint8Array.of(i) }));
    const r = await putRecordsReliably(fake, 's', entries, { retryBaseMs: 1 });
    expect(sent).toEqual([[0, 1, 2], [1]]);
    // Entry 2 (same key as the failed entry 1) got in first: counted as reordered.
    expect(r).toEqual({ requests: 2, retriedEntries: 1, throttledEntries: 1, reorderedEntries: 1 });

    const alwaysFail = {
      send: async () => ({ FailedRecordCount: 1, Records: [{ ErrorCode: 'InternalFailure' }] }),
    } as unknown as KinesisClient;
    await expect(putRecordsReliably(alwaysFail, 's', [entry(1)], { retryBaseMs: 1, maxRetries: 2 })).rejects.toThrow(
      /1 records still failing after 2 retries \(InternalFailure\)/,
    );
  });
});

describe('device simulator against kinesis-local', () => {
  let emulator: KinesisEmulator;
  let aws: AwsClients;

  beforeAll(async () => {
    emulator = await startKinesisEmulator();
    aws = createAwsClients({ endpoint: { kinesis: emulator.endpoint }, env: {} });
  });

  afterAll(async () => {
    aws?.destroy();
    await emulator?.stop();
  });

  async function readAll(kinesis: KinesisClient, stream: string): Promise<WireRecordV1[]> {
    const out: WireRecordV1[] = [];
    const { Shards = [] } = await kinesis.send(new ListShardsCommand({ StreamName: stream }));
    for (const shard of Shards) {
      let it = (
        await kinesis.send(new GetShardIteratorCommand({ StreamName: stream, ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON' }))
      ).ShardIterator;
      for (;;) {
        const got = await kinesis.send(new GetRecordsCommand({ ShardIterator: it }));
        for (const r of got.Records ?? []) {
          const d = decodeWireRecord(r.Data!);
          if (!d.ok) throw new Error(d.reason);
          expect(r.PartitionKey).toBe(d.record.deviceId);
          out.push(d.record);
        }
        if ((got.Records ?? []).length === 0) break;
        it = got.NextShardIterator;
      }
    }
    return out;
  }

  it('streams each device as 1 s records, seq from 0 in order, t0 and samples faithful', async () => {
    await aws.kinesis.send(
      new CreateStreamCommand({ StreamName: 'sim', ShardCount: 2, StreamModeDetails: { StreamMode: StreamMode.PROVISIONED } }),
    );
    await waitForStreamActive(aws.kinesis, 'sim', 20_000);
    const a = ecgSimulate({ fs: 360, seconds: 5.5, seed: 1 }).signal;
    const b = ecgSimulate({ fs: 250, seconds: 3, seed: 2 }).signal;
    const devices = [
      { deviceId: pseudonymousDeviceId('a'), signal: a, fs: 360 },
      { deviceId: pseudonymousDeviceId('b'), signal: b, fs: 250 },
    ];
    const startTime = Date.UTC(2026, 10, 26, 12);
    const stats = await simulateDevices({ kinesis: aws.kinesis, streamName: 'sim', devices, speed: 'max', startTime });
    expect(stats).toMatchObject({ devices: 2, records: 6 + 3, retriedEntries: 0, heldSamples: 0, aborted: false });
    expect(stats.deviceSeconds).toBeCloseTo(8.5, 9);
    const got = await readAll(aws.kinesis, 'sim');
    for (const d of devices) {
      const mine = got.filter((r) => r.deviceId === d.deviceId);
      expect(mine.map((r) => r.seq)).toEqual(Array.from({ length: mine.length }, (_, i) => i));
      expect(mine.map((r) => r.t0)).toEqual(mine.map((_, i) => startTime + i * 1000));
      const joined = new Float32Array(d.signal.length);
      let at = 0;
      for (const r of mine) {
        expect(r.fs).toBe(d.fs);
        joined.set(r.samples, at);
        at += r.samples.length;
      }
      expect(at).toBe(d.signal.length);
      let maxErr = 0;
      for (let i = 0; i < joined.length; i++) maxErr = Math.max(maxErr, Math.abs(joined[i] - d.signal[i]));
      expect(maxErr).toBeLessThanOrEqual(5e-6 + 1e-7);
    }
  });

  it('packs several ticks per request when asked, keeping each device in order', async () => {
    await aws.kinesis.send(
      new CreateStreamCommand({ StreamName: 'sim-packed', ShardCount: 1, StreamModeDetails: { StreamMode: StreamMode.PROVISIONED } }),
    );
    await waitForStreamActive(aws.kinesis, 'sim-packed', 20_000);
    const devices = [0, 1].map((i) => ({
      deviceId: `dev-${i}`,
      signal: ecgSimulate({ fs: 100, seconds: 7, seed: 5 + i }).signal,
      fs: 100,
    }));
    const stats = await simulateDevices({
      kinesis: aws.kinesis,
      streamName: 'sim-packed',
      devices,
      speed: 'max',
      ticksPerRequest: 3,
      startTime: 0,
    });
    expect(stats).toMatchObject({ records: 14, requests: 3, reorderedEntries: 0 });
    const got = await readAll(aws.kinesis, 'sim-packed');
    for (const d of devices) expect(got.filter((r) => r.deviceId === d.deviceId).map((r) => r.seq)).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('paces ticks by the speed factor and stops on abort', async () => {
    await aws.kinesis.send(
      new CreateStreamCommand({ StreamName: 'sim-paced', ShardCount: 1, StreamModeDetails: { StreamMode: StreamMode.PROVISIONED } }),
    );
    await waitForStreamActive(aws.kinesis, 'sim-paced', 20_000);
    const signal = ecgSimulate({ fs: 100, seconds: 10, seed: 3 }).signal;
    const devices = [{ deviceId: 'dev-paced', signal, fs: 100 }];
    // 4 s of signal at 20x: the last record is due 200 ms after the start, not before.
    const paced = await simulateDevices({ kinesis: aws.kinesis, streamName: 'sim-paced', devices, speed: 20, seconds: 4 });
    expect(paced.records).toBe(4);
    expect(paced.elapsedMs).toBeGreaterThanOrEqual(195);
    const controller = new AbortController();
    const aborted = await simulateDevices({
      kinesis: aws.kinesis,
      streamName: 'sim-paced',
      devices,
      speed: 'max',
      signal: controller.signal,
      onProgress: (p) => {
        if (p.records === 2) controller.abort();
      },
    });
    expect(aborted).toMatchObject({ records: 2, aborted: true });
  });
});
