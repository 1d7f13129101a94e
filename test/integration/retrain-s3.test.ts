/**
 * The retraining job over S3 (fauxqs): history objects as Firehose writes them (gzip NDJSON),
 * including broken ones, the registry's conditional pointer switch, and the CLI's JSON.
 */
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients, type AwsClients } from '../../src/aws/clients';
import { putHistoryObject } from '../../src/aws/history-writer';
import { promoteModel, putModelVersion, readModelPointer } from '../../src/aws/model-store';
import { createS3ModelRegistry, runRetrainCycle } from '../../src/aws/retrain-ports';
import { encodeWireRecord } from '../../src/contract/wire';
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
    const { key, sha256 } = await putModelVersion(aws.s3, bucket, champion.version, champion.text);
    await promoteModel(aws.s3, bucket, { version: champion.version, key, sha256, promotedAt: new Date(NOW).toISOString() }, null);
    return bucket;
  }

  /** Ten devices, two minutes each, archived in one gzip NDJSON object per 30 s of arrival. */
  async function archiveFleet(bucket: string): Promise<void> {
    const devices = Array.from({ length: 10 }, (_, i) =>
      deviceRecords(`dev-${i}`, { seconds: 150, seed: 20 + i, heartRate: 62 + 3 * i, anomalies: pvcs(150, 6 + i), t0: NOW - 3_600_000 }),
    );
    for (let part = 0; part < 5; part++) {
      const lines: string[] = [];
      for (let s = part * 30; s < (part + 1) * 30; s++) for (const d of devices) lines.push(encodeWireRecord(d[s]));
      await putHistoryObject(aws.s3, bucket, lines, { at: NOW - 3_600_000 + part * 30_000, unique: `part-${part}` });
    }
  }

  beforeAll(async () => {
    [fauxqs, champion] = await Promise.all([startFauxqsEmulator(), trainTestChampion()]);
    aws = createAwsClients({ endpoint: { s3: fauxqs.endpoint }, region: 'us-east-1', env: {} });
  }, 90_000);

  afterAll(async () => {
    aws?.destroy();
    await fauxqs?.stop();
  });

  it('retrains from archived history, skips and counts malformed lines and objects, promotes', async () => {
    const bucket = await bucketWithChampion();
    await archiveFleet(bucket);
    const at = NOW - 1_800_000;
    await putHistoryObject(aws.s3, bucket, ['{"v":1,"deviceId":"dev-0"', 'not json', '{"v":2,"deviceId":"x"}'], {
      at,
      unique: 'bad-lines',
    });
    await aws.s3.send(new PutObjectCommand({ Bucket: bucket, Key: historyObjectKey(at, 'not-gzip'), Body: 'plain text, not gzip' }));
    const problems: string[] = [];
    const result = await runRetrainCycle({ s3: aws.s3, bucket, days: 1, ...QUICK, onProblem: (p) => problems.push(p.reason) });

    expect(result.history).toMatchObject({ objects: 7, malformedObjects: 1, malformedLines: 3, records: 1500 });
    expect(problems).toHaveLength(4);
    expect(problems.join('\n')).not.toMatch(/dev-\d/);
    expect(result.decision).toBe('promoted');
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
