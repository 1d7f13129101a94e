import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
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
import { simulateDevices } from '../../src/local/device-simulator';
import { startLocalStack, type LocalStack } from '../../src/local/emulators';
import { startEventSourcePoller } from '../../src/local/event-source-poller';
import { provisionLocalResources, type LocalResources } from '../../src/local/provision';
import { redrive } from '../../src/local/redrive';

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
});
