import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { DETECT_METRIC, DETECT_SERVICE_NAME, METRICS_NAMESPACE, RETRAIN_METRIC, RETRAIN_SERVICE_NAME } from '../../src/contract';
import { Construct } from 'constructs';

/** Period over which detector errors are counted; one error in it raises the alarm. */
export const DETECT_ERRORS_PERIOD_MINUTES = 5;
/** Consecutive one-minute periods of lag above the threshold before the lag alarm fires. */
export const LAG_EVALUATION_MINUTES = 3;
/** Period over which signal-lost sweep errors are counted (a run every minute; one failed run raises it). */
export const SWEEP_ERRORS_PERIOD_MINUTES = 5;
/** Period over which retrain errors are counted (a run takes at most 15 minutes). */
export const RETRAIN_ERRORS_PERIOD_HOURS = 1;
/** Seconds of archive delay (oldest record not yet in S3) that raise the archive alarm: three buffer periods. */
export const ARCHIVE_FRESHNESS_ALARM_SECONDS = 900;
/** Period over which a queue's depth is sampled; any message in it raises the alarm. */
export const QUEUE_DEPTH_PERIOD_MINUTES = 5;
/** Period of the archive freshness metric. */
export const ARCHIVE_FRESHNESS_PERIOD_MINUTES = 5;
/** Time range the dashboard opens with. */
export const DASHBOARD_DEFAULT_HOURS = 3;
/** Period of the dashboard's rate widgets. */
export const DASHBOARD_PERIOD_MINUTES = 1;

export { RETRAIN_SERVICE_NAME } from '../../src/contract';

/** The detector's EMF metrics (emitted by functions/detect.ts): every one is on the dashboard. */
export const DETECT_METRICS = Object.values(DETECT_METRIC);

/** The retrain function's EMF metrics: every one is on the dashboard. */
export const RETRAIN_METRICS = Object.values(RETRAIN_METRIC);

/** Period over which the stream-health metrics of the detector are summed for their alarms. */
export const STREAM_HEALTH_PERIOD_MINUTES = 15;

/**
 * Detector metrics with an alarm: the threshold (sum over {@link STREAM_HEALTH_PERIOD_MINUTES},
 * or one minute for `NoModelBatches`) and why. A fleet makes some of each now and then (a device
 * reboots, a clock is corrected); the thresholds flag a rate no fleet should show.
 */
export const STREAM_HEALTH_ALARMS = {
  noModelBatches: { metric: DETECT_METRIC.noModelBatches, threshold: 1, why: 'no usable model: batches are held, detection is stopped' },
  refusedDevices: {
    metric: DETECT_METRIC.refusedDevices,
    threshold: 1,
    why: 'memory is full of active devices: refused devices are not scored',
  },
  deviceEvictions: { metric: DETECT_METRIC.deviceEvictions, threshold: 100, why: 'devices are evicted for others: the device cap is near' },
  implausibleRecords: {
    metric: DETECT_METRIC.implausibleRecords,
    threshold: 10,
    why: 'records with impossible seq or t0 jumps were quarantined (forged or buggy producers)',
  },
  deviceRestarts: {
    metric: DETECT_METRIC.deviceRestarts,
    threshold: 50,
    why: 'many devices restarted their seq counters (a fleet-wide reboot or firmware bug)',
  },
  clockJumps: { metric: DETECT_METRIC.clockJumps, threshold: 50, why: 'many device clocks jumped (time sync or time zone problem)' },
  amplitudeFlagged: {
    metric: DETECT_METRIC.amplitudeFlaggedRecords,
    threshold: 100,
    why: 'many records beyond the amplitude ceiling (wrong unit or gain, leads off)',
  },
  duplicates: {
    metric: DETECT_METRIC.duplicateRecords,
    threshold: 10_000,
    why: 'many duplicate records (producer re-sends, or retries of failing batches)',
  },
} as const;

