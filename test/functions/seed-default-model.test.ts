import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  artifactVersion,
  handler,
  s3ClientFromEnvironment,
  seedDefaultModel,
  type ConsoleSiteEvent,
  type SeedEvent,
  type SeedProperties,
} from '../../functions/seed-default-model';
import { CONSOLE_SITE_RESOURCE_TYPE, type ConsoleSiteProperties } from '../../src/contract/console-config';
import { startFauxqsEmulator, type FauxqsEmulator } from '../../src/local/fauxqs-emulator';

const artifact = (version: string) =>
  Buffer.from(`{"format":"beatwatch-model","formatVersion":1,"version":"${version}","weights":"AAAA"}\n`);
const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

let emulator: FauxqsEmulator;
let s3: S3Client;
let cfn: Server;
let cfnUrl: string;
const responses: Array<Record<string, unknown>> = [];

async function text(bucket: string, key: string): Promise<string> {
  const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return out.Body!.transformToString();
}

async function putAsset(key: string, body: Buffer): Promise<void> {
  await s3.send(new PutObjectCommand({ Bucket: 'assets', Key: key, Body: body }));
}

function props(bucket: string, modelKey: string): SeedProperties {
  return {
    BucketName: bucket,
    ModelsPrefix: 'models/',
    PointerKey: 'models/current.json',
    Model: { Bucket: 'assets', Key: modelKey },
    Report: { Bucket: 'assets', Key: 'report.json' },
  };
}

beforeAll(async () => {
  emulator = await startFauxqsEmulator({ mode: 'in-process' });
  process.env.AWS_ENDPOINT_URL_S3 = emulator.endpoint;
  process.env.AWS_REGION = 'us-east-1';
  process.env.AWS_ACCESS_KEY_ID = 'test';
  process.env.AWS_SECRET_ACCESS_KEY = 'test';
  s3 = s3ClientFromEnvironment();
  for (const bucket of ['assets', 'data', 'data2', 'data3']) await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await putAsset('report.json', Buffer.from('{"report":true}'));
  // Plays CloudFormation's pre-signed response URL: records each PUT body.
  cfn = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      responses.push({ method: req.method, ...JSON.parse(body) });
      res.end();
    });
  });
  await new Promise<void>((resolve) => cfn.listen(0, '127.0.0.1', resolve));
  cfnUrl = `http://127.0.0.1:${(cfn.address() as AddressInfo).port}/response`;
});

afterAll(async () => {
  s3?.destroy();
  await emulator?.stop();
  if (cfn !== undefined) await new Promise((resolve) => cfn.close(resolve));
});

describe('seedDefaultModel', () => {
  it('copies the artifact byte for byte and writes a pointer with its sha256', async () => {
    const model = artifact('20261126T120000Z-0000aaa1');
    await putAsset('m1.json', model);
    const now = new Date('2026-11-26T12:00:00Z');
    const result = await seedDefaultModel(s3, props('data', 'm1.json'), now);
    expect(result).toEqual({
      version: '20261126T120000Z-0000aaa1',
      modelKey: 'models/20261126T120000Z-0000aaa1/model.json',
      sha256: sha(model),
      pointerWritten: true,
    });
    expect(await text('data', 'models/20261126T120000Z-0000aaa1/model.json')).toBe(model.toString());
    expect(await text('data', 'models/20261126T120000Z-0000aaa1/report.json')).toBe('{"report":true}');
    expect(JSON.parse(await text('data', 'models/current.json'))).toEqual({
      version: '20261126T120000Z-0000aaa1',
      key: 'models/20261126T120000Z-0000aaa1/model.json',
      sha256: sha(model),
      promotedAt: '2026-11-26T12:00:00.000Z',
    });
  });

  it('never overwrites an existing pointer (a promoted model stays in service)', async () => {
    const promoted = JSON.stringify({
      version: 'retrained-7',
      key: 'models/retrained-7/model.json',
      sha256: 'f'.repeat(64),
      promotedAt: '2026-11-27T00:00:00Z',
    });
    await s3.send(new PutObjectCommand({ Bucket: 'data2', Key: 'models/current.json', Body: promoted }));
    await putAsset('m2.json', artifact('20261127T000000Z-0000aaa2'));
    const result = await seedDefaultModel(s3, props('data2', 'm2.json'), new Date());
    expect(result.pointerWritten).toBe(false);
    expect(await text('data2', 'models/current.json')).toBe(promoted);
    expect(await text('data2', 'models/20261127T000000Z-0000aaa2/model.json')).toBe(artifact('20261127T000000Z-0000aaa2').toString());
  });

  it('refuses an artifact that is not a beatwatch model, naming the object and field', async () => {
    await putAsset('bad.json', Buffer.from('{"format":"other","version":"x"}'));
    await expect(seedDefaultModel(s3, props('data3', 'bad.json'), new Date())).rejects.toThrow(
      'default model artifact s3://assets/bad.json: field "format" must be "beatwatch-model"',
    );
    expect(() => artifactVersion(Buffer.from('{"format":"beatwatch-model","version":"../x"}'), 'f')).toThrow(
      /f: field "version" must match/,
    );
    expect(() => artifactVersion(Buffer.from('not json'), 'f')).toThrow(/f: not JSON/);
  });
});

