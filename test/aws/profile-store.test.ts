import { CreateBucketCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients, type AwsClients } from '../../src/aws/clients';
import { createS3ProfileStore } from '../../src/aws/profile-store';
import { deviceProfileKey } from '../../src/contract/s3-layout';
import { PROFILE_FORMAT_VERSION, type DeviceProfile } from '../../src/detect/patient-adaptation';
import { startFauxqsEmulator, type FauxqsEmulator } from '../../src/local/fauxqs-emulator';

const profile: DeviceProfile = {
  formatVersion: PROFILE_FORMAT_VERSION,
  adapter: 'threshold-calibration',
  modelVersion: 'v1',
  learnedAt: Date.UTC(2026, 0, 1, 0, 5),
  learningSeconds: 300,
  beatsLearned: 371,
  threshold: 0.42,
  features: { rule: 'median', learningScoreMedian: 0.07 },
};

describe('S3 profile store against fauxqs', () => {
  let fauxqs: FauxqsEmulator;
  let aws: AwsClients;
  const bucket = 'beatwatch-profiles';

  beforeAll(async () => {
    fauxqs = await startFauxqsEmulator({ mode: 'in-process' });
    aws = createAwsClients({
      endpoint: { s3: fauxqs.endpoint, sns: fauxqs.endpoint, sqs: fauxqs.endpoint, kinesis: 'http://127.0.0.1:9' },
      env: {},
    });
    await aws.s3.send(new CreateBucketCommand({ Bucket: bucket }));
  });

  afterAll(async () => {
    aws?.destroy();
    await fauxqs?.stop();
  });

  it('saves under devices/<id>/profile.json and loads it back; a missing profile is null; requests counted', async () => {
    const store = createS3ProfileStore(aws.s3, bucket);
    expect(await store.load('dev-1')).toBeNull();
    await store.save('dev-1', profile);
    expect(deviceProfileKey('dev-1')).toBe('devices/dev-1/profile.json');
    const raw = await aws.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'devices/dev-1/profile.json' }));
    expect(JSON.parse((await raw.Body?.transformToString()) ?? '')).toEqual(profile);
    expect(await store.load('dev-1')).toEqual(profile);
    expect([store.loads, store.saves]).toEqual([2, 1]);
  });

  it('an unusable object is reported and read as no profile (the device relearns and overwrites it)', async () => {
    const reasons: string[] = [];
    const store = createS3ProfileStore(aws.s3, bucket, (id, reason) => reasons.push(`${id}: ${reason}`));
    await aws.s3.send(new PutObjectCommand({ Bucket: bucket, Key: deviceProfileKey('dev-2'), Body: 'not json' }));
    await aws.s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: deviceProfileKey('dev-3'), Body: JSON.stringify({ ...profile, formatVersion: 9 }) }),
    );
    expect(await store.load('dev-2')).toBeNull();
    expect(await store.load('dev-3')).toBeNull();
    expect(reasons).toEqual(['dev-2: profile is not JSON', 'dev-3: unknown profile formatVersion 9']);
  });

  it('any other failure throws (the detector retries the device)', async () => {
    const store = createS3ProfileStore(aws.s3, 'no-such-bucket-here');
    await expect(store.save('dev-1', profile)).rejects.toThrow();
  });
});
