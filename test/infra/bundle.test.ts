// The one infra test that bundles for real: each Lambda's esbuild output must load in plain Node
// and do its job against the local emulators, with the environment the stack gives it, and stay
// under 5 MB.
import { GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients, type AwsClients } from '../../src/aws/clients';
import { putHistoryObject } from '../../src/aws/history-writer';
import { encodeWireRecord } from '../../src/contract/wire';
import { loadMitdbRecord } from '../../src/ecg/mitdb';
import { startLocalStack, type LocalStack } from '../../src/local/emulators';
import { createAlertStateTable, createDynamoClient } from '../../src/aws/alert-state-store';
import { LOCAL_ALERT_TABLE } from '../../src/contract/lambda-env';
import { toKinesisEventRecord } from '../../src/local/lambda-event';
import { provisionLocalResources, type LocalResources } from '../../src/local/provision';
import { DETECT_SERVICE_NAME, METRICS_NAMESPACE } from '../../infra/constructs/detection';
import { DETECT_METRICS, RETRAIN_SERVICE_NAME } from '../../infra/constructs/monitoring';
import { synthWithBundles, type BundledAssembly } from '../../infra/bundled-assembly';
import { recordedTableArn, startRecorder, type Recorder } from './aws-request-recorder';
import { DynamoPresenceStore } from '../../src/aws/presence-store';
import { invokeBundle, localEnvironment } from './bundles';
import { deniedCalls, isAllowed, roleStatements, type LocalValues } from './policy-evaluator';

/** The bound on each bundle (Lambda's own limit for a zip upload is 50 MB). */
const MAX_BUNDLE_BYTES = 5 * 1024 * 1024;
/** Seconds of MIT-BIH record 208 streamed through the detect bundle (1 s records). */
const STREAMED_SECONDS = 30;
/** History given to the retrain bundle: devices x seconds of record 100 (mostly normal beats). */
const HISTORY_DEVICES = 2;
const HISTORY_SECONDS = 300;
/**
 * The retrain run's budget and epochs. Zero epochs: the challenger is the seeded model itself
 * (warm start), so the comparison finds it exactly as good and the decision is certain
 * (promoted: not worse). The budget is generous so a loaded machine cannot cut the history short;
 * without training the run takes seconds.
 */
const RETRAIN_TEST_BUDGET_MS = 60_000;
const RETRAIN_TEST_EPOCHS = 0;

let bundled: BundledAssembly;
let local: LocalStack;
let aws: AwsClients;
let resources: LocalResources;
let cfn: Server;
let cfnUrl: string;
const cfnResponses: Array<Record<string, unknown>> = [];
let endpointEnv: Record<string, string>;
let recorder: Recorder;
let dynamoRecorder: Recorder;
/** Account of the emulated environment (kinesis-local's default). */
const LOCAL_ACCOUNT = '000000000000';

beforeAll(async () => {
  // With CloudFormation validation: the template tests skip it for speed, this synth does not.
  bundled = synthWithBundles({ validate: true });
  local = await startLocalStack();
  aws = createAwsClients({ endpoint: local.endpoints, region: local.region });
  resources = await provisionLocalResources(aws, { shardCount: 1 });
  // The alert state table, in dynalite, under the name the stack's reference resolves to locally.
  const dynamo = createDynamoClient({ endpoint: local.endpoints.dynamodb, region: local.region, env: {} });
  await createAlertStateTable(dynamo, LOCAL_ALERT_TABLE);
  dynamo.destroy();
  // The bundles reach S3 and SNS through a recorder, so each call can be checked against the
  // function's IAM policy from the template (the emulators enforce no IAM).
  recorder = await startRecorder(local.endpoints.s3);
  dynamoRecorder = await startRecorder(local.endpoints.dynamodb);
  endpointEnv = {
    AWS_REGION: local.region,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_S3: recorder.endpoint,
    AWS_ENDPOINT_URL_SNS: recorder.endpoint,
    AWS_ENDPOINT_URL_SQS: local.endpoints.sqs,
    AWS_ENDPOINT_URL_KINESIS: local.endpoints.kinesis,
    AWS_ENDPOINT_URL_DYNAMODB: dynamoRecorder.endpoint,
  };
  cfn = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      cfnResponses.push(JSON.parse(body));
      res.end();
    });
  });
  await new Promise<void>((resolve) => cfn.listen(0, '127.0.0.1', resolve));
  cfnUrl = `http://127.0.0.1:${(cfn.address() as AddressInfo).port}/cfn`;
}, 180_000);

