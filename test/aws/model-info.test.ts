import { readFileSync } from 'node:fs';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients, type AwsClients } from '../../src/aws/clients';
import { describeModel } from '../../src/aws/model-info';
import { seedModel } from '../../src/aws/model-store';
import { describeModelInfo } from '../../src/cli/commands/model';
import { startFauxqsEmulator, type FauxqsEmulator } from '../../src/local/fauxqs-emulator';
import { CreateBucketCommand } from '@aws-sdk/client-s3';

const MODEL = readFileSync('data/default-model/model.json', 'utf8');
let fauxqs: FauxqsEmulator;
let aws: AwsClients;

beforeAll(async () => {
  fauxqs = await startFauxqsEmulator({ mode: 'in-process' });
  aws = createAwsClients({ endpoint: { s3: fauxqs.endpoint }, region: 'us-east-1', env: {} });
  await aws.s3.send(new CreateBucketCommand({ Bucket: 'model-info' }));
}, 60_000);
afterAll(async () => {
  aws?.destroy();
  await fauxqs?.stop();
});

describe('describeModel (beatwatch model, GET /api/model)', () => {
  it('is null before any model is promoted', async () => {
    expect(await describeModel(aws.s3, 'model-info')).toBeNull();
  });

  it('names the model in service, what it was trained on, its threshold, and the recent retraining decisions', async () => {
    const seeded = await seedModel(aws.s3, 'model-info', MODEL);
    await aws.s3.send(
      new PutObjectCommand({
        Bucket: 'model-info',
        Key: 'models/29991231T000000Z-deadbeef/report.json',
        Body: JSON.stringify({
          decision: 'kept',
          reason: 'challenger worse on held-out devices',
          fromVersion: seeded.version,
          beatsUsed: 1234,
        }),
      }),
    );
    const info = await describeModel(aws.s3, 'model-info');
    const artifact = JSON.parse(MODEL) as { threshold: { rule: string; value: number }; training: { data: unknown } };
    expect(info?.version).toBe(seeded.version);
    expect(info?.threshold).toEqual({ rule: artifact.threshold.rule, value: artifact.threshold.value });
    expect(info?.trainedOn).toEqual(artifact.training.data);
    expect(info?.decisions[0]).toMatchObject({ version: '29991231T000000Z-deadbeef', decision: 'kept', beatsUsed: 1234 });
    expect(info?.decisions.map((d) => d.version)).toContain(seeded.version);
    const text = describeModelInfo(info as NonNullable<typeof info>);
    expect(text).toContain(`model ${seeded.version}`);
    expect(text).toContain('29991231T000000Z-deadbeef: kept (challenger worse on held-out devices), 1234 beats');
  });
});
