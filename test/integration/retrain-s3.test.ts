/**
 * The retraining job over S3 (fauxqs): history objects as Firehose writes them (gzip, a newline after each record),
 * including broken ones, the registry's conditional pointer switch, and the CLI's JSON.
 */
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients, type AwsClients } from '../../src/aws/clients';
import { putHistoryObject } from '../../src/aws/history-writer';
import { readModelPointer, seedModel } from '../../src/aws/model-store';
import { createS3ModelRegistry, runRetrainCycle } from '../../src/aws/retrain-ports';
import { encodeWireRecord, type DecodedRecord } from '../../src/contract/wire';
import { encodeWireRecordV2 } from '../../src/contract/wire-v2';
import { historyObjectKey } from '../../src/contract/s3-layout';
import { startFauxqsEmulator, type FauxqsEmulator } from '../../src/local/fauxqs-emulator';
import retrainCommand from '../../src/cli/commands/retrain';
import { UsageError } from '../../src/cli/command';
import { vi } from 'vitest';
import { deviceRecords, pvcs, trainTestChampion } from '../retrain/fixtures';

/** The history window ends here (the wall clock of the job is injected). */
const NOW = Date.UTC(2026, 10, 26, 12, 30);
const QUICK = { timeBudgetMs: 30_000, train: { epochs: 3 }, minDeviceThresholdBeats: 100, now: () => NOW } as const;