afterAll(async () => {
  await recorder?.stop();
  await dynamoRecorder?.stop();
  aws?.destroy();
  await local?.stop();
  if (bundled !== undefined) rmSync(bundled.assemblyDir, { recursive: true, force: true });
  if (cfn !== undefined) await new Promise((resolve) => cfn.close(resolve));
});

/** Local values for the stack's references in a function's environment. */
function localRefs(): Record<string, string> {
  return {
    [bundled.logicalId(bundled.stack.storage.bucket)]: resources.bucket,
    [bundled.logicalId(bundled.stack.alerting.topic)]: resources.topicArn,
    [bundled.logicalId(bundled.stack.console.table)]: LOCAL_ALERT_TABLE,
  };
}

/** Local values of every reference in the template: the real bucket and topic, inert ARNs otherwise. */
function localValues(): LocalValues {
  const refs: Record<string, string> = {};
  const arns: Record<string, string> = {};
  for (const id of Object.keys(bundled.template.Resources)) {
    refs[id] = `local-${id}`;
    arns[id] = `arn:local:${id}`;
  }
  Object.assign(refs, localRefs());
  arns[bundled.logicalId(bundled.stack.storage.bucket)] = `arn:aws:s3:::${resources.bucket}`;
  arns[bundled.logicalId(bundled.stack.console.table)] = recordedTableArn(LOCAL_ALERT_TABLE);
  return { refs, arns, account: LOCAL_ACCOUNT, region: local.region };
}

/** The S3/SNS/DynamoDB calls a bundle made since the last check, each of which its role must allow. */
function expectCallsAllowed(role: { node: { defaultChild?: unknown } }, expected: RegExp[]): string[] {
  const calls = [...recorder.calls.splice(0), ...dynamoRecorder.calls.splice(0)];
  const statements = roleStatements(bundled.template, bundled.logicalId(role), localValues());
  expect(deniedCalls(statements, calls)).toEqual([]);
  const seen = calls.map((c) => `${c.action} ${c.resource}`);
  for (const pattern of expected)
    expect(
      seen.some((c) => pattern.test(c)),
      `${pattern} in ${seen.join(', ')}`,
    ).toBe(true);
  return seen;
}

async function listKeys(prefix: string): Promise<string[]> {
  const out = await aws.s3.send(new ListObjectsV2Command({ Bucket: resources.bucket, Prefix: prefix }));
  return (out.Contents ?? []).map((o) => o.Key!).sort();
}

describe('bundles', () => {
  it('are single ESM files (plus source map), each under 5 MB', () => {
    const sizes: Record<string, unknown> = {};
    for (const [name, bundle] of Object.entries({
      detect: bundled.detect,
      retrain: bundled.retrain,
      seed: bundled.seed,
      sweep: bundled.sweep,
    })) {
      expect(Object.keys(bundle.files).sort(), name).toEqual(['index.mjs', 'index.mjs.map']);
      expect(bundle.totalBytes, name).toBeLessThan(MAX_BUNDLE_BYTES);
      sizes[name] = { indexMjs: bundle.files['index.mjs'], withSourceMap: bundle.totalBytes };
    }
    console.log(`bundle sizes (bytes): ${JSON.stringify(sizes)}`);
  });

  it('keep brain.js and TensorFlow.js out of the Lambdas', () => {
    for (const bundle of [bundled.detect, bundled.retrain]) {
      const map = JSON.parse(readFileSync(`${bundle.entry}.map`, 'utf8')) as { sources: string[] };
      expect(map.sources.filter((s) => /brain\.js|@tensorflow|gpu\.js/.test(s))).toEqual([]);
    }
  });
});

