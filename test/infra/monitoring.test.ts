import { describe, expect, it } from 'vitest';
import { DETECT_METRICS, RETRAIN_METRICS, STREAM_HEALTH_ALARMS } from '../../infra/constructs/monitoring';
import { DETECT_METRIC } from '../../src/contract/cloudwatch';
import { DEFAULT_LAG_ALARM_SECONDS } from '../../infra/config';
import { onlyResource, synthStack } from './synth';

const { template, stack } = synthStack();
const id = (construct: { node: { defaultChild?: unknown } }) =>
  stack.resolve(stack.getLogicalId(construct.node.defaultChild as never)) as string;
const alarms = template.toJSON().Resources as Record<string, { Type: string; Properties: Record<string, unknown> }>;
const alarm = (construct: { node: { defaultChild?: unknown } }) => alarms[id(construct)].Properties;

describe('alarms', () => {
  it('fire on any detector error', () => {
    expect(alarm(stack.monitoring.alarms.detectErrors)).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: id(stack.detection.function.fn) } }],
    });
  });

  it('fire when detection lags more than a minute behind the stream', () => {
    expect(DEFAULT_LAG_ALARM_SECONDS).toBe(60);
    expect(alarm(stack.monitoring.alarms.lag)).toMatchObject({
      MetricName: 'IteratorAge',
      Statistic: 'Maximum',
      Threshold: 60_000,
      ComparisonOperator: 'GreaterThanThreshold',
      Period: 60,
    });
  });

  it('fire when a failure or dead-letter queue holds anything', () => {
    for (const [a, queue] of [
      [stack.monitoring.alarms.detectFailures, stack.detection.failureQueue],
      [stack.monitoring.alarms.retrainDeadLetters, stack.retraining.deadLetterQueue],
      [stack.monitoring.alarms.sweepDeadLetters, stack.signalLost.deadLetterQueue],
    ] as const) {
      expect(alarm(a)).toMatchObject({
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [id(queue), 'QueueName'] } }],
      });
    }
  });

  it('fire when a retraining run fails', () => {
    expect(alarm(stack.monitoring.alarms.retrainFailures)).toMatchObject({
      MetricName: 'Errors',
      Threshold: 1,
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: id(stack.retraining.function.fn) } }],
    });
  });

  it('fire when a signal-lost sweep run fails (silent devices might go unreported)', () => {
    expect(alarm(stack.monitoring.alarms.sweepErrors)).toMatchObject({
      MetricName: 'Errors',
      Threshold: 1,
      Period: 300,
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: id(stack.signalLost.function.fn) } }],
    });
  });

  it('notify the alerts topic by default, and nobody with alarmActions=false', () => {
    const topic = { Ref: id(stack.alerting.topic) };
    for (const a of Object.values(stack.monitoring.alarms)) {
      expect(alarm(a).AlarmActions).toEqual([topic]);
      expect(alarm(a).OKActions).toEqual([topic]);
    }
    const quiet = synthStack({ alarmActions: 'false' });
    for (const a of Object.values(quiet.template.findResources('AWS::CloudWatch::Alarm')))
      expect(a.Properties.AlarmActions).toBeUndefined();
  });

  it('fire on no-model batches (within a minute), refused devices, evictions, implausible records, restarts, clock jumps, amplitude flags and duplicates', () => {
    for (const [key, spec] of Object.entries(STREAM_HEALTH_ALARMS)) {
      expect(alarm(stack.monitoring.alarms[key as keyof typeof STREAM_HEALTH_ALARMS]), key).toMatchObject({
        Namespace: 'beatwatch',
        MetricName: spec.metric,
        Dimensions: [{ Name: 'service', Value: 'detect' }],
        Statistic: 'Sum',
        Threshold: spec.threshold,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      });
    }
    expect(alarm(stack.monitoring.alarms.noModelBatches)).toMatchObject({
      MetricName: DETECT_METRIC.noModelBatches,
      Threshold: 1,
      Period: 60,
    });
    for (const name of [
      DETECT_METRIC.deviceRestarts,
      DETECT_METRIC.clockJumps,
      DETECT_METRIC.deviceEvictions,
      DETECT_METRIC.duplicateRecords,
    ])
      expect(Object.values(STREAM_HEALTH_ALARMS).map((a) => a.metric)).toContain(name);
  });

  it('use the lagAlarmSeconds context', () => {
    const { template: t } = synthStack({ lagAlarmSeconds: '120' });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'IteratorAge', Threshold: 120_000 });
  });
});

describe('dashboard', () => {
  const body = JSON.stringify(onlyResource(template, 'AWS::CloudWatch::Dashboard').props.DashboardBody);

  it('shows beats/s, anomaly rate, alerts, rejected records, lag and model version', () => {
    for (const title of [
      'Beats scored per second',
      'Anomaly rate',
      'Alerts',
      'Rejected records',
      'Detection lag',
      'Model version in service',
      'Stream health: device restarts, clock jumps',
      'Capacity: device evictions, refused devices',
      'Retries: no-model batches',
    ]) {
      expect(body).toContain(title);
    }
    expect(body).toContain('beats / PERIOD(beats)');
    expect(body).toContain('100 * anomalous / beats');
    expect(body).toContain('IteratorAge');
    expect(body).toContain('latest(modelVersion)');
    expect(body).toMatch(/\\"beatwatch\\",\\"Promoted\\",\\"service\\",\\"retrain\\"/);
  });

  it('graphs every detector and retrain metric, from the beatwatch EMF namespace with its service', () => {
    for (const name of DETECT_METRICS)
      expect(body, name).toMatch(new RegExp(`\\\\"beatwatch\\\\",\\\\"${name}\\\\",\\\\"service\\\\",\\\\"detect\\\\"`));
    for (const name of RETRAIN_METRICS)
      expect(body, name).toMatch(new RegExp(`\\\\"beatwatch\\\\",\\\\"${name}\\\\",\\\\"service\\\\",\\\\"retrain\\\\"`));
  });
});
