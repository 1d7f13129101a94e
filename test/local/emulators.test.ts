import { GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand, PutRecordCommand } from '@aws-sdk/client-kinesis';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { PublishCommand } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients, type AwsClients } from '../../src/aws/clients';
import { startLocalStack, type LocalStack } from '../../src/local/emulators';
import { provisionLocalResources, type LocalResources } from '../../src/local/provision';
import { liveServiceCount } from '../../src/local/service-process';
import { receiveSnsNotifications } from '../../src/local/sns-subscriber';

describe('local stack (kinesis-local + fauxqs) through the real SDK clients', () => {
  let stack: LocalStack;
  let aws: AwsClients;
  let res: LocalResources;

  beforeAll(async () => {
    stack = await startLocalStack();
    aws = createAwsClients({ endpoint: stack.endpoints, region: stack.region });
    res = await provisionLocalResources(aws, { shardCount: 2 });
  });

  afterAll(async () => {
    aws?.destroy();
    await stack?.stop();
  });

  it('binds loopback ports that differ between services and provisions every resource', () => {
    for (const url of Object.values(stack.endpoints)) expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(stack.endpoints.kinesis).not.toBe(stack.endpoints.s3);
    expect(res.streamArn).toMatch(/^arn:aws:kinesis:us-east-1:\d{12}:stream\/beatwatch-ecg$/);
    expect(res.topicArn).toMatch(/^arn:aws:sns:/);
    expect(res.failureQueueArn).toMatch(/^arn:aws:sqs:/);
  });

  it('round-trips a Kinesis record', async () => {
    const put = await aws.kinesis.send(
      new PutRecordCommand({ StreamName: res.streamName, PartitionKey: 'dev-1', Data: Buffer.from('hello') }),
    );
    const { Shards = [] } = await aws.kinesis.send(new ListShardsCommand({ StreamName: res.streamName }));
    expect(Shards).toHaveLength(2);
    const { ShardIterator } = await aws.kinesis.send(
      new GetShardIteratorCommand({ StreamName: res.streamName, ShardId: put.ShardId, ShardIteratorType: 'TRIM_HORIZON' }),
    );
    const got = await aws.kinesis.send(new GetRecordsCommand({ ShardIterator }));
    expect(got.Records?.map((r) => Buffer.from(r.Data ?? []).toString())).toEqual(['hello']);
  });

  it('stores S3 objects byte-exact (no aws-chunked framing) and keeps ContentEncoding', async () => {
    const body = Buffer.from([0x1f, 0x8b, 0, 1, 2, 3, 255]);
    await aws.s3.send(new PutObjectCommand({ Bucket: res.bucket, Key: 'x/y.gz', Body: body, ContentEncoding: 'gzip' }));
    const got = await aws.s3.send(new GetObjectCommand({ Bucket: res.bucket, Key: 'x/y.gz' }));
    expect(Buffer.from(await got.Body!.transformToByteArray())).toEqual(body);
    expect(got.ContentEncoding).toBe('gzip');
  });

  it('delivers an SNS publish with attributes to the subscribed queue', async () => {
    await aws.sns.send(
      new PublishCommand({
        TopicArn: res.topicArn,
        Message: '{"type":"test"}',
        MessageAttributes: { severity: { DataType: 'String', StringValue: 'warning' } },
      }),
    );
    const got = await receiveSnsNotifications(aws.sqs, res.alertQueueUrl, 2);
    expect(got).toHaveLength(1);
    expect(got[0].message).toBe('{"type":"test"}');
    expect(got[0].attributes).toEqual({ severity: 'warning' });
  });

  it('a second stack runs beside the first on other ports, and stop() ends its children', async () => {
    const before = liveServiceCount();
    const other = await startLocalStack();
    expect(other.endpoints.kinesis).not.toBe(stack.endpoints.kinesis);
    expect(other.endpoints.s3).not.toBe(stack.endpoints.s3);
    expect(liveServiceCount()).toBe(before + 2);
    await other.stop();
    expect(liveServiceCount()).toBe(before);
    await expect(fetch(other.endpoints.s3 + '/health')).rejects.toThrow();
  });
});

describe('createAwsClients', () => {
  it('honours AWS_ENDPOINT_URL_* and gives emulator settings only to services with an endpoint', async () => {
    const aws = createAwsClients({ env: { AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:1', AWS_REGION: 'eu-west-1' } });
    expect(aws.endpoints).toEqual({ s3: 'http://127.0.0.1:1' });
    expect(aws.region).toBe('eu-west-1');
    expect(await aws.s3.config.forcePathStyle).toBe(true);
    expect(await aws.sns.config.region()).toBe('eu-west-1');
    aws.destroy();
    const local = createAwsClients({ endpoint: 'http://127.0.0.1:2', env: {} });
    expect(local.region).toBe('us-east-1');
    expect((await local.kinesis.config.credentials()).accessKeyId).toBe('beatwatch-local');
    local.destroy();
  });
});