describe('seed bundle (custom resource) in plain Node', () => {
  it('copies the default model from its asset and writes models/current.json', async () => {
    const resource = bundled.template.Resources[bundled.logicalId(bundled.stack.defaultModel.resource)].Properties as {
      ModelsPrefix: string;
      PointerKey: string;
      Model: { Key: string };
      Report: { Key: string };
    };
    // Plays `cdk deploy`'s asset upload: the same file assets, into a local "bootstrap" bucket.
    const assetBucket = `cdk-hnb659fds-assets-${LOCAL_ACCOUNT}-${local.region}`;
    await aws.s3.send(new CreateBucketCommand({ Bucket: assetBucket }));
    for (const key of [resource.Model.Key, resource.Report.Key]) {
      await aws.s3.send(new PutObjectCommand({ Bucket: assetBucket, Key: key, Body: readFileSync(bundled.fileAsset(key)) }));
    }
    const event = {
      RequestType: 'Create',
      ResponseURL: cfnUrl,
      StackId: 'stack/Beatwatch',
      RequestId: 'r1',
      LogicalResourceId: 'DefaultModel',
      ResourceProperties: {
        BucketName: resources.bucket,
        ModelsPrefix: resource.ModelsPrefix,
        PointerKey: resource.PointerKey,
        Model: { Bucket: assetBucket, Key: resource.Model.Key },
        Report: { Bucket: assetBucket, Key: resource.Report.Key },
      },
    };
    const run = await invokeBundle(bundled.seed, event, { ...endpointEnv, ...localEnvironment(bundled.seed.environment, localRefs()) });
    expect(run.error).toBeUndefined();
    expect(cfnResponses.at(-1)).toMatchObject({ Status: 'SUCCESS' });
    expectCallsAllowed(bundled.stack.defaultModel.function.role, [
      /^s3:GetObject arn:aws:s3:::cdk-hnb659fds-assets-/,
      /^s3:PutObject .*\/models\/current\.json$/,
    ]);
    const pointer = JSON.parse(
      await (await aws.s3.send(new GetObjectCommand({ Bucket: resources.bucket, Key: 'models/current.json' }))).Body!.transformToString(),
    );
    const shipped = JSON.parse(readFileSync(bundled.fileAsset(resource.Model.Key), 'utf8')) as { version: string };
    expect(pointer).toMatchObject({ version: shipped.version, key: `models/${shipped.version}/model.json` });
  });
});

describe('detect bundle in plain Node', () => {
  it('scores records read from the emulated stream, quarantines a malformed one, reports no failures', async () => {
    const record = loadMitdbRecord(fileURLToPath(new URL('../../data/mitdb', import.meta.url)), '208');
    const t0 = Date.UTC(2026, 10, 26, 12);
    const entries = [];
    for (let s = 0; s < STREAMED_SECONDS; s++) {
      const samples = record.signal.subarray(s * record.fs, (s + 1) * record.fs);
      entries.push({
        PartitionKey: 'bundle-208',
        Data: Buffer.from(encodeWireRecord({ deviceId: 'bundle-208', seq: s, t0: t0 + s * 1000, fs: record.fs, samples })),
      });
    }
    entries.push({
      PartitionKey: 'bundle-bad',
      Data: Buffer.from('{"v":1,"deviceId":"bundle-bad","seq":0,"t0":1,"fs":360,"unit":"mV","samples":[]}'),
    });
    await aws.kinesis.send(new PutRecordsCommand({ StreamName: resources.streamName, Records: entries }));

    const shardId = (await aws.kinesis.send(new ListShardsCommand({ StreamName: resources.streamName }))).Shards![0].ShardId!;
    const iterator = (
      await aws.kinesis.send(
        new GetShardIteratorCommand({ StreamName: resources.streamName, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }),
      )
    ).ShardIterator!;
    const got = await aws.kinesis.send(new GetRecordsCommand({ ShardIterator: iterator }));
    expect(got.Records).toHaveLength(entries.length);
    const identity = { streamArn: resources.streamArn, region: local.region, functionName: 'detect', accountId: '000000000000' };
    const event = { Records: got.Records!.map((r) => toKinesisEventRecord(r, shardId, identity)) };

    const run = await invokeBundle(bundled.detect, event, { ...endpointEnv, ...localEnvironment(bundled.detect.environment, localRefs()) });
    expect(run.error).toBeUndefined();
    expect(run.result).toEqual({ batchItemFailures: [] });
    expect(await listKeys('rejected/')).toHaveLength(1);
    const detectCalls = expectCallsAllowed(bundled.stack.detection.function.role, [
      /^s3:GetObject .*\/models\/current\.json$/,
      /^s3:PutObject .*\/rejected\//,
      // The device's last arrival, persisted for the signal-lost sweep.
      /^dynamodb:UpdateItem .*:table\/beatwatch-alert-state$/,
    ]);
    // The evaluator is strict enough to refuse what the detector must not do.
    const detectStatements = roleStatements(bundled.template, bundled.logicalId(bundled.stack.detection.function.role), localValues());
    expect(
      isAllowed(detectStatements, {
        action: 's3:GetObject',
        resource: `arn:aws:s3:::${resources.bucket}/history/2026/11/26/12/x.gz`,
        conditions: {},
        request: '',
      }),
    ).toBe(false);
    expect(
      isAllowed(detectStatements, {
        action: 's3:ListBucket',
        resource: `arn:aws:s3:::${resources.bucket}`,
        conditions: { 's3:prefix': 'history/' },
        request: '',
      }),
    ).toBe(false);
    expect(detectCalls.every((c) => !c.includes('/history/'))).toBe(true);
    // The dashboard reads the metrics the bundle really emits: same namespace, dimension, names.
    const emf = run.stdout
      .split('\n')
      .filter((line) => line.includes('"CloudWatchMetrics"'))
      .map(
        (line) =>
          JSON.parse(line) as {
            _aws: { CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string }> }> };
            service?: string;
          },
      );
    expect(emf.length).toBeGreaterThan(0);
    const directive = emf[0]._aws.CloudWatchMetrics[0];
    expect(directive.Namespace).toBe(METRICS_NAMESPACE);
    expect(directive.Dimensions).toEqual([['service']]);
    expect(emf[0].service).toBe(DETECT_SERVICE_NAME);
    expect(directive.Metrics.map((m) => m.Name)).toEqual(expect.arrayContaining([...DETECT_METRICS]));
    expect((emf[0] as unknown as Record<string, number>).BeatsScored).toBeGreaterThan(STREAMED_SECONDS);
    // Health data stays out of the logs: no raw samples of the streamed signal in the output.
    const someSample = encodeWireRecord({ deviceId: 'x', seq: 0, t0: 0, fs: record.fs, samples: record.signal.subarray(1000, 1004) }).match(
      /"samples":\[(.*)\]/,
    )![1];
    expect(run.stdout + run.stderr).not.toContain(someSample);
  });
});

