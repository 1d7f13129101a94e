import { Template } from 'aws-cdk-lib/assertions';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildApp, DEFAULT_STACK_NAME } from '../../infra/build-app';
import { cdkOutdir } from './cdk-outdir';

const cdkJson = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as {
  app: string;
  context: Record<string, unknown>;
};
const build = (context: Record<string, unknown> = {}) =>
  buildApp({
    outdir: cdkOutdir(),
    builtinCloudFormationValidation: false,
    context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [], ...context },
  });

describe('buildApp (what cdk synth runs)', () => {
  it('is run by cdk.json through the project toolchain', () => {
    expect(cdkJson.app).toBe('npx tsx infra/app.ts');
  });

  it('builds one environment-agnostic stack that passes the registered cdk-nag packs', () => {
    const { app, stack } = build();
    expect(stack.stackName).toBe(DEFAULT_STACK_NAME);
    expect(stack.environment).toBe('aws://unknown-account/unknown-region');
    expect(() => app.synth({ force: true })).not.toThrow();
  });

  it('pins account and region only when both are given, and takes the stack name from context', () => {
    expect(build({ account: '123456789012' }).stack.environment).toBe('aws://unknown-account/unknown-region');
    const { stack } = build({ account: '123456789012', region: 'eu-west-1', stackName: 'BeatwatchStaging' });
    expect(stack.environment).toBe('aws://123456789012/eu-west-1');
    expect(stack.stackName).toBe('BeatwatchStaging');
  });

  it('tags every taggable resource with the project', () => {
    const { stack } = build();
    const template = Template.fromStack(stack);
    for (const type of [
      'AWS::Kinesis::Stream',
      'AWS::S3::Bucket',
      'AWS::SNS::Topic',
      'AWS::Lambda::Function',
      'AWS::KMS::Key',
      'AWS::SQS::Queue',
    ]) {
      for (const resource of Object.values(template.findResources(type))) {
        expect(resource.Properties.Tags, type).toContainEqual({ Key: 'project', Value: 'beatwatch' });
      }
    }
  });

  it('rejects bad context before synthesizing anything', () => {
    expect(() => build({ parallelizationFactor: '0' })).toThrow(
      'CDK context "parallelizationFactor" must be an integer in [1, 10], got "0"',
    );
  });
});
