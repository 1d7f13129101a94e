import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import * as path from 'node:path';
import type { BeatwatchConfig } from './config';
import { Alerting } from './constructs/alerting';
import { Archive } from './constructs/archive';
import { DefaultModel } from './constructs/default-model';
import { Detection } from './constructs/detection';
import { ALERT_STATE_INDEX, ClinicianConsole } from './constructs/console';
import { DataKey } from './constructs/encryption';
import { Ingest } from './constructs/ingest';
import { Monitoring } from './constructs/monitoring';
import { Retraining } from './constructs/retraining';
import { SignalLostSweep } from './constructs/signal-lost-sweep';
import { Storage } from './constructs/storage';

/** The project root: `infra/` sits directly under it. */
export const PROJECT_ROOT = path.resolve(import.meta.dirname, '..');

/** Files the stack deploys, relative to {@link PROJECT_ROOT} unless overridden. */
export interface BeatwatchSources {
  /** Detect handler entry (default `functions/detect.ts`). */
  readonly detectEntry: string;
  /** Retrain handler entry (default `functions/retrain.ts`). */
  readonly retrainEntry: string;
  /** Console API handler entry (default `functions/console-api.ts`). */
  readonly consoleApiEntry: string;
  /** Signal-lost sweep handler entry (default `functions/signal-lost-sweep.ts`). */
  readonly sweepEntry: string;
  /** Directory of the default model's `model.json` and `report.json` (default `data/default-model`). */
  readonly defaultModelDir: string;
}

/** The files a checkout of the project deploys. */
export const DEFAULT_SOURCES: BeatwatchSources = {
  detectEntry: path.join(PROJECT_ROOT, 'functions', 'detect.ts'),
  retrainEntry: path.join(PROJECT_ROOT, 'functions', 'retrain.ts'),
  consoleApiEntry: path.join(PROJECT_ROOT, 'functions', 'console-api.ts'),
  sweepEntry: path.join(PROJECT_ROOT, 'functions', 'signal-lost-sweep.ts'),
  defaultModelDir: path.join(PROJECT_ROOT, 'data', 'default-model'),
};

/** Options of {@link BeatwatchStack}. */
export interface BeatwatchStackProps extends StackProps {
  readonly config: BeatwatchConfig;
  /** Override the deployed files (defaults: {@link DEFAULT_SOURCES}). */
  readonly sources?: Partial<BeatwatchSources>;
}

/**
 * beatwatch in one stack (docs/ARCHITECTURE.md §1): ingest → detection → alerting, the archive and
 * retraining loop, and monitoring, all encrypted with one customer-managed key.
 *
 * @example
 * const app = new App();
 * new BeatwatchStack(app, 'Beatwatch', { config: readConfig((k) => app.node.tryGetContext(k)) });
 */
export class BeatwatchStack extends Stack {
  /** The configuration the stack was built with. */
  readonly config: BeatwatchConfig;
  readonly dataKey: DataKey;
  readonly storage: Storage;
  readonly ingest: Ingest;
  readonly alerting: Alerting;
  readonly detection: Detection;
  readonly archive: Archive;
  readonly retraining: Retraining;
  readonly defaultModel: DefaultModel;
  readonly monitoring: Monitoring;
  readonly console: ClinicianConsole;
  readonly signalLost: SignalLostSweep;