describe('retrain bundle in plain Node', () => {
  it('reads history/, compares an unchanged challenger with the seeded model and promotes it (not worse), switching the pointer', async () => {
    const record = loadMitdbRecord(fileURLToPath(new URL('../../data/mitdb', import.meta.url)), '100');
    const at = Date.now() - 3_600_000;
    for (let d = 0; d < HISTORY_DEVICES; d++) {
      const lines = [];
      for (let s = 0; s < HISTORY_SECONDS; s++) {
        const start = (d * HISTORY_SECONDS + s) * record.fs;
        lines.push(
          encodeWireRecord({
            deviceId: `history-${d}`,
            seq: s,
            t0: at + s * 1000,
            fs: record.fs,
            samples: record.signal.subarray(start, start + record.fs),
          }),
        );
      }
      await putHistoryObject(aws.s3, resources.bucket, lines, { at });
    }
    const pointerBefore = JSON.parse(
      await (await aws.s3.send(new GetObjectCommand({ Bucket: resources.bucket, Key: 'models/current.json' }))).Body!.transformToString(),
    ) as { version: string };
    const env = {
      ...endpointEnv,
      ...localEnvironment(bundled.retrain.environment, localRefs()),
      TIME_BUDGET_MS: String(RETRAIN_TEST_BUDGET_MS),
      EPOCHS: String(RETRAIN_TEST_EPOCHS),
    };
    const event = {
      version: '0',
      id: 'e1',
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: '000000000000',
      time: new Date().toISOString(),
      region: local.region,
      resources: [],
      detail: {},
    };
    const run = await invokeBundle(bundled.retrain, event, env, 120_000);
    expect(run.error).toBeUndefined();
    const result = run.result as {
      decision: string;
      fromVersion: string;
      toVersion: string;
      beatsRead: number;
      history: { records: number };
      training: { epochs: number };
      comparison: { checks: Array<{ name: string; status: string; champion: number | null; challenger: number | null }> };
    };
    expect(result.training.epochs).toBe(0);
    const reconstruction = result.comparison.checks.find((c) => c.name === 'reconstruction')!;
    expect(reconstruction).toMatchObject({ status: 'pass' });
    expect(reconstruction.challenger).toBe(reconstruction.champion);
    expect(result.comparison.checks.every((c) => c.status !== 'fail')).toBe(true);
    expect(result.decision).toBe('promoted');
    expect(result.fromVersion).toBe(pointerBefore.version);
    expect(result.toVersion).not.toBe(pointerBefore.version);
    expect(result.history.records).toBe(HISTORY_DEVICES * HISTORY_SECONDS);
    expect(result.beatsRead).toBeGreaterThan(HISTORY_DEVICES * HISTORY_SECONDS);
    const pointerAfter = JSON.parse(
      await (await aws.s3.send(new GetObjectCommand({ Bucket: resources.bucket, Key: 'models/current.json' }))).Body!.transformToString(),
    ) as { version: string };
    expect(pointerAfter.version).toBe(result.toVersion);
    expectCallsAllowed(bundled.stack.retraining.function.role, [
      /^s3:ListBucket /,
      /^s3:GetObject .*\/history\//,
      /^s3:GetObject .*\/models\//,
    ]);
    const retrainStatements = roleStatements(bundled.template, bundled.logicalId(bundled.stack.retraining.function.role), localValues());
    expect(isAllowed(retrainStatements, { action: 'sns:Publish', resource: resources.topicArn, conditions: {}, request: '' })).toBe(false);
    // The dashboard's retraining widget reads these metrics.
    const emf = run.stdout
      .split('\n')
      .filter((line) => line.includes('"CloudWatchMetrics"'))
      .map(
        (line) =>
          JSON.parse(line) as Record<string, unknown> & {
            _aws: { CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string }> }> };
          },
      );
    expect(emf).toHaveLength(1);
    expect(emf[0]._aws.CloudWatchMetrics[0].Namespace).toBe(METRICS_NAMESPACE);
    expect(emf[0]._aws.CloudWatchMetrics[0].Dimensions).toEqual([['service']]);
    expect(emf[0].service).toBe(RETRAIN_SERVICE_NAME);
    expect(emf[0].Promoted).toBe(1);
    expect(emf[0].RetrainSeconds).toBeGreaterThan(0);
  });
});