describe('handler (custom resource protocol)', () => {
  // Each test has its own data bucket and asset, and finds its own response by request id:
  // none depends on another having run first.
  const event = (type: SeedEvent['RequestType'], modelKey: string, bucket: string): SeedEvent => ({
    RequestType: type,
    ResponseURL: cfnUrl,
    StackId: 'arn:aws:cloudformation:us-east-1:000000000000:stack/Beatwatch/x',
    RequestId: `req-${type}-${bucket}`,
    LogicalResourceId: 'DefaultModel',
    PhysicalResourceId: type === 'Create' ? undefined : 'models/old/model.json',
    ResourceProperties: props(bucket, modelKey),
  });
  const responseTo = (requestId: string) => {
    const found = responses.filter((r) => r.RequestId === requestId);
    expect(found, `responses to ${requestId}`).toHaveLength(1);
    return found[0];
  };
  async function keysOf(bucket: string): Promise<string[]> {
    const out = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
    return (out.Contents ?? []).map((o) => o.Key as string).sort();
  }

  it('reports SUCCESS with the version, key and digest on Create', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'handler-create' }));
    const model = artifact('20261128T000000Z-0000aaa3');
    await putAsset('c.json', model);
    await handler(event('Create', 'c.json', 'handler-create'));
    const r = responseTo('req-Create-handler-create');
    expect(r).toMatchObject({
      method: 'PUT',
      Status: 'SUCCESS',
      PhysicalResourceId: 'models/20261128T000000Z-0000aaa3/model.json',
      LogicalResourceId: 'DefaultModel',
    });
    expect(r.Data).toEqual({
      Version: '20261128T000000Z-0000aaa3',
      ModelKey: 'models/20261128T000000Z-0000aaa3/model.json',
      Sha256: sha(model),
      PointerWritten: 'true',
    });
    expect(await text('handler-create', 'models/20261128T000000Z-0000aaa3/model.json')).toBe(model.toString());
  });

  it('reports FAILED with the reason instead of leaving CloudFormation waiting', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'handler-update' }));
    await handler(event('Update', 'missing.json', 'handler-update'));
    const r = responseTo('req-Update-handler-update');
    expect(r).toMatchObject({ Status: 'FAILED', PhysicalResourceId: 'models/old/model.json' });
    expect(r.Reason).toMatch(/^reading s3:\/\/assets\/missing\.json: /);
    expect(await keysOf('handler-update')).toEqual([]);
  });

  it('succeeds on Delete without touching the data (models stay with the retained bucket)', async () => {
    // A deployed state of its own: a model version and the pointer to it. The asset named in
    // the properties does not exist: Delete must not need it.
    await s3.send(new CreateBucketCommand({ Bucket: 'handler-delete' }));
    const model = artifact('20261128T000000Z-0000dddd');
    const pointer = JSON.stringify({
      version: '20261128T000000Z-0000dddd',
      key: 'models/20261128T000000Z-0000dddd/model.json',
      sha256: sha(model),
      promotedAt: '2026-11-28T00:00:00.000Z',
    });
    await s3.send(new PutObjectCommand({ Bucket: 'handler-delete', Key: 'models/20261128T000000Z-0000dddd/model.json', Body: model }));
    await s3.send(new PutObjectCommand({ Bucket: 'handler-delete', Key: 'models/current.json', Body: pointer }));
    const before = await keysOf('handler-delete');
    await handler(event('Delete', 'no-such-asset.json', 'handler-delete'));
    expect(responseTo('req-Delete-handler-delete')).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'models/old/model.json' });
    expect(await keysOf('handler-delete')).toEqual(before);
    expect(await text('handler-delete', 'models/20261128T000000Z-0000dddd/model.json')).toBe(model.toString());
    expect(await text('handler-delete', 'models/current.json')).toBe(pointer);
  });
});

