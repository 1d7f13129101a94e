/**
 * Issue 5's acceptance test, against the emulators: records streamed through the local pipeline
 * (event source poller + the real detect handler + the Firehose-like archiver), the retrain
 * handler run on the archived history, the new version promoted, the detector switching to it
 * within its revalidation interval, and alerts carrying the new `modelVersion`.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDetectHandler } from '../../functions/detect';
import { createRetrainHandler } from '../../functions/retrain';
import { promoteModel, putModelVersion, readModelPointer } from '../../src/aws/model-store';
import type { AlertMessage } from '../../src/detect/ports';
import { ecgSimulate } from '../../src/ecg/ecg-simulate';
import { simulateDevices, type SimulatedDevice } from '../../src/local/device-simulator';
import { startLocalPipeline, type LocalPipeline } from '../../src/local/local-pipeline';
import { receiveSnsNotifications } from '../../src/local/sns-subscriber';
import { pvcs, TEST_FS, trainTestChampion } from '../retrain/fixtures';

/** The detector re-reads the pointer this often here (60 s in production). */
const REVALIDATE_MS = 300;
const quietLogger = () => new Logger({ logLevel: 'SILENT' });
const quietMetrics = () => new Metrics({ namespace: 'beatwatch-test', logger: { warn: () => {} } as unknown as Console });

const PHASE_1 = 'dev-before-';
const PHASE_2 = 'dev-after-';

/** Simulated devices `<prefix><i>`, PVCs every `pvcEvery(i)` seconds. */
function devices(prefix: string, count: number, seconds: number, pvcEvery: (i: number) => number): SimulatedDevice[] {
  const seedBase = prefix === PHASE_1 ? 40 : 90;
  return Array.from({ length: count }, (_, i) => ({
    deviceId: `${prefix}${i}`,
    fs: TEST_FS,
    signal: ecgSimulate({ fs: TEST_FS, seconds, seed: seedBase + i, heartRate: 62 + 3 * i, anomalies: pvcs(seconds, pvcEvery(i)) }).signal,
  }));
}

async function collectAlerts(pipeline: LocalPipeline, into: AlertMessage[]): Promise<void> {
  for (let empty = 0; empty < 2;) {
    const batch = await receiveSnsNotifications(pipeline.aws.sqs, pipeline.resources.alertQueueUrl, 1);
    if (batch.length === 0) empty++;
    for (const n of batch) into.push(JSON.parse(n.message) as AlertMessage);
  }
}

describe('retraining in the local pipeline', () => {
  let pipeline: LocalPipeline;
  let champion: Awaited<ReturnType<typeof trainTestChampion>>;

  beforeAll(async () => {
    champion = await trainTestChampion();
    pipeline = await startLocalPipeline({
      // One shard: in AWS every concurrent invocation has its own environment and model cache;
      // locally one handler serves every shard, so one shard keeps that one-at-a-time picture.
      resources: { shardCount: 1 },
      archiver: { bufferIntervalMs: 300 },
      mapping: { batchSize: 100 },
      prepare: async (ctx) => {
        const { key, sha256 } = await putModelVersion(ctx.aws.s3, ctx.resources.bucket, champion.version, champion.text);
        await promoteModel(
          ctx.aws.s3,
          ctx.resources.bucket,
          { version: champion.version, key, sha256, promotedAt: new Date().toISOString() },
          null,
        );
      },
      handler: (ctx, { signal }) =>
        createDetectHandler({
          signal,
          // No patient adaptation: this test is about the model switch, and its 40 s devices would
          // spend every beat in a learning period (warnings held).
          env: { ...ctx.lambdaEnv, MODEL_REVALIDATE_MS: String(REVALIDATE_MS), ADAPTATION: 'off' },
          aws: ctx.aws,
          logger: quietLogger(),
          metrics: quietMetrics(),
        }),
    });
  }, 120_000);

  afterAll(async () => {
    await pipeline?.stop();
  });

  it('streams, archives, retrains, promotes; the detector switches and alerts carry the new version', async () => {
    const { aws, resources } = pipeline;
    const start = Date.now() - 600_000;
    // Phase 1: eight devices, 120 s each, occasional PVCs; the detector runs the champion.
    await simulateDevices({
      kinesis: aws.kinesis,
      streamName: resources.streamName,
      devices: devices(PHASE_1, 8, 120, (i) => 6 + i),
      speed: 'max',
      startTime: start,
      ticksPerRequest: 5,
    });
    await pipeline.drain(60_000);
    const before: AlertMessage[] = [];
    await collectAlerts(pipeline, before);
    expect(new Set(before.map((a) => a.modelVersion))).toEqual(new Set([champion.version]));

    // The scheduled retrain, with the Lambda's remaining time as its budget.
    const context = { getRemainingTimeInMillis: () => 60_000 } as unknown as Context;
    const retrain = createRetrainHandler({
      env: { ...pipeline.lambdaEnv, RETRAIN_HISTORY_DAYS: '1', RETRAIN_SAFETY_MARGIN_SECONDS: '30', EPOCHS: '3' },
      aws,
      logger: quietLogger(),
      metrics: quietMetrics(),
    });
    const result = await retrain({}, context);
    expect(result.timeBudgetMs).toBe(30_000);
    expect(result.history.records).toBe(960);
    expect(result.decision).toBe('promoted');
    expect(result.fromVersion).toBe(champion.version);
    const pointer = JSON.parse((await readModelPointer(aws.s3, resources.bucket))!.text);
    expect(pointer.version).toBe(result.toVersion);

    // Phase 2, after one revalidation interval: frequent PVCs raise alerts, scored by the new model.
    await new Promise((r) => setTimeout(r, REVALIDATE_MS + 100));
    await simulateDevices({
      kinesis: aws.kinesis,
      streamName: resources.streamName,
      devices: devices(PHASE_2, 3, 40, () => 2.5),
      speed: 'max',
      startTime: start + 200_000,
      ticksPerRequest: 5,
    });
    await pipeline.drain(60_000);
    const after: AlertMessage[] = [];
    await collectAlerts(pipeline, after);
    const versions = (alerts: AlertMessage[], phase: string) =>
      alerts.filter((a) => a.deviceId.startsWith(phase)).map((a) => a.modelVersion);
    // Every alert on the second phase's devices comes from the new model; any late delivery of
    // a first-phase alert still names the champion.
    expect(versions(after, PHASE_2).length).toBeGreaterThan(0);
    expect(new Set(versions(after, PHASE_2))).toEqual(new Set([result.toVersion]));
    expect(versions(after, PHASE_1).every((v) => v === champion.version)).toBe(true);
  }, 180_000);
});