describe('signal-lost sweep bundle in plain Node', () => {
  it('finds a device silent past the deadline in the table and publishes its signal-lost onset, with only what its role allows', async () => {
    const dynamo = createDynamoClient({ endpoint: local.endpoints.dynamodb, region: local.region, env: {} });
    await new DynamoPresenceStore(dynamo, LOCAL_ALERT_TABLE).arrived('bundle-silent', { arrivedAt: Date.now() - 120_000 });
    dynamo.destroy();
    recorder.calls.splice(0);
    dynamoRecorder.calls.splice(0);
    const event = { version: '0', id: 'e2', 'detail-type': 'Scheduled Event', source: 'aws.events', detail: {} };
    // A short deadline: the run sweeps once and stops (the next sweep would end past its timeout).
    const run = await invokeBundle(
      bundled.sweep,
      event,
      { ...endpointEnv, ...localEnvironment(bundled.sweep.environment, localRefs()) },
      8000,
    );
    expect(run.error).toBeUndefined();
    expect(run.result).toMatchObject({ sweeps: 1, failed: 0 });
    expect((run.result as { raised: number }).raised).toBeGreaterThanOrEqual(1);
    expectCallsAllowed(bundled.stack.signalLost.function.role, [
      /^dynamodb:Query .*:table\/beatwatch-alert-state\/index\/gsi1$/,
      /^dynamodb:UpdateItem .*:table\/beatwatch-alert-state$/,
      /^sns:Publish /,
    ]);
    const statements = roleStatements(bundled.template, bundled.logicalId(bundled.stack.signalLost.function.role), localValues());
    const call = (action: string, resource: string) => isAllowed(statements, { action, resource, conditions: {}, request: '' });
    expect(call('dynamodb:DeleteItem', recordedTableArn(LOCAL_ALERT_TABLE))).toBe(false);
    expect(call('dynamodb:Query', recordedTableArn(LOCAL_ALERT_TABLE))).toBe(false); // the index only
    expect(call('s3:GetObject', `arn:aws:s3:::${resources.bucket}/models/current.json`)).toBe(false);
    // No raw device id in the logs, only its pseudonym.
    expect(run.stdout + run.stderr).not.toContain('bundle-silent');
  });
});
