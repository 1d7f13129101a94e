import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { PublishCommand } from '@aws-sdk/client-sns';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { KinesisStreamEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { DETECT_METRIC } from '../../src/contract/cloudwatch';
import { createDetectHandler } from '../../functions/detect';
import type { AwsClients } from '../../src/aws/clients';
import { encodeWireRecord } from '../../src/contract/wire';

const MODEL_TEXT = readFileSync(fileURLToPath(new URL('../../data/default-model/model.json', import.meta.url)), 'utf8');

/** S3 and SNS stand-ins at the SDK `send` level: objects in a map, publishes recorded. */
function fakeAws(objects: Map<string, string>) {
  const published: { Message?: string; MessageAttributes?: Record<string, { StringValue?: string }> }[] = [];
  const puts: string[] = [];
  const s3 = {
    async send(cmd: unknown) {
      if (cmd instanceof GetObjectCommand) {
        const text = objects.get(cmd.input.Key as string);
        if (text === undefined) throw Object.assign(new Error('NoSuchKey'), { name: 'NoSuchKey', $metadata: { httpStatusCode: 404 } });
        const etag = `"${createHash('md5').update(text).digest('hex')}"`;
        return { ETag: etag, Body: { transformToString: async () => text } };
      }
      if (cmd instanceof PutObjectCommand) {
        puts.push(cmd.input.Key as string);
        return { ETag: '"x"' };
      }
      throw new Error(`unexpected S3 command ${(cmd as object).constructor.name}`);
    },
  };
  const sns = {
    async send(cmd: unknown) {
      if (!(cmd instanceof PublishCommand)) throw new Error('unexpected SNS command');
      published.push(cmd.input);
      return { MessageId: String(published.length) };
    },
  };
  return { aws: { s3, sns } as unknown as AwsClients, published, puts };
}

function event(records: { data: string; seq: string }[]): KinesisStreamEvent {
  return {
    Records: records.map((r) => ({
      kinesis: {
        kinesisSchemaVersion: '1.0',
        partitionKey: 'p',
        sequenceNumber: r.seq,
        data: Buffer.from(r.data).toString('base64'),
        approximateArrivalTimestamp: 1_764_150_000,
      },
      eventSource: 'aws:kinesis',
      eventVersion: '1.0',
      eventID: `shardId-000000000000:${r.seq}`,
      eventName: 'aws:kinesis:record',
      invokeIdentityArn: 'arn:aws:iam::000000000000:role/x',
      awsRegion: 'us-east-1',
      eventSourceARN: 'arn:aws:kinesis:us-east-1:000000000000:stream/s',
    })),
  };
}

const env = { BUCKET_NAME: 'bucket', TOPIC_ARN: 'arn:aws:sns:us-east-1:000000000000:alerts' };
const quiet = () => ({
  logger: new Logger({ logLevel: 'SILENT' }),
  metrics: new Metrics({ namespace: 't', logger: { warn: () => {} } as unknown as Console }),
});
process.env.POWERTOOLS_METRICS_DISABLED = 'true';

describe('functions/detect handler', () => {
  it('with no model at all, reports every record failed (retried whole, never bisected) and counts NoModelBatches', async () => {
    const { aws } = fakeAws(new Map());
    const added: [string, number][] = [];
    const metrics = {
      addMetric: (name: string, _unit: unknown, value: number) => void added.push([name, value]),
      publishStoredMetrics: () => {},
    } as unknown as Metrics;
    const handler = createDetectHandler({ env, aws, logger: new Logger({ logLevel: 'SILENT' }), metrics });
    const response = await handler(
      event([
        { data: 'x', seq: '1' },
        { data: 'y', seq: '2' },
        { data: 'z', seq: '3' },
      ]),
    );
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: '1' }, { itemIdentifier: '2' }, { itemIdentifier: '3' }] });
    expect(added).toEqual([[DETECT_METRIC.noModelBatches, 1]]);
  });

  it('reads the model through the pointer, quarantines a poison record and reports no failures', async () => {
    const sha256 = createHash('sha256').update(MODEL_TEXT).digest('hex');
    const objects = new Map([
      ['models/v/model.json', MODEL_TEXT],
      ['models/current.json', JSON.stringify({ version: 'v', key: 'models/v/model.json', sha256, promotedAt: 'now' })],
    ]);
    const { aws, puts } = fakeAws(objects);
    const batches: number[] = [];
    const handler = createDetectHandler({ env, aws, ...quiet(), onBatch: (r) => batches.push(r.counts.records) });
    const good = encodeWireRecord({ deviceId: 'dev-1', seq: 0, t0: 1_764_150_000_000, fs: 360, samples: new Float32Array(360) });
    const response = await handler(
      event([
        { data: good, seq: '1' },
        { data: '{"v":3}', seq: '2' },
      ]),
    );
    expect(response).toEqual({ batchItemFailures: [] });
    expect(batches).toEqual([2]);
    expect(puts).toHaveLength(1);
    expect(puts[0]).toMatch(/^rejected\/\d{4}\/\d{2}\/\d{2}\//);
  });

  it('refuses to start without its configuration, naming the variable', async () => {
    const { aws } = fakeAws(new Map());
    await expect(createDetectHandler({ env: {}, aws, ...quiet() })(event([]))).rejects.toThrow(/BUCKET_NAME is required/);
  });
});
