// Least privilege, statement by statement: each role's whole policy is compared with what its
// function needs, so a new or widened grant fails here.
import { describe, expect, it } from 'vitest';
import { synthStack } from './synth';

const { template, stack } = synthStack();
const resources = template.toJSON().Resources as Record<string, { Type: string; Properties: Record<string, unknown> }>;
const id = (construct: { node: { defaultChild?: unknown } }) =>
  stack.resolve(stack.getLogicalId(construct.node.defaultChild as never)) as string;

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
}

/** All statements of the policies attached to a role, as one flat list. */
function statementsOf(roleId: string): Statement[] {
  const out: Statement[] = [];
  for (const r of Object.values(resources)) {
    if (r.Type !== 'AWS::IAM::ManagedPolicy' && r.Type !== 'AWS::IAM::Policy') continue;
    const roles = JSON.stringify(r.Properties.Roles ?? []);
    if (!roles.includes(`"${roleId}"`)) continue;
    out.push(...(r.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
  }
  return out;
}

/** Every (action, resource) pair a role is allowed, resources rendered as readable strings. */
function permissions(roleId: string): string[] {
  const render = (res: unknown): string => {
    const text = JSON.stringify(res);
    return text
      .replace(
        new RegExp(`\\{"Fn::Join":\\["",\\[\\{"Fn::GetAtt":\\["${id(stack.storage.bucket)}","Arn"\\]\\},"([^"]*)"\\]\\]\\}`, 'g'),
        'bucket$1',
      )
      .replace(`{"Fn::GetAtt":["${id(stack.storage.bucket)}","Arn"]}`, 'bucket');
  };
  const pairs = new Set<string>();
  for (const s of statementsOf(roleId)) {
    expect(s.Effect).toBe('Allow');
    const actions = Array.isArray(s.Action) ? s.Action : [s.Action];
    const targets = Array.isArray(s.Resource) ? s.Resource : [s.Resource];
    for (const a of actions)
      for (const t of targets) pairs.add(`${a} ${render(t)}${s.Condition ? ` if ${JSON.stringify(s.Condition)}` : ''}`);
  }
  return [...pairs].sort();
}

const s3Actions = (perms: string[]) => perms.filter((p) => p.startsWith('s3:'));

describe('IAM: functions and services get only what they need', () => {
  it('uses no inline policies and no AWS managed policies', () => {
    expect(Object.values(resources).filter((r) => r.Type === 'AWS::IAM::Policy')).toEqual([]);
    for (const r of Object.values(resources)) {
      if (r.Type === 'AWS::IAM::Role') {
        expect(r.Properties.ManagedPolicyArns).toBeUndefined();
        expect(r.Properties.Policies).toBeUndefined();
      }
    }
  });

  it('detector: reads models/, writes alerts/ and rejected/, reads and writes devices/, never history/', () => {
    const perms = permissions(id(stack.detection.function.role));
    expect(s3Actions(perms)).toEqual([
      's3:GetObject bucket/devices/*',
      's3:GetObject bucket/models/*',
      's3:ListBucket bucket if {"StringLike":{"s3:prefix":["devices/*"]}}',
      's3:ListBucket bucket if {"StringLike":{"s3:prefix":["models/*"]}}',
      's3:PutObject bucket/alerts/*',
      's3:PutObject bucket/devices/*',
      's3:PutObject bucket/rejected/*',
    ]);
    expect(perms.join('\n')).not.toContain('history');
    expect(perms).toContain(`sns:Publish {"Ref":"${id(stack.alerting.topic)}"}`);
    expect(perms).toContain(`kinesis:GetRecords {"Fn::GetAtt":["${id(stack.ingest.stream)}","Arn"]}`);
    expect(perms).toContain(`sqs:SendMessage {"Fn::GetAtt":["${id(stack.detection.failureQueue)}","Arn"]}`);
    // The alert state table: alerts written (conditional put), sightings and last arrivals updated,
    // snoozes read, a signal-lost episode read back (GetItem); no queries, no deletes.
    const table = `{"Fn::GetAtt":["${id(stack.console.table)}","Arn"]}`;
    expect(perms.filter((p) => !/^(s3|sns|sqs|kinesis|kms|logs):/.test(p)).sort()).toEqual(
      [`dynamodb:BatchGetItem ${table}`, `dynamodb:GetItem ${table}`, `dynamodb:PutItem ${table}`, `dynamodb:UpdateItem ${table}`].sort(),
    );
  });

  it('signal-lost sweep: queries the device index, updates device items, records its alerts, reads snoozes, publishes alerts; nothing of S3 or the stream', () => {
    const perms = permissions(id(stack.signalLost.function.role));
    const table = `{"Fn::GetAtt":["${id(stack.console.table)}","Arn"]}`;
    const index = `{"Fn::Join":["",[${table},"/index/gsi1"]]}`;
    expect(perms.filter((p) => p.startsWith('dynamodb:')).sort()).toEqual(
      [`dynamodb:BatchGetItem ${table}`, `dynamodb:PutItem ${table}`, `dynamodb:Query ${index}`, `dynamodb:UpdateItem ${table}`].sort(),
    );
    expect(perms).toContain(`sns:Publish {"Ref":"${id(stack.alerting.topic)}"}`);
    expect(perms).toContain(`sqs:SendMessage {"Fn::GetAtt":["${id(stack.signalLost.deadLetterQueue)}","Arn"]}`);
    expect(perms.filter((p) => /^(s3|kinesis):/.test(p))).toEqual([]);
    expect(
      perms
        .filter((p) => p.startsWith('kms:'))
        .map((p) => p.split(' ')[0])
        .sort(),
    ).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
  });

  it('retrainer: reads history/, models/, alerts/ (labelled snippets) and devices/, writes models/ and devices/, cannot publish alerts', () => {
    const perms = permissions(id(stack.retraining.function.role));
    expect(s3Actions(perms)).toEqual([
      's3:GetObject bucket/alerts/*',
      's3:GetObject bucket/devices/*',
      's3:GetObject bucket/history/*',
      's3:GetObject bucket/models/*',
      's3:ListBucket bucket if {"StringLike":{"s3:prefix":["alerts/*"]}}',
      's3:ListBucket bucket if {"StringLike":{"s3:prefix":["devices/*"]}}',
      's3:ListBucket bucket if {"StringLike":{"s3:prefix":["history/*"]}}',
      's3:ListBucket bucket if {"StringLike":{"s3:prefix":["models/*"]}}',
      's3:PutObject bucket/devices/*',
      's3:PutObject bucket/models/*',
    ]);
    expect(perms.filter((p) => p.startsWith('sns:') || p.startsWith('kinesis:'))).toEqual([]);
    // Labels: the labelled alerts listed (index query), a device's item read and its label state updated.
    const table = `{"Fn::GetAtt":["${id(stack.console.table)}","Arn"]}`;
    const index = `{"Fn::Join":["",[${table},"/index/gsi1"]]}`;
    expect(perms.filter((p) => !/^(s3|sqs|kms|logs):/.test(p)).sort()).toEqual(
      [`dynamodb:GetItem ${table}`, `dynamodb:Query ${index}`, `dynamodb:UpdateItem ${table}`].sort(),
    );
    const fn = resources[id(stack.retraining.function.fn)].Properties as { Environment: { Variables: Record<string, unknown> } };
    expect(fn.Environment.Variables.ALERT_TABLE).toEqual({ Ref: id(stack.console.table) });
  });

  it('KMS use is exact: no wildcard actions anywhere, and every resource is named', () => {
    for (const r of Object.values(resources)) {
      if (r.Type !== 'AWS::IAM::ManagedPolicy') continue;
      for (const s of (r.Properties.PolicyDocument as { Statement: Statement[] }).Statement) {
        for (const a of [s.Action].flat()) expect(a, JSON.stringify(s)).not.toContain('*');
        expect(s.Resource, JSON.stringify(s)).not.toBe('*');
      }
    }
  });

  it('Firehose: reads the stream, writes history/ and history-errors/ only', () => {
    const perms = permissions(id(stack.archive.role));
    const objectPerms = s3Actions(perms).filter((p) => p.includes('bucket/'));
    expect(objectPerms).toEqual([
      's3:AbortMultipartUpload bucket/history-errors/*',
      's3:AbortMultipartUpload bucket/history/*',
      's3:GetObject bucket/history-errors/*',
      's3:GetObject bucket/history/*',
      's3:PutObject bucket/history-errors/*',
      's3:PutObject bucket/history/*',
    ]);
    expect(perms).toContain(`kinesis:GetRecords {"Fn::GetAtt":["${id(stack.ingest.stream)}","Arn"]}`);
  });

  it('device producers: put records and encrypt, nothing else', () => {
    const perms = permissions(id(stack.ingest.producerRole));
    const stream = `{"Fn::GetAtt":["${id(stack.ingest.stream)}","Arn"]}`;
    const key = `{"Fn::GetAtt":["${id(stack.dataKey.key)}","Arn"]}`;
    expect(perms).toEqual([
      `kinesis:DescribeStreamSummary ${stream}`,
      `kinesis:ListShards ${stream}`,
      `kinesis:PutRecord ${stream}`,
      `kinesis:PutRecords ${stream}`,
      `kms:GenerateDataKey ${key}`,
    ]);
  });

  it('deploy-time function: reads its asset objects, reads and writes models/, writes exactly the console page files', () => {
    const perms = s3Actions(permissions(id(stack.defaultModel.function.role)));
    const site = id(stack.console.site.bucket);
    expect(perms.filter((p) => p.includes('bucket') && !p.includes(site))).toEqual([
      's3:GetObject bucket/models/*',
      's3:ListBucket bucket if {"StringLike":{"s3:prefix":["models/*"]}}',
      's3:PutObject bucket/models/*',
    ]);
    expect(perms.filter((p) => p.includes(site))).toEqual(
      ['app.js', 'config.json', 'index.html'].map((k) => `s3:PutObject {"Fn::Join":["",[{"Fn::GetAtt":["${site}","Arn"]},"/${k}"]]}`),
    );
    const assetReads = perms.filter((p) => !p.includes('bucket') && !p.includes(site));
    expect(assetReads).toHaveLength(4); // model.json, report.json, index.html, app.js
    for (const p of assetReads) expect(p).toMatch(/^s3:GetObject .*\/[0-9a-f]{64}\.(json|html|js)"\]\]\}$/);
  });
});