describe('retraining over S3', () => {
  let fauxqs: FauxqsEmulator;
  let aws: AwsClients;
  let champion: Awaited<ReturnType<typeof trainTestChampion>>;
  let bucketCount = 0;

  /** A fresh bucket holding the champion and its pointer. */
  async function bucketWithChampion(): Promise<string> {
    const bucket = `retrain-${++bucketCount}`;
    await aws.s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await seedModel(aws.s3, bucket, champion.text, { promotedAt: new Date(NOW) });
    return bucket;
  }

  /**
   * A record as its device sends it: devices 0-6 speak wire v2 (two leads, Rice or varint
   * coding, the ADC integers of a 200 adu/mV front end), 7-9 still v1 JSON, as in a fleet
   * moving over to v2.
   */
  function payload(r: DecodedRecord, device: number): string | Uint8Array {
    if (device >= 7) return encodeWireRecord(r);
    const leads = [
      { name: 'MLII', samples: r.samples, gain: 200 },
      { name: 'V1', samples: r.samples.map((x) => -0.5 * x), gain: 200 },
    ];
    return encodeWireRecordV2({ deviceId: r.deviceId, seq: r.seq, t0: r.t0, fs: r.fs, leads }, { coding: device % 2 ? 'varint' : 'rice' });
  }

  /**
   * Ten devices, two and a half minutes each, archived in one gzip object per 30 s of arrival,
   * each record followed by a newline as the stack's Firehose writes them. One damaged v2
   * record (cut short) sits in the middle of the third object. Returns the v2 payloads archived.
   */
  async function archiveFleet(bucket: string): Promise<Uint8Array[]> {
    const devices = Array.from({ length: 10 }, (_, i) =>
      deviceRecords(`dev-${i}`, { seconds: 150, seed: 20 + i, heartRate: 62 + 3 * i, anomalies: pvcs(150, 6 + i), t0: NOW - 3_600_000 }),
    );
    const v2: Uint8Array[] = [];
    for (let part = 0; part < 5; part++) {
      const records: (string | Uint8Array)[] = [];
      for (let s = part * 30; s < (part + 1) * 30; s++) {
        devices.forEach((d, i) => {
          const p = payload(d[s], i);
          if (typeof p !== 'string') v2.push(p);
          records.push(p);
        });
        if (part === 2 && s === 75) {
          const whole = payload({ ...devices[0][0], seq: 10_000 }, 0) as Uint8Array;
          records.push(Buffer.concat([whole.subarray(0, 60), whole.subarray(90)]));
        }
      }
      await putHistoryObject(aws.s3, bucket, records, { at: NOW - 3_600_000 + part * 30_000, unique: `part-${part}` });
    }
    return v2;
  }

  beforeAll(async () => {
    [fauxqs, champion] = await Promise.all([startFauxqsEmulator(), trainTestChampion()]);
    aws = createAwsClients({ endpoint: { s3: fauxqs.endpoint }, region: 'us-east-1', env: {} });
  }, 90_000);

  afterAll(async () => {
    aws?.destroy();
    await fauxqs?.stop();
  });

  it('retrains from archived v1 and v2 history, skips and counts malformed records and objects, promotes', async () => {
    const bucket = await bucketWithChampion();
    const v2 = await archiveFleet(bucket);
    expect(v2).toHaveLength(1050);
    // The binary payloads hold the delimiter byte and the v2 magic inside: they frame by length.
    expect(v2.filter((p) => p.subarray(1).includes(0x0a)).length).toBeGreaterThan(500);
    expect(v2.filter((p) => p.subarray(1).includes(0xb2)).length).toBeGreaterThan(100);
    const at = NOW - 1_800_000;
    await putHistoryObject(aws.s3, bucket, ['{"v":1,"deviceId":"dev-0"', 'not json', '{"v":2,"deviceId":"x"}'], {
      at,
      unique: 'bad-lines',
    });
    await aws.s3.send(new PutObjectCommand({ Bucket: bucket, Key: historyObjectKey(at, 'not-gzip'), Body: 'plain text, not gzip' }));
    const problems: string[] = [];
    const result = await runRetrainCycle({ s3: aws.s3, bucket, days: 1, ...QUICK, onProblem: (p) => problems.push(p.reason) });

    // 1,500 = 1,050 v2 + 450 v1 records; malformed: the three bad lines and the cut v2 record.
    expect(result.history).toMatchObject({ objects: 7, malformedObjects: 1, malformedRecords: 4, records: 1500 });
    expect(problems).toHaveLength(5);
    expect(problems.join('\n')).not.toMatch(/dev-\d/);
    expect(result.decision).toBe('promoted');
    expect(result.beatsUsed).toBeGreaterThan(0);
    const pointer = await readModelPointer(aws.s3, bucket);
    expect(JSON.parse(pointer!.text).version).toBe(result.toVersion);
    const listed = await aws.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `models/${result.toVersion}/` }));
    expect((listed.Contents ?? []).map((o) => o.Key).sort()).toEqual([
      `models/${result.toVersion}/model.json`,
      `models/${result.toVersion}/report.json`,
    ]);
    const report = JSON.parse(
      await (
        await aws.s3.send(new GetObjectCommand({ Bucket: bucket, Key: `models/${result.toVersion}/report.json` }))
      ).Body!.transformToString(),
    );
    expect(report).toMatchObject({ decision: 'promoted', fromVersion: champion.version, toVersion: result.toVersion });
  }, 120_000);

  it('keeps the champion on an empty history: clear reason, no new version', async () => {
    const bucket = await bucketWithChampion();
    const result = await runRetrainCycle({ s3: aws.s3, bucket, days: 1, ...QUICK });
    expect(result).toMatchObject({
      decision: 'kept',
      fromVersion: champion.version,
      toVersion: champion.version,
      challengerVersion: null,
      beatsUsed: 0,
    });
    expect(result.reason).toMatch(/history is empty: no valid records in the last 1 days/);
    const models = await aws.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'models/' }));
    expect((models.Contents ?? []).map((o) => o.Key).sort()).toEqual([`models/${champion.version}/model.json`, 'models/current.json']);
  });

  it('switches the pointer only from the ETag it read: a stale writer loses without overwriting', async () => {
    const bucket = await bucketWithChampion();
    const registry = createS3ModelRegistry(aws.s3, bucket);
    const read = await registry.readCurrent();
    expect(read?.pointer.version).toBe(champion.version);
    const pointer = (version: string) => ({
      version,
      key: `models/${version}/model.json`,
      sha256: 'a'.repeat(64),
      promotedAt: new Date(NOW).toISOString(),
    });
    expect(await registry.promote(pointer('20261126T120000Z-aaaaaaaa'), read!.etag)).toEqual({ promoted: true });
    const stale = await registry.promote(pointer('20261126T120000Z-bbbbbbbb'), read!.etag);
    expect(stale.promoted).toBe(false);
    expect(JSON.parse((await readModelPointer(aws.s3, bucket))!.text).version).toBe('20261126T120000Z-aaaaaaaa');
  });

  it('beatwatch retrain --json prints one JSON object on stdout, progress on stderr', async () => {
    const bucket = await bucketWithChampion();
    const out: string[] = [];
    const err: string[] = [];
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((c) => (out.push(String(c)), true));
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation((c) => (err.push(String(c)), true));
    let code: number;
    try {
      code = await retrainCommand.run(['--endpoint', fauxqs.endpoint, '--bucket', bucket, '--days', '2', '--time-budget', '20', '--json']);
    } finally {
      stdout.mockRestore();
      stderr.mockRestore();
    }
    expect(code).toBe(0);
    expect(out).toHaveLength(1);
    const json = JSON.parse(out[0]);
    expect(json).toMatchObject({
      decision: 'kept',
      fromVersion: champion.version,
      toVersion: champion.version,
      beatsUsed: 0,
      timeBudgetMs: 20_000,
    });
    expect(json.reason).toMatch(/history is empty/);
    expect(err.join('')).toMatch(/retrain: kept .*history is empty/);
    await expect(retrainCommand.run(['--days', 'many'])).rejects.toThrow(UsageError);
  });
});