/** Options of {@link Monitoring}. */
export interface MonitoringProps {
  readonly detectFunction: lambda.IFunction;
  readonly retrainFunction: lambda.IFunction;
  readonly detectFailureQueue: sqs.IQueue;
  readonly retrainDeadLetterQueue: sqs.IQueue;
  /** The signal-lost sweep function and its dead-letter queue. */
  readonly sweepFunction: lambda.IFunction;
  readonly sweepDeadLetterQueue: sqs.IQueue;
  readonly deliveryStream: firehose.IDeliveryStream;
  readonly logGroups: logs.ILogGroup[];
  readonly topic: sns.ITopic;
  readonly lagAlarmSeconds: number;
  /** Send alarm state changes to the alerts topic. */
  readonly alarmActions: boolean;
}

/**
 * Alarms on what means "something is wrong" (detector errors, detection lag, records given up on,
 * failed retraining, archive delays) and a dashboard of what the system does (beats/s, anomaly
 * rate, alerts, rejected records, lag, model version).
 */
export class Monitoring extends Construct {
  readonly dashboard: cloudwatch.Dashboard;
  readonly alarms: {
    readonly detectErrors: cloudwatch.Alarm;
    readonly lag: cloudwatch.Alarm;
    readonly detectFailures: cloudwatch.Alarm;
    readonly retrainFailures: cloudwatch.Alarm;
    readonly retrainDeadLetters: cloudwatch.Alarm;
    readonly archiveFreshness: cloudwatch.Alarm;
    readonly sweepErrors: cloudwatch.Alarm;
    readonly sweepDeadLetters: cloudwatch.Alarm;
  } & { readonly [K in keyof typeof STREAM_HEALTH_ALARMS]: cloudwatch.Alarm };

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const iteratorAge = props.detectFunction.metric('IteratorAge', { statistic: 'Maximum', period: Duration.minutes(1) });
    this.alarms = {
      detectErrors: this.anyErrors(
        'DetectErrors',
        'beatwatch: the detect function failed (batches are being retried)',
        props.detectFunction,
        Duration.minutes(DETECT_ERRORS_PERIOD_MINUTES),
      ),
      lag: new cloudwatch.Alarm(this, 'DetectLag', {
        alarmDescription: `beatwatch: detection is more than ${props.lagAlarmSeconds} s behind the stream`,
        metric: iteratorAge,
        threshold: props.lagAlarmSeconds * 1000,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: LAG_EVALUATION_MINUTES,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      detectFailures: this.queueNotEmpty(
        'DetectFailureQueueDepth',
        'beatwatch: records were given up on (see the detect failure queue)',
        props.detectFailureQueue,
      ),
      retrainFailures: this.anyErrors(
        'RetrainErrors',
        'beatwatch: a retraining run failed; the current model stays in service',
        props.retrainFunction,
        Duration.hours(RETRAIN_ERRORS_PERIOD_HOURS),
      ),
      retrainDeadLetters: this.queueNotEmpty(
        'RetrainDeadLetterQueueDepth',
        'beatwatch: a scheduled retraining run could not complete (see the retrain dead-letter queue)',
        props.retrainDeadLetterQueue,
      ),
      archiveFreshness: new cloudwatch.Alarm(this, 'ArchiveFreshness', {
        alarmDescription: 'beatwatch: Firehose is behind archiving the stream to history/',
        metric: props.deliveryStream.metric('DeliveryToS3.DataFreshness', {
          statistic: 'Maximum',
          period: Duration.minutes(ARCHIVE_FRESHNESS_PERIOD_MINUTES),
        }),
        threshold: ARCHIVE_FRESHNESS_ALARM_SECONDS,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      sweepErrors: this.anyErrors(
        'SignalLostSweepErrors',
        'beatwatch: the signal-lost sweep failed: devices that stop sending may not raise signal-lost',
        props.sweepFunction,
        Duration.minutes(SWEEP_ERRORS_PERIOD_MINUTES),
      ),
      sweepDeadLetters: this.queueNotEmpty(
        'SignalLostSweepDeadLetterQueueDepth',
        'beatwatch: scheduled signal-lost sweeps failed or were not run (see the sweep dead-letter queue)',
        props.sweepDeadLetterQueue,
      ),
      ...this.streamHealthAlarms(),
    };
    if (props.alarmActions) {
      const action = new actions.SnsAction(props.topic);
      for (const alarm of Object.values(this.alarms)) {
        alarm.addAlarmAction(action);
        alarm.addOkAction(action);
      }
    }
    this.dashboard = this.buildDashboard(props, iteratorAge);
  }

  /** One alarm per {@link STREAM_HEALTH_ALARMS} entry, on the detector's EMF metric. */
  /** An alarm on any error of a function within `period`: a failed invocation needs a look. */
  private anyErrors(id: string, description: string, fn: lambda.IFunction, period: Duration): cloudwatch.Alarm {
    return new cloudwatch.Alarm(this, id, {
      alarmDescription: description,
      metric: fn.metricErrors({ statistic: 'Sum', period }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }

  /** An alarm on a failure or dead-letter queue holding any message: something was given up on. */
  private queueNotEmpty(id: string, description: string, queue: sqs.IQueue): cloudwatch.Alarm {
    return new cloudwatch.Alarm(this, id, {
      alarmDescription: description,
      metric: queue.metricApproximateNumberOfMessagesVisible({
        statistic: 'Maximum',
        period: Duration.minutes(QUEUE_DEPTH_PERIOD_MINUTES),
      }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }

  private streamHealthAlarms(): { [K in keyof typeof STREAM_HEALTH_ALARMS]: cloudwatch.Alarm } {
    const out = {} as Record<string, cloudwatch.Alarm>;
    for (const [key, spec] of Object.entries(STREAM_HEALTH_ALARMS)) {
      const minutes = key === 'noModelBatches' ? 1 : STREAM_HEALTH_PERIOD_MINUTES;
      out[key] = new cloudwatch.Alarm(this, `Detect${spec.metric}`, {
        alarmDescription: `beatwatch: ${spec.why} (${spec.metric} >= ${spec.threshold} in ${minutes} min)`,
        metric: new cloudwatch.Metric({
          namespace: METRICS_NAMESPACE,
          metricName: spec.metric,
          dimensionsMap: { service: DETECT_SERVICE_NAME },
          statistic: 'Sum',
          period: Duration.minutes(minutes),
        }),
        threshold: spec.threshold,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    }
    return out as { [K in keyof typeof STREAM_HEALTH_ALARMS]: cloudwatch.Alarm };
  }

  private buildDashboard(props: MonitoringProps, iteratorAge: cloudwatch.IMetric): cloudwatch.Dashboard {
    const period = Duration.minutes(DASHBOARD_PERIOD_MINUTES);
    const emf = (metricName: (typeof DETECT_METRICS)[number], statistic = 'Sum') =>
      new cloudwatch.Metric({
        namespace: METRICS_NAMESPACE,
        metricName,
        dimensionsMap: { service: DETECT_SERVICE_NAME },
        statistic,
        period,
      });
    const beatsPerSecond = new cloudwatch.MathExpression({
      expression: 'beats / PERIOD(beats)',
      usingMetrics: { beats: emf(DETECT_METRIC.beatsScored) },
      label: 'beats/s',
      period,
    });
    const anomalyRate = new cloudwatch.MathExpression({
      expression: 'IF(beats > 0, 100 * anomalous / beats, 0)',
      usingMetrics: { beats: emf(DETECT_METRIC.beatsScored), anomalous: emf(DETECT_METRIC.anomalousBeats) },
      label: 'anomalous beats (%)',
      period,
    });
    const dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { defaultInterval: Duration.hours(DASHBOARD_DEFAULT_HOURS) });
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({ title: 'Beats scored per second', left: [beatsPerSecond], width: 8 }),
      new cloudwatch.GraphWidget({ title: 'Anomaly rate', left: [anomalyRate], width: 8 }),
      new cloudwatch.GraphWidget({ title: 'Alerts', left: [emf(DETECT_METRIC.alerts)], width: 8 }),
    );
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Rejected records, segmenter restarts, beats found on a second lead, asystole vetoed by a second lead',
        left: [emf(DETECT_METRIC.rejectedRecords), emf(DETECT_METRIC.segmenterRestarts)],
        right: [emf(DETECT_METRIC.leadFallbackBeats), emf(DETECT_METRIC.asystoleVetoes)],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Detection lag (iterator age, ms)',
        left: [iteratorAge],
        leftAnnotations: [{ value: props.lagAlarmSeconds * 1000, label: 'lag alarm' }],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Scoring latency (ms)',
        left: [emf(DETECT_METRIC.scoringLatency, 'p50'), emf(DETECT_METRIC.scoringLatency, 'p95')],
        width: 8,
      }),
    );
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Stream health: device restarts, clock jumps, implausible and amplitude-flagged records',
        left: [
          emf(DETECT_METRIC.deviceRestarts),
          emf(DETECT_METRIC.clockJumps),
          emf(DETECT_METRIC.implausibleRecords),
          emf(DETECT_METRIC.amplitudeFlaggedRecords),
        ],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Capacity: device evictions, refused devices and records',
        left: [emf(DETECT_METRIC.deviceEvictions), emf(DETECT_METRIC.refusedDevices), emf(DETECT_METRIC.refusedRecords)],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Retries: no-model batches, failed and already-published alerts, duplicate records',
        left: [emf(DETECT_METRIC.noModelBatches), emf(DETECT_METRIC.failedAlerts), emf(DETECT_METRIC.alreadyPublishedAlerts)],
        right: [emf(DETECT_METRIC.duplicateRecords)],
        width: 8,
      }),
    );
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Patient adaptation: learning beats, held alerts, profiles learned, loaded and failed',
        left: [emf(DETECT_METRIC.learningBeats), emf(DETECT_METRIC.heldAlerts)],
        right: [emf(DETECT_METRIC.profilesLearned), emf(DETECT_METRIC.profileLoads), emf(DETECT_METRIC.profileFailures)],
        width: 24,
      }),
    );
    const retrainMetric = (metricName: (typeof RETRAIN_METRICS)[number], statistic: string) =>
      new cloudwatch.Metric({
        namespace: METRICS_NAMESPACE,
        metricName,
        dimensionsMap: { service: RETRAIN_SERVICE_NAME },
        statistic,
        period: Duration.days(1),
      });
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Retraining: promotions per day and run duration (s)',
        left: [retrainMetric(RETRAIN_METRIC.promoted, 'Sum')],
        right: [retrainMetric(RETRAIN_METRIC.retrainSeconds, 'Maximum'), retrainMetric(RETRAIN_METRIC.trainingSeconds, 'Maximum')],
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Retraining data: history records read and malformed, beats read and used',
        left: [
          retrainMetric(RETRAIN_METRIC.historyRecords, 'Sum'),
          retrainMetric(RETRAIN_METRIC.beatsRead, 'Sum'),
          retrainMetric(RETRAIN_METRIC.beatsUsed, 'Sum'),
        ],
        right: [retrainMetric(RETRAIN_METRIC.malformedHistoryRecords, 'Sum'), retrainMetric(RETRAIN_METRIC.malformedHistoryObjects, 'Sum')],
        width: 12,
      }),
    );
    dashboard.addWidgets(
      new cloudwatch.LogQueryWidget({
        title: 'Model version in service',
        logGroupNames: props.logGroups.map((group) => group.logGroupName),
        view: cloudwatch.LogQueryVisualizationType.TABLE,
        queryLines: [
          'fields @timestamp, modelVersion',
          'filter ispresent(modelVersion)',
          'stats latest(modelVersion) as model, count(*) as events by bin(1h) as hour',
          'sort hour desc',
        ],
        width: 12,
      }),
      new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: Object.values(this.alarms), width: 12, height: 8 }),
    );
    return dashboard;
  }

  /** Console URL of the dashboard. */
  dashboardUrl(): string {
    const stack = Stack.of(this);
    return `https://${stack.region}.console.aws.amazon.com/cloudwatch/home?region=${stack.region}#dashboards/dashboard/${this.dashboard.dashboardName}`;
  }
}
