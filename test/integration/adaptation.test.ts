import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Logger } from '@aws-lambda-powertools/logger';
import type { KinesisStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDetectHandler } from '../../functions/detect';
import { createS3ProfileStore } from '../../src/aws/profile-store';
import { promoteModel, putModelVersion } from '../../src/aws/model-store';
import { cutWireRecord, recordCount } from '../../src/contract/wire-records';
import type { BatchResult, ScoredBeat } from '../../src/detect/process-batch';
import { EVAL_EPOCH, runRecordThroughDetector } from '../../src/evaluate/mitdb-product';
import { loadBeatModel } from '../../src/model/beat-model';
import { readWfdbRecord } from '../../src/ecg/wfdb-record';
import { simulateDevices } from '../../src/local/device-simulator';
import { startLocalPipeline, type LocalPipeline } from '../../src/local/local-pipeline';

const MODEL_TEXT = readFileSync(fileURLToPath(new URL('../../data/default-model/model.json', import.meta.url)), 'utf8');
const MITDB = fileURLToPath(new URL('../../data/mitdb', import.meta.url));
/** Seven minutes: the 5-minute learning period completes, then two minutes are scored against the profile. */
const SECONDS = 420;

const rec119 = readWfdbRecord(`${MITDB}/119`);
const signal = rec119.signals[0].samples.subarray(0, SECONDS * rec119.fs);
const view = (b: ScoredBeat) => [b.t, b.score, b.kind, b.phase];

describe('patient adaptation through the local stack', () => {
  let pipeline: LocalPipeline;
  const results: BatchResult[] = [];

  beforeAll(async () => {
    process.env.POWERTOOLS_METRICS_DISABLED = 'true';
    pipeline = await startLocalPipeline({
      resources: { shardCount: 1 },
      archiver: false,
      mapping: { batchSize: 100 },
      prepare: async ({ aws, resources }) => {
        const model = loadBeatModel(MODEL_TEXT);
        const { key, sha256 } = await putModelVersion(aws.s3, resources.bucket, model.version, MODEL_TEXT);
        await promoteModel(
          aws.s3,
          resources.bucket,
          { version: model.version, key, sha256, promotedAt: new Date(EVAL_EPOCH).toISOString() },
          null,
        );
      },
      handler: ({ aws, lambdaEnv }, { signal }) =>
        createDetectHandler({ env: lambdaEnv, aws, signal, logger: new Logger({ logLevel: 'SILENT' }), onBatch: (r) => results.push(r) }),
    });
  }, 60_000);

  afterAll(async () => {
    await pipeline?.stop();
    delete process.env.POWERTOOLS_METRICS_DISABLED;
  });

  it('record 119 streamed through the emulators and through eval mitdb gives the same beats, scores, kinds and alert ids', async () => {
    await simulateDevices({
      kinesis: pipeline.aws.kinesis,
      streamName: pipeline.resources.streamName,
      devices: [{ deviceId: '119', signal, fs: rec119.fs }],
      speed: 'max',
      startTime: EVAL_EPOCH,
      ticksPerRequest: 20,
    });
    await pipeline.drain(120_000);
    const live = results.flatMap((r) => r.beats);
    const liveAlerts = results.flatMap((r) => r.alerts.map((a) => a.id));

    const evaluated = await runRecordThroughDetector({ deviceId: '119', signal, fs: rec119.fs }, loadBeatModel(MODEL_TEXT));
    expect(live.length).toBeGreaterThan(400);
    expect(live.map(view)).toEqual(evaluated.beats.map(view));
    expect(liveAlerts).toEqual(evaluated.alerts.map((a) => a.id));
    expect(liveAlerts.length).toBeGreaterThan(0);
    // Learned after 5 minutes, and the profile is in S3 under devices/.
    expect(live.filter((b) => b.phase === 'learned').length).toBeGreaterThan(100);
    const stored = await createS3ProfileStore(pipeline.aws.s3, pipeline.resources.bucket).load('119');
    expect(stored).toEqual(evaluated.profile);
  }, 180_000);

  it('a fresh handler (state dropped mid-stream after learning) reloads the profile: no new learning period, no calibrating alerts', async () => {
    const env = { BUCKET_NAME: pipeline.resources.bucket, TOPIC_ARN: pipeline.resources.topicArn };
    const scratch = new Float32Array(512);
    const event = (from: number, to: number): KinesisStreamEvent => ({
      Records: Array.from({ length: to - from }, (_, i) => ({
        kinesis: {
          kinesisSchemaVersion: '1.0',
          partitionKey: 'restart-119',
          sequenceNumber: String(1e6 + from + i),
          data: Buffer.from(
            cutWireRecord({ deviceId: 'restart-119', signal, fs: rec119.fs }, from + i, EVAL_EPOCH, 1, scratch).text,
          ).toString('base64'),
          approximateArrivalTimestamp: EVAL_EPOCH / 1000,
        },
        eventSource: 'aws:kinesis',
        eventVersion: '1.0',
        eventID: `shardId-000000000000:${from + i}`,
        eventName: 'aws:kinesis:record',
        invokeIdentityArn: 'arn:aws:iam::000000000000:role/detect',
        awsRegion: 'us-east-1',
        eventSourceARN: 'arn:aws:kinesis:us-east-1:000000000000:stream/x',
      })),
    });
    const seen: BatchResult[] = [];
    const handler = () =>
      createDetectHandler({ env, aws: pipeline.aws, logger: new Logger({ logLevel: 'SILENT' }), onBatch: (r) => seen.push(r) });
    const first = handler();
    for (let from = 0; from < 320; from += 100) expect((await first(event(from, Math.min(320, from + 100)))).batchItemFailures).toEqual([]);
    expect(seen.reduce((n, r) => n + r.counts.profileSaves, 0)).toBe(1);

    // Cold start: a new handler, nothing in memory, the same bucket.
    seen.length = 0;
    const second = handler();
    const n = recordCount(signal.length, rec119.fs, 1);
    for (let from = 320; from < n; from += 100) expect((await second(event(from, Math.min(n, from + 100)))).batchItemFailures).toEqual([]);
    const beats = seen.flatMap((r) => r.beats);
    expect(beats.length).toBeGreaterThan(100);
    expect(beats.every((b) => b.phase === 'learned')).toBe(true);
    expect(seen[0].counts).toMatchObject({ profileLoads: 1, profilesFound: 1 });
    expect(seen.reduce((n2, r) => n2 + r.counts.profileSaves + r.counts.learningBeats, 0)).toBe(0);
    const alerts = seen.flatMap((r) => r.alerts);
    expect(alerts.length).toBeGreaterThan(0); // 119's bigeminy goes on
    expect(alerts.every((a) => a.calibrating === undefined)).toBe(true);
  }, 120_000);
});