  constructor(scope: Construct, id: string, props: BeatwatchStackProps) {
    super(scope, id, { description: 'beatwatch: streaming ECG anomaly detection (Kinesis, Lambda, LSTM autoencoder, SNS)', ...props });
    const { config } = props;
    this.config = config;
    const sources = { ...DEFAULT_SOURCES, ...props.sources };
    const key = (this.dataKey = new DataKey(this, 'DataKey')).key;

    this.storage = new Storage(this, 'Storage', {
      key,
      historyRetentionDays: config.historyRetentionDays,
      historyInfrequentAccessDays: config.historyInfrequentAccessDays,
      rejectedRetentionDays: config.rejectedRetentionDays,
      alertsRetentionDays: config.alertsRetentionDays,
    });
    const bucket = this.storage.bucket;
    this.ingest = new Ingest(this, 'Ingest', { key, shardCount: config.shardCount, retentionHours: config.streamRetentionHours });
    this.alerting = new Alerting(this, 'Alerting', { key, alertEmail: config.alertEmail });
    this.detection = new Detection(this, 'Detection', {
      entry: sources.detectEntry,
      projectRoot: PROJECT_ROOT,
      config,
      key,
      stream: this.ingest.stream,
      bucket,
      topic: this.alerting.topic,
    });
    // The deploy-time function: seeds the default model, and publishes the console page.
    this.defaultModel = new DefaultModel(this, 'DefaultModel', {
      artifactDir: sources.defaultModelDir,
      handlerEntry: path.join(PROJECT_ROOT, 'functions', 'seed-default-model.ts'),
      projectRoot: PROJECT_ROOT,
      bucket,
      key,
      logRetentionDays: config.logRetentionDays,
    });
    this.console = new ClinicianConsole(this, 'Console', {
      entry: sources.consoleApiEntry,
      projectRoot: PROJECT_ROOT,
      config,
      key,
      bucket,
      detectFunction: this.detection.function.fn,
      logBucket: this.storage.accessLogBucket,
      seeder: { fn: this.defaultModel.function.fn, role: this.defaultModel.function.role },
    });
    this.signalLost = new SignalLostSweep(this, 'SignalLost', {
      entry: sources.sweepEntry,
      projectRoot: PROJECT_ROOT,
      config,
      key,
      table: this.console.table,
      indexName: ALERT_STATE_INDEX,
      topic: this.alerting.topic,
    });
    this.archive = new Archive(this, 'Archive', { stream: this.ingest.stream, bucket, key, logRetentionDays: config.logRetentionDays });
    this.retraining = new Retraining(this, 'Retraining', { entry: sources.retrainEntry, projectRoot: PROJECT_ROOT, config, key, bucket });
    // Retraining learns from the clinicians' labels in the alert state table.
    this.console.useLabelsIn(this.retraining.function.fn, bucket, key);
    // Without a model the detector fails its batches (nothing is lost, but they would exhaust
    // their retries); the mapping starts at TRIM_HORIZON, so holding it back until the model is
    // in place loses nothing.
    this.detection.startAfter(this.defaultModel.resource);
    this.monitoring = new Monitoring(this, 'Monitoring', {
      detectFunction: this.detection.function.fn,
      retrainFunction: this.retraining.function.fn,
      detectFailureQueue: this.detection.failureQueue,
      retrainDeadLetterQueue: this.retraining.deadLetterQueue,
      sweepFunction: this.signalLost.function.fn,
      sweepDeadLetterQueue: this.signalLost.deadLetterQueue,
      deliveryStream: this.archive.deliveryStream,
      logGroups: [this.detection.function.logGroup, this.retraining.function.logGroup],
      topic: this.alerting.topic,
      lagAlarmSeconds: config.lagAlarmSeconds,
      alarmActions: config.alarmActions,
    });

    new CfnOutput(this, 'StreamName', {
      value: this.ingest.stream.streamName,
      description: 'Kinesis stream: npx beatwatch replay ... --stream <this>',
    });
    new CfnOutput(this, 'BucketName', { value: bucket.bucketName, description: 'Data bucket: history/, models/, alerts/, rejected/' });
    new CfnOutput(this, 'AlertsTopicArn', { value: this.alerting.topic.topicArn, description: 'SNS topic of alerts (subscribe here)' });
    new CfnOutput(this, 'DashboardUrl', { value: this.monitoring.dashboardUrl(), description: 'CloudWatch dashboard' });
    new CfnOutput(this, 'ProducerRoleArn', {
      value: this.ingest.producerRole.roleArn,
      description: 'Role for device gateways that put records',
    });
  }
}
