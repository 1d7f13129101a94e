import { CreateStreamCommand, PutRecordsCommand, StreamMode } from '@aws-sdk/client-kinesis';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients, type AwsClients } from '../../src/aws/clients';
import { putHistoryObject } from '../../src/aws/history-writer';
import { decodeRecord } from '../../src/contract/decode-record';
import { encodeWireRecord } from '../../src/contract/wire';
import { startFauxqsEmulator, type FauxqsEmulator } from '../../src/local/fauxqs-emulator';
import { startKinesisEmulator, type KinesisEmulator } from '../../src/local/kinesis-emulator';
import { waitForStreamActive } from '../../src/local/provision';
import { readHistoryWindow } from '../../src/local/redrive-history';

const T = Date.UTC(2026, 10, 26, 12, 0, 0);
const BUCKET = 'redrive-history';

function record(deviceId: string, seq: number): string {
  return encodeWireRecord({ deviceId, seq, t0: T + seq * 1000, fs: 100, samples: new Float32Array(100) });
}

describe('readHistoryWindow: the records of a shard around a range, from history/', () => {
  let kinesis: KinesisEmulator;
  let fauxqs: FauxqsEmulator;
  let aws: AwsClients;
  let streamArn: string;
  /** Where Kinesis itself puts each device (PutRecords says). */
  const shardOf = new Map<string, string>();
  const devices = Array.from({ length: 8 }, (_, i) => `dev-h${i}`);

  beforeAll(async () => {
    [kinesis, fauxqs] = await Promise.all([startKinesisEmulator(), startFauxqsEmulator({ mode: 'in-process' })]);
    aws = createAwsClients({
      endpoint: { kinesis: kinesis.endpoint, s3: fauxqs.endpoint, sns: fauxqs.endpoint, sqs: fauxqs.endpoint },
      env: {},
    });
    await aws.kinesis.send(
      new CreateStreamCommand({ StreamName: 'h', ShardCount: 2, StreamModeDetails: { StreamMode: StreamMode.PROVISIONED } }),
    );
    streamArn = await waitForStreamActive(aws.kinesis, 'h', 20_000);
    const out = await aws.kinesis.send(
      new PutRecordsCommand({ StreamName: 'h', Records: devices.map((d) => ({ PartitionKey: d, Data: Buffer.from(record(d, 0)) })) }),
    );
    out.Records?.forEach((r, i) => shardOf.set(devices[i], r.ShardId as string));
    await aws.s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    // Two objects 10 min apart (the second repeats a record, as a retried Firehose delivery may),
    // and one two hours later, outside any window below.
    await putHistoryObject(aws.s3, BUCKET, [...devices.map((d) => record(d, 0)), ...devices.map((d) => record(d, 1))], { at: T });
    await putHistoryObject(aws.s3, BUCKET, [record(devices[0], 1), ...devices.map((d) => record(d, 2))], { at: T + 600_000 });
    await putHistoryObject(
      aws.s3,
      BUCKET,
      devices.map((d) => record(d, 3)),
      { at: T + 7_200_000 },
    );
  });

  afterAll(async () => {
    aws?.destroy();
    await Promise.all([kinesis?.stop(), fauxqs?.stop()]);
  });

  it('keeps the devices Kinesis put on the shard, once each record, in archive order, with stable ids', async () => {
    const shards = [...new Set(shardOf.values())];
    expect(shards).toHaveLength(2);
    for (const shard of shards) {
      const window = await readHistoryWindow(
        aws.kinesis,
        { s3: aws.s3, bucket: BUCKET, bufferSeconds: 60 },
        streamArn,
        shard,
        T,
        T + 600_000,
      );
      expect(window.byShard).toBe(true);
      expect(window.objects).toBe(2);
      const got = window.records.map((r) => {
        const d = decodeRecord(r.Data as Uint8Array);
        if (!d.ok) throw new Error(d.reason);
        return `${d.record.deviceId}#${d.record.seq}`;
      });
      const mine = devices.filter((d) => shardOf.get(d) === shard);
      expect(got).toEqual([...mine.map((d) => `${d}#0`), ...mine.map((d) => `${d}#1`), ...mine.map((d) => `${d}#2`)]);
      // Arrival estimated from the device clock, inside the object's buffering interval.
      expect(window.records[0].ApproximateArrivalTimestamp?.getTime()).toBe(T + 1000);
      const again = await readHistoryWindow(
        aws.kinesis,
        { s3: aws.s3, bucket: BUCKET, bufferSeconds: 60 },
        streamArn,
        shard,
        T,
        T + 600_000,
      );
      expect(again.records.map((r) => r.SequenceNumber)).toEqual(window.records.map((r) => r.SequenceNumber));
    }
  });

  it('the stream gone: every device of the window is kept, and a narrow window reads one object', async () => {
    const window = await readHistoryWindow(
      aws.kinesis,
      { s3: aws.s3, bucket: BUCKET, bufferSeconds: 60 },
      `${streamArn}-deleted`,
      'shardId-000000000000',
      T + 600_000,
      T + 600_000,
    );
    expect(window.byShard).toBe(false);
    expect(window.objects).toBe(1);
    expect(window.records).toHaveLength(1 + devices.length);
  });
});
