import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DeleteStreamCommand } from '@aws-sdk/client-kinesis';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDetectHandler } from '../../functions/detect';
import { createAwsClients, type AwsClients } from '../../src/aws/clients';
import { seedModel } from '../../src/aws/model-store';
import type { AnyAlertMessage } from '../../src/detect/ports';
import type { BatchResult } from '../../src/detect/process-batch';
import { readWfdbRecord } from '../../src/ecg/wfdb-record';
import { startArchiver } from '../../src/local/archiver';
import { simulateDevices } from '../../src/local/device-simulator';
import { startLocalStack, type LocalStack } from '../../src/local/emulators';
import { startEventSourcePoller } from '../../src/local/event-source-poller';
import { provisionLocalResources, type LocalResources } from '../../src/local/provision';
import { redrive } from '../../src/local/redrive';
import { receiveSnsNotifications } from '../../src/local/sns-subscriber';

const MODEL_TEXT = readFileSync(fileURLToPath(new URL('../../data/default-model/model.json', import.meta.url)), 'utf8');
const MITDB = fileURLToPath(new URL('../../data/mitdb', import.meta.url));
const START = Date.UTC(2026, 10, 26, 12, 0, 0);
const SECONDS = 90;

describe('beatwatch redrive against the local emulators', () => {
  let stack: LocalStack;
  let aws: AwsClients;
  let res: LocalResources;

  beforeAll(async () => {
    stack = await startLocalStack();
    aws = createAwsClients({ endpoint: stack.endpoints, region: stack.region });
    res = await provisionLocalResources(aws, { shardCount: 1 });
    await seedModel(aws.s3, res.bucket, MODEL_TEXT, { promotedAt: new Date(START) });
  });

  afterAll(async () => {
    aws?.destroy();
    await stack?.stop();
  });

  it('SNS down past the retry budget: the batches go to the failure queue, redrive recovers every record, no alert is sent twice', async () => {
    const rec = readWfdbRecord(`${MITDB}/119`);
    const devices = [{ deviceId: 'dev-redrive-119', signal: rec.signals[0].samples.subarray(0, SECONDS * rec.fs), fs: rec.fs }];
    process.env.POWERTOOLS_METRICS_DISABLED = 'true';
    const published: AnyAlertMessage[] = [];
    let snsDown = true;
    const handlerOf = (onBatch?: (r: BatchResult) => void) =>
      createDetectHandler({
        env: { BUCKET_NAME: res.bucket, TOPIC_ARN: res.topicArn, LEARNING_SECONDS: '20' },
        aws,
        logger: new Logger({ logLevel: 'SILENT' }),
        metrics: new Metrics({ namespace: 'beatwatch-test', logger: { warn: () => {} } as unknown as Console }),
        wrapSinks: (sinks) => ({
          ...sinks,
          publishAlert: async (m) => {
            if (snsDown) throw new Error('injected SNS outage');
            await sinks.publishAlert(m);
            published.push(m);
          },
        }),
        ...(onBatch ? { onBatch } : {}),
      });
    // Every record is in the stream before the mapping starts, so its batches (10 records from
    // TRIM_HORIZON) and what is discarded do not depend on timing.
    await simulateDevices({ kinesis: aws.kinesis, streamName: res.streamName, devices, speed: 'max', startTime: START });
    const live: BatchResult[] = [];
    const poller = await startEventSourcePoller({
      kinesis: aws.kinesis,
      streamName: res.streamName,
      handler: handlerOf((r) => live.push(r)),
      batchSize: 10,
      maximumRetryAttempts: 1,
      retryBackoffMs: 10,
      onFailure: { sqs: aws.sqs, queueUrl: res.failureQueueUrl },
    });
    try {
      await poller.drain(60_000);
    } finally {
      await poller.stop();
    }
    const discarded = poller.stats.recordsDiscarded;
    expect(discarded).toBeGreaterThan(0);
    expect(poller.stats.onFailureMessages).toBeGreaterThan(0);
    expect(published).toEqual([]);

    // SNS is back: the operator re-drives the failure queue through a fresh detect handler.
    snsDown = false;
    const report = await redrive({
      sqs: aws.sqs,
      kinesis: aws.kinesis,
      queueUrl: res.failureQueueUrl,
      handler: handlerOf(),
      batchSize: 10,
    });
    expect(report.messages).toBe(poller.stats.onFailureMessages);
    expect(report.recordsExpected).toBe(discarded);
    expect(report.recordsRecovered).toBe(discarded);
    expect(report.ranges.every((r) => r.outcome === 'recovered')).toBe(true);
    expect(report.deleted).toBe(report.messages);
    expect(published.length).toBeGreaterThan(0);
    const ids = published.map((m) => m.id);
    expect(new Set(ids).size).toBe(ids.length);

    // The queue is empty, and a second run recovers nothing and sends nothing.
    const attrs = await aws.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: res.failureQueueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
    );
    expect(attrs.Attributes?.ApproximateNumberOfMessages).toBe('0');
    const again = await redrive({ sqs: aws.sqs, kinesis: aws.kinesis, queueUrl: res.failureQueueUrl, handler: handlerOf() });
    expect(again.messages).toBe(0);
    expect(published.map((m) => m.id)).toEqual(ids);
  }, 180_000);

  it('the stream no longer has the ranges: redrive reads them from history/, recovers every record, and sends no alert twice', async () => {
    // Own stream, topic and queues, so the alerts received are this test's only.
    const r2 = await provisionLocalResources(aws, {
      streamName: 'redrive-history',
      shardCount: 1,
      topicName: 'redrive-history-alerts',
      alertQueueName: 'redrive-history-pager',
      failureQueueName: 'redrive-history-failures',
    });
    // 201 opens in atrial fibrillation: its AFIB onset (a true one) is an alert the refused device
    // must get back. 119's first 90 s, used before, raise no alert at all with these settings.
    const rec = readWfdbRecord(`${MITDB}/201`);
    const signal = rec.signals[0].samples.subarray(0, SECONDS * rec.fs);
    // Two devices with the same signal: SNS refuses the alerts of `down` only, `up` goes through
    // live, so `up` is what `down` must end up with, and its alerts went out before the discard.
    const down = 'dev-history-down';
    const up = 'dev-history-up';
    process.env.POWERTOOLS_METRICS_DISABLED = 'true';
    const detectOptions = {
      // No patient adaptation: `down` saves its learned profile before its first alert fails, so
      // the re-drive would judge its first 20 s as learned (by design: profiles persist), and
      // which beats alert would differ from its twin's for that reason only.
      env: { BUCKET_NAME: res.bucket, TOPIC_ARN: r2.topicArn, ADAPTATION: 'off' },
      aws,
      logger: new Logger({ logLevel: 'SILENT' }),
      metrics: new Metrics({ namespace: 'beatwatch-test', logger: { warn: () => {} } as unknown as Console }),
    };
    await simulateDevices({
      kinesis: aws.kinesis,
      streamName: r2.streamName,
      devices: [down, up].map((deviceId) => ({ deviceId, signal, fs: rec.fs })),
      speed: 'max',
      startTime: START,
    });
    // Firehose's part: every record archived to history/.
    const archiver = await startArchiver({ kinesis: aws.kinesis, s3: aws.s3, streamName: r2.streamName, bucket: res.bucket });
    await archiver.drain(60_000);
    await archiver.stop();
    expect(archiver.stats.recordsArchived).toBe(2 * SECONDS);

    const poller = await startEventSourcePoller({
      kinesis: aws.kinesis,
      streamName: r2.streamName,
      createHandler: ({ signal: ended }) =>
        createDetectHandler({
          ...detectOptions,
          signal: ended,
          wrapSinks: (sinks) => ({
            ...sinks,
            publishAlert: async (m) => {
              if (m.deviceId === down) throw new Error('injected SNS outage for one device');
              await sinks.publishAlert(m);
            },
          }),
        }),
      batchSize: 10,
      maximumRetryAttempts: 1,
      retryBackoffMs: 10,
      onFailure: { sqs: aws.sqs, queueUrl: r2.failureQueueUrl },
    });
    try {
      await poller.drain(60_000);
    } finally {
      await poller.stop();
    }
    const discarded = poller.stats.recordsDiscarded;
    expect(discarded).toBeGreaterThan(0);

    // Past the stream's retention: the records are gone from it, only history/ has them.
    await aws.kinesis.send(new DeleteStreamCommand({ StreamName: r2.streamName }));

    const ids: string[] = [];
    const received = async () => {
      for (let quiet = 0; quiet < 2;) {
        const got = await receiveSnsNotifications(aws.sqs, r2.alertQueueUrl, 1);
        if (got.length === 0) quiet++;
        else quiet = 0;
        for (const n of got) ids.push((JSON.parse(n.message) as AnyAlertMessage).id);
      }
    };
    await received();
    const live = ids.length;
    expect(live).toBeGreaterThan(0);
    expect(ids.every((id) => id.startsWith(`${up}:`))).toBe(true);

    // The operator re-drives (twice, the first time keeping the messages): as the CLI does it.
    const run = async (deleteHandled: boolean) => {
      let skipped = 0;
      const report = await redrive({
        sqs: aws.sqs,
        kinesis: aws.kinesis,
        queueUrl: r2.failureQueueUrl,
        history: { s3: aws.s3, bucket: res.bucket },
        handler: createDetectHandler({ ...detectOptions, skipSentAlerts: true, onAlreadySent: () => skipped++ }),
        batchSize: 10,
        deleteHandled,
      });
      await received();
      return { report, skipped };
    };
    const first = await run(false);
    expect(first.report.ranges.map((r) => [r.source, r.outcome])).toEqual(first.report.ranges.map(() => ['history', 'recovered']));
    expect(first.report.recordsExpected).toBe(discarded);
    expect(first.report.recordsRecovered).toBe(discarded);
    expect(first.report.historyRecords).toBeGreaterThanOrEqual(discarded);
    // Nothing lost: the device whose alerts SNS refused now has exactly the alerts of its twin,
    // and the twin's, re-raised from history, were not sent again.
    const alertsOf = (device: string) =>
      ids
        .filter((id) => id.startsWith(`${device}:`))
        .map((id) => id.slice(device.length))
        .sort();
    expect(alertsOf(down)).toEqual(alertsOf(up));
    expect(first.skipped).toBe(live);
    expect(new Set(ids).size).toBe(ids.length);

    // Again, on the same messages: every alert is skipped, nothing goes out; the messages are deleted.
    const sentBefore = ids.length;
    const second = await run(true);
    expect(second.report.recordsRecovered).toBe(discarded);
    expect(second.skipped).toBe(sentBefore);
    expect(ids).toHaveLength(sentBefore);
    expect(second.report.deleted).toBe(second.report.messages);
    expect((await run(true)).report.messages).toBe(0);
  }, 240_000);
});
