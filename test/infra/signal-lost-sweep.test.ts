import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SIGNAL_LOST_SECONDS } from '../../infra/config';
import { SWEEP_MEMORY_MB, SWEEP_TIMEOUT_SECONDS } from '../../infra/constructs/signal-lost-sweep';
import { onlyResource, synthStack } from './synth';

/** A resource's properties, as far as these tests read them. */
interface Props {
  [key: string]: unknown;
  Environment: { Variables: Record<string, unknown> };
  LoggingConfig: { LogGroup: { Ref: string } };
  DeadLetterConfig: unknown;
  KmsMasterKeyId: unknown;
  KmsKeyId: unknown;
}

const { template, stack } = synthStack();
const resources = template.toJSON().Resources as Record<string, { Type: string; Properties: Props }>;
const id = (construct: { node: { defaultChild?: unknown } }) =>
  stack.resolve(stack.getLogicalId(construct.node.defaultChild as never)) as string;
const sweepId = id(stack.signalLost.function.fn);
const fn = resources[sweepId].Properties;
const keyArn = { 'Fn::GetAtt': [onlyResource(template, 'AWS::KMS::Key').id, 'Arn'] };

describe('signal-lost sweep function', () => {
  it('runs on arm64 nodejs24.x, small, one run at a time, encrypted environment, failed runs to an encrypted dead-letter queue', () => {
    expect(fn).toMatchObject({
      Architectures: ['arm64'],
      Runtime: 'nodejs24.x',
      MemorySize: SWEEP_MEMORY_MB,
      Timeout: SWEEP_TIMEOUT_SECONDS,
      ReservedConcurrentExecutions: 1,
      KmsKeyArn: keyArn,
    });
    expect(SWEEP_TIMEOUT_SECONDS).toBeGreaterThan(60); // a run sweeps for a minute
    expect(fn.DeadLetterConfig).toEqual({ TargetArn: { 'Fn::GetAtt': [id(stack.signalLost.deadLetterQueue), 'Arn'] } });
    expect(resources[id(stack.signalLost.deadLetterQueue)].Properties.KmsMasterKeyId).toEqual(keyArn);
  });

  it('reads the alert state table and the alerts topic, and the same deadline as the detector', () => {
    expect(fn.Environment.Variables).toMatchObject({
      TOPIC_ARN: { Ref: id(stack.alerting.topic) },
      ALERT_TABLE: { Ref: id(stack.console.table) },
      SIGNAL_LOST_SECONDS: String(DEFAULT_SIGNAL_LOST_SECONDS),
    });
    expect(resources[id(stack.detection.function.fn)].Properties.Environment.Variables.SIGNAL_LOST_SECONDS).toBe(
      String(DEFAULT_SIGNAL_LOST_SECONDS),
    );
    const custom = synthStack({ signalLostSeconds: '120' });
    const vars = (construct: { node: { defaultChild?: unknown } }) =>
      (custom.template.toJSON().Resources as typeof resources)[
        custom.stack.resolve(custom.stack.getLogicalId(construct.node.defaultChild as never))
      ].Properties.Environment.Variables;
    expect(vars(custom.stack.signalLost.function.fn).SIGNAL_LOST_SECONDS).toBe('120');
    expect(vars(custom.stack.detection.function.fn).SIGNAL_LOST_SECONDS).toBe('120');
  });

  it('runs every minute from an EventBridge schedule; a failed or late run is not retried (the next minute sweeps again)', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      State: 'ENABLED',
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [sweepId, 'Arn'] },
          RetryPolicy: { MaximumEventAgeInSeconds: 60, MaximumRetryAttempts: 2 },
        }),
      ],
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: sweepId },
      MaximumRetryAttempts: 0,
      MaximumEventAgeInSeconds: 60,
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: { 'Fn::GetAtt': [sweepId, 'Arn'] },
      Principal: 'events.amazonaws.com',
    });
  });

  it('logs to its own encrypted log group', () => {
    const group = resources[fn.LoggingConfig.LogGroup.Ref];
    expect(group.Type).toBe('AWS::Logs::LogGroup');
    expect(group.Properties.KmsKeyId).toEqual(keyArn);
  });

  it('takes signalLostSeconds from context, at least twice the sweep period', () => {
    expect(() => synthStack({ signalLostSeconds: '15' })).toThrow(/signalLostSeconds" must be an integer in \[20, 86400\]/);
  });
});
