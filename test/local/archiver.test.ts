import { CreateStreamCommand, PutRecordsCommand, StreamMode } from '@aws-sdk/client-kinesis';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients, type AwsClients } from '../../src/aws/clients';
import { readHistory } from '../../src/aws/history-reader';
import { historyHourPrefix } from '../../src/contract/s3-layout';
import { encodeWireRecord } from '../../src/contract/wire';
import { encodeWireRecordV2 } from '../../src/contract/wire-v2';
import { startArchiver } from '../../src/local/archiver';
import { startFauxqsEmulator, type FauxqsEmulator } from '../../src/local/fauxqs-emulator';
import { startKinesisEmulator, type KinesisEmulator } from '../../src/local/kinesis-emulator';
import { waitForStreamActive } from '../../src/local/provision';

let kinesisEmulator: KinesisEmulator;
let fauxqs: FauxqsEmulator;
let aws: AwsClients;

async function putWire(stream: string, devices: string[], perDevice: number): Promise<void> {
  const entries = [];
  for (let seq = 0; seq < perDevice; seq++) {
    for (const deviceId of devices) {
      entries.push({
        PartitionKey: deviceId,
        Data: Buffer.from(
          encodeWireRecord({ deviceId, seq, t0: 1_764_150_000_000 + seq * 1000, fs: 100, samples: new Float32Array(100).fill(0.25) }),
        ),
      });
    }
  }
  const out = await aws.kinesis.send(new PutRecordsCommand({ StreamName: stream, Records: entries }));
  expect(out.FailedRecordCount ?? 0).toBe(0);
}

