import { PublishCommand } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients } from '../../src/aws/clients';
import { readHistory } from '../../src/aws/history-reader';
import { decodeWireRecord } from '../../src/contract/wire';
import { ecgSimulate } from '../../src/ecg/ecg-simulate';
import { pseudonymousDeviceId, simulateDevices } from '../../src/local/device-simulator';
import { startLocalPipeline, type LocalPipeline } from '../../src/local/local-pipeline';
import { liveServiceCount } from '../../src/local/service-process';
import { receiveSnsNotifications } from '../../src/local/sns-subscriber';

describe('local pipeline (emulators + poller + archiver) with a handler configured like the Lambda', () => {
  let pipeline: LocalPipeline;
  const environments: string[] = [];
  const seen = new Map<string, number[]>();
  let prepared = false;

  beforeAll(async () => {
    pipeline = await startLocalPipeline({
      resources: { shardCount: 2 },
      archiver: { bufferIntervalMs: 60_000, pollIntervalMs: 20 },
      mapping: { pollIntervalMs: 20 },
      prepare: async () => {
        prepared = true;
      },
      // A stand-in handler: it reaches SNS only through the Lambda environment it is given, with
      // clients of its own execution environment, closed when that environment ends.
      handler: ({ lambdaEnv }, environment) => {
        environments.push(environment.id);
        const handlerAws = createAwsClients({ env: lambdaEnv });
        environment.signal.addEventListener('abort', () => handlerAws.destroy(), { once: true });
        return async (event) => {
          for (const r of event.Records) {
            const d = decodeWireRecord(Buffer.from(r.kinesis.data, 'base64'));
            if (!d.ok) continue;
            seen.set(d.record.deviceId, [...(seen.get(d.record.deviceId) ?? []), d.record.seq]);
          }
          await handlerAws.sns.send(new PublishCommand({ TopicArn: lambdaEnv.TOPIC_ARN, Message: `batch of ${event.Records.length}` }));
        };
      },
    });
  });

  afterAll(async () => {
    await pipeline?.stop();
  });

  it('carries device records through the handler and into history', async () => {
    expect(prepared).toBe(true);
    const devices = [1, 2, 3].map((i) => ({
      deviceId: pseudonymousDeviceId(`p${i}`),
      signal: ecgSimulate({ fs: 250, seconds: 8, seed: i }).signal,
      fs: 250,
    }));
    const stats = await simulateDevices({
      kinesis: pipeline.aws.kinesis,
      streamName: pipeline.resources.streamName,
      devices,
      speed: 'max',
    });
    expect(stats.records).toBe(24);
    await pipeline.drain();
    for (const d of devices) expect(seen.get(d.deviceId)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(pipeline.poller.stats).toMatchObject({ recordsSucceeded: 24, recordsDiscarded: 0 });
    // One execution environment per shard that had records, started on its first batch, never replaced.
    expect(environments.length).toBeGreaterThan(0);
    expect(new Set(environments).size).toBe(environments.length);
    for (const id of environments) expect(pipeline.poller.shardIds.map((shard) => `${shard}#1`)).toContain(id);
    const notes = await receiveSnsNotifications(pipeline.aws.sqs, pipeline.resources.alertQueueUrl, 2);
    expect(notes.length).toBeGreaterThan(0);
    const { records, stats: h } = readHistory(pipeline.aws.s3, pipeline.resources.bucket, { days: 1 });
    let archived = 0;
    for await (const _ of records) archived++;
    expect(archived).toBe(24);
    expect(h.malformedObjects).toBe(0);
  });

  it('stop() ends the emulators it started', async () => {
    const before = liveServiceCount();
    await pipeline.stop();
    expect(liveServiceCount()).toBe(before - 2);
    await expect(fetch(`${pipeline.stack.endpoints.s3}/health`)).rejects.toThrow();
  });
});