describe('handler: the console site resource (same function)', () => {
  const site = (type: 'Create' | 'Update' | 'Delete', bucket: string, files: ConsoleSiteProperties['Files']): ConsoleSiteEvent => ({
    RequestType: type,
    ResourceType: CONSOLE_SITE_RESOURCE_TYPE,
    ResponseURL: cfnUrl,
    StackId: 'arn:aws:cloudformation:us-east-1:000000000000:stack/Beatwatch/x',
    RequestId: `site-${type}-${bucket}`,
    LogicalResourceId: 'ConsoleSitePublish',
    PhysicalResourceId: type === 'Create' ? undefined : 'ConsoleSitePublish-console-site',
    ResourceProperties: {
      BucketName: bucket,
      Files: files,
      Config: {
        mode: 'cognito',
        api: '/api',
        cognito: {
          domain: 'https://x.auth.us-east-1.amazoncognito.com',
          clientId: 'c1',
          redirectUri: 'https://d1.cloudfront.net/',
          scopes: 'openid',
        },
      },
    },
  });
  const responseTo = (requestId: string) => responses.filter((r) => r.RequestId === requestId);

  it('publishes the page and its config.json on Create, with their content types; Delete leaves them', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'site-a' }));
    await putAsset('site/index.html', Buffer.from('<!doctype html><title>x</title>'));
    await putAsset('site/app.js', Buffer.from('console.log(1)'));
    const files = [
      { Key: 'index.html', ContentType: 'text/html; charset=utf-8', Source: { Bucket: 'assets', Key: 'site/index.html' } },
      { Key: 'app.js', ContentType: 'text/javascript; charset=utf-8', Source: { Bucket: 'assets', Key: 'site/app.js' } },
    ];
    await handler(site('Create', 'site-a', files));
    expect(responseTo('site-Create-site-a')).toMatchObject([
      { Status: 'SUCCESS', PhysicalResourceId: 'ConsoleSitePublish-console-site', Data: { Files: 'index.html,app.js,config.json' } },
    ]);
    expect(await text('site-a', 'index.html')).toBe('<!doctype html><title>x</title>');
    const head = await s3.send(new GetObjectCommand({ Bucket: 'site-a', Key: 'app.js' }));
    expect(head.ContentType).toBe('text/javascript; charset=utf-8');
    expect(head.CacheControl).toBe('no-cache');
    expect(JSON.parse(await text('site-a', 'config.json'))).toMatchObject({ mode: 'cognito', api: '/api', cognito: { clientId: 'c1' } });
    await handler(site('Delete', 'site-a', files));
    expect(responseTo('site-Delete-site-a')).toMatchObject([{ Status: 'SUCCESS' }]);
    expect(await text('site-a', 'config.json')).toContain('c1');
  });

  it('reports FAILED with the reason when an asset is missing, or config.json is listed as a file', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'site-b' }));
    await handler(
      site('Update', 'site-b', [{ Key: 'index.html', ContentType: 'text/html', Source: { Bucket: 'assets', Key: 'nope.html' } }]),
    );
    const [failed] = responseTo('site-Update-site-b');
    expect(failed).toMatchObject({ Status: 'FAILED' });
    expect(String(failed.Reason)).toMatch(/s3:\/\/assets\/nope\.html/);
    await s3.send(new CreateBucketCommand({ Bucket: 'site-c' }));
    await handler(
      site('Create', 'site-c', [{ Key: 'config.json', ContentType: 'application/json', Source: { Bucket: 'assets', Key: 'site/app.js' } }]),
    );
    expect(String(responseTo('site-Create-site-c')[0].Reason)).toMatch(/config\.json is written from Config/);
  });
});