/** Polls `done` every 20 ms; fails after 10 s. */
async function waitFor(done: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error('condition not met within 10 s');
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function newStream(name: string, shards: number): Promise<void> {
  await aws.kinesis.send(
    new CreateStreamCommand({ StreamName: name, ShardCount: shards, StreamModeDetails: { StreamMode: StreamMode.PROVISIONED } }),
  );
  await waitForStreamActive(aws.kinesis, name, 20_000);
}

beforeAll(async () => {
  [kinesisEmulator, fauxqs] = await Promise.all([startKinesisEmulator(), startFauxqsEmulator({ mode: 'in-process' })]);
  aws = createAwsClients({
    endpoint: { kinesis: kinesisEmulator.endpoint, s3: fauxqs.endpoint, sns: fauxqs.endpoint, sqs: fauxqs.endpoint },
    env: {},
  });
});

afterAll(async () => {
  aws?.destroy();
  await Promise.all([kinesisEmulator?.stop(), fauxqs?.stop()]);
});

describe('Firehose-like archiver', () => {
  it('archives every record of every shard once, as gzip records with a newline each under the arrival hour, flushing by size', async () => {
    await newStream('archive-size', 2);
    await aws.s3.send(new CreateBucketCommand({ Bucket: 'archive-size' }));
    const devices = ['d-1', 'd-2', 'd-3', 'd-4'];
    const before = Date.now();
    await putWire('archive-size', devices, 10);
    // ~700 bytes per record: a 4 KB buffer forces several objects.
    const archiver = await startArchiver({
      kinesis: aws.kinesis,
      s3: aws.s3,
      streamName: 'archive-size',
      bucket: 'archive-size',
      bufferSizeBytes: 4096,
      pollIntervalMs: 20,
    });
    await archiver.drain();
    await archiver.stop();
    expect(archiver.stats.recordsArchived).toBe(40);
    expect(archiver.stats.objectsWritten).toBeGreaterThanOrEqual(6);
    const hours = new Set([historyHourPrefix(before), historyHourPrefix(Date.now())]);
    for (const key of archiver.keys) {
      expect([...hours].some((h) => key.startsWith(h))).toBe(true);
      expect(key).toMatch(/\/beatwatch-history-1-\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}-[0-9a-f-]{36}\.gz$/);
    }
    const { records, stats } = readHistory(aws.s3, 'archive-size', { days: 1 });
    const seen = new Map<string, number[]>();
    for await (const { record } of records) seen.set(record.deviceId, [...(seen.get(record.deviceId) ?? []), record.seq]);
    expect(stats).toMatchObject({ records: 40, malformedRecords: 0, malformedObjects: 0 });
    // Every record once. (Order across objects is not the stream's: like Firehose's, names
    // carry a random suffix, so readers sort by deviceId and seq.)
    for (const d of devices) expect(seen.get(d)?.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('archives v2 binary records next to v1 ones so that the history reader gets every one back exactly', async () => {
    await newStream('archive-v2', 1);
    await aws.s3.send(new CreateBucketCommand({ Bucket: 'archive-v2' }));
    // Steps of +5 and +89 adu code as the varint bytes 0a and b2 01: the delimiter and the v2
    // magic inside the samples.
    const adu = Array.from({ length: 100 }, (_, i) => (i % 2 ? 89 : 5) * Math.ceil(i / 2) - (i % 2 ? 0 : 89 * Math.floor(i / 2)));
    const entries = Array.from({ length: 12 }, (_, seq) => {
      const t0 = 1_764_150_000_000 + seq * 1000;
      const data =
        seq % 3 === 2
          ? Buffer.from(encodeWireRecord({ deviceId: 'd-1', seq, t0, fs: 100, samples: new Float32Array(100).fill(0.25) }))
          : encodeWireRecordV2(
              { deviceId: 'd-1', seq, t0, fs: 100, leads: [{ name: 'MLII', unit: 'adu', gain: 200, samples: adu }] },
              { coding: seq % 3 ? 'rice' : 'varint' },
            );
      return { PartitionKey: 'd-1', Data: data };
    });
    expect(entries[0].Data.subarray(1).includes(0x0a) && entries[0].Data.subarray(1).includes(0xb2)).toBe(true);
    await aws.kinesis.send(new PutRecordsCommand({ StreamName: 'archive-v2', Records: entries }));
    const archiver = await startArchiver({
      kinesis: aws.kinesis,
      s3: aws.s3,
      streamName: 'archive-v2',
      bucket: 'archive-v2',
      pollIntervalMs: 20,
    });
    await archiver.drain();
    await archiver.stop();
    const { records, stats } = readHistory(aws.s3, 'archive-v2', { days: 1 });
    const got = [];
    for await (const { record } of records) got.push(record);
    expect(stats).toMatchObject({ records: 12, malformedRecords: 0, malformedObjects: 0 });
    expect(got.map((r) => [r.seq, r.v])).toEqual(entries.map((_, seq) => [seq, seq % 3 === 2 ? 1 : 2]));
    for (const r of got.filter((x) => x.v === 2)) expect(Array.from(r.samples)).toEqual(adu.map((x) => Math.fround(x * (1 / 200))));
  });

  it('flushes by the buffer interval while running', async () => {
    await newStream('archive-interval', 1);
    await aws.s3.send(new CreateBucketCommand({ Bucket: 'archive-interval' }));
    const archiver = await startArchiver({
      kinesis: aws.kinesis,
      s3: aws.s3,
      streamName: 'archive-interval',
      bucket: 'archive-interval',
      bufferIntervalMs: 150,
      pollIntervalMs: 20,
    });
    try {
      await putWire('archive-interval', ['d-1'], 3);
      await waitFor(() => archiver.stats.objectsWritten > 0);
      expect(archiver.stats).toMatchObject({ objectsWritten: 1, recordsArchived: 3 });
      await putWire('archive-interval', ['d-1'], 2);
      await waitFor(() => archiver.stats.objectsWritten > 1);
      expect(archiver.stats).toMatchObject({ objectsWritten: 2, recordsArchived: 5 });
    } finally {
      await archiver.stop();
    }
  });

  it('flushes the rest on stop: records read but still buffered are written by stop() alone', async () => {
    await newStream('archive-stop', 1);
    await aws.s3.send(new CreateBucketCommand({ Bucket: 'archive-stop' }));
    // Neither hint can fire during the test: only stop() can write these records.
    const archiver = await startArchiver({
      kinesis: aws.kinesis,
      s3: aws.s3,
      streamName: 'archive-stop',
      bucket: 'archive-stop',
      bufferIntervalMs: 3_600_000,
      pollIntervalMs: 20,
    });
    await putWire('archive-stop', ['d-1', 'd-2'], 3);
    await waitFor(() => archiver.stats.recordsRead === 6);
    expect(archiver.stats).toMatchObject({ objectsWritten: 0, recordsArchived: 0 });
    await archiver.stop();
    expect(archiver.stats).toMatchObject({ recordsRead: 6, objectsWritten: 1, recordsArchived: 6 });
    const { records, stats } = readHistory(aws.s3, 'archive-stop', { days: 1 });
    const seen: string[] = [];
    for await (const { record } of records) seen.push(`${record.deviceId}/${record.seq}`);
    expect(stats).toMatchObject({ objects: 1, records: 6 });
    expect(seen.sort()).toEqual(['d-1/0', 'd-1/1', 'd-1/2', 'd-2/0', 'd-2/1', 'd-2/2']);
  });
});
