import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_DETECT_BATCH_SIZE,
  DEFAULT_DETECT_MAX_BATCHING_WINDOW_SECONDS,
  DEFAULT_DETECT_MAX_RECORD_AGE_SECONDS,
  DEFAULT_DETECT_MEMORY_MB,
  DEFAULT_DETECT_RETRY_ATTEMPTS,
  DEFAULT_REJECTED_RETENTION_DAYS,
  DEFAULT_ALERTS_RETENTION_DAYS,
  DEFAULT_DETECT_TIMEOUT_SECONDS,
  DEFAULT_HISTORY_INFREQUENT_ACCESS_DAYS,
  DEFAULT_HISTORY_RETENTION_DAYS,
  DEFAULT_LOG_RETENTION_DAYS,
  DEFAULT_RETRAIN_MEMORY_MB,
  DEFAULT_RETRAIN_TIMEOUT_SECONDS,
  DEFAULT_STREAM_RETENTION_HOURS,
} from '../../infra/config';
import { onlyResource, synthStack } from './synth';

const { template, stack } = synthStack();
const keyId = onlyResource(template, 'AWS::KMS::Key').id;
const keyArn = { 'Fn::GetAtt': [keyId, 'Arn'] };
const logicalId = (construct: { node: { defaultChild?: unknown } }) =>
  stack.resolve(stack.getLogicalId(construct.node.defaultChild as never)) as string;
const dataBucketId = logicalId(stack.storage.bucket);
const detectId = logicalId(stack.detection.function.fn);
const retrainId = logicalId(stack.retraining.function.fn);

describe('encryption key', () => {
  it('is a rotating customer-managed key, retained with the data', () => {
    template.hasResource('AWS::KMS::Key', { Properties: { EnableKeyRotation: true, RotationPeriodInDays: 365 }, DeletionPolicy: 'Retain' });
  });

  it('lets CloudWatch Logs (this account only) and CloudWatch alarms use it', () => {
    const policy = JSON.stringify(onlyResource(template, 'AWS::KMS::Key').props.KeyPolicy);
    expect(policy).toContain('kms:EncryptionContext:aws:logs:arn');
    expect(policy).toContain('cloudwatch.amazonaws.com');
  });
});

describe('ingest stream', () => {
  it('is on-demand, KMS-encrypted with the stack key, 24 h retention by default', () => {
    template.hasResourceProperties('AWS::Kinesis::Stream', {
      StreamModeDetails: { StreamMode: 'ON_DEMAND' },
      StreamEncryption: { EncryptionType: 'KMS', KeyId: keyArn },
      RetentionPeriodHours: DEFAULT_STREAM_RETENTION_HOURS,
    });
    expect(onlyResource(template, 'AWS::Kinesis::Stream').props.ShardCount).toBeUndefined();
  });

  it('is provisioned with the given shards and retention from context', () => {
    const { template: t } = synthStack({ shardCount: '4', streamRetentionHours: '48' });
    t.hasResourceProperties('AWS::Kinesis::Stream', {
      StreamModeDetails: { StreamMode: 'PROVISIONED' },
      ShardCount: 4,
      RetentionPeriodHours: 48,
    });
  });
});

describe('data bucket', () => {
  const bucket = template.toJSON().Resources[dataBucketId];

  it('blocks public access, encrypts with the stack key, keeps versions, is retained', () => {
    expect(bucket.DeletionPolicy).toBe('Retain');
    expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0]).toEqual({
      BucketKeyEnabled: true,
      ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: keyArn },
    });
    expect(bucket.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
  });

  it('logs access to a separate, TLS-only, private log bucket', () => {
    const logBucketId = logicalId(stack.storage.accessLogBucket);
    expect(bucket.Properties.LoggingConfiguration.DestinationBucketName).toEqual({ Ref: logBucketId });
    expect(logBucketId).not.toBe(dataBucketId);
    const logBucket = template.toJSON().Resources[logBucketId];
    expect(logBucket.Properties.PublicAccessBlockConfiguration.BlockPublicPolicy).toBe(true);
    expect(logBucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm).toBe(
      'AES256',
    );
  });

  it('denies every request without TLS, on every bucket (data, access logs, console site)', () => {
    const policies = Object.values(template.findResources('AWS::S3::BucketPolicy'));
    expect(policies).toHaveLength(3);
    for (const policy of policies) {
      expect(policy.Properties.PolicyDocument.Statement).toContainEqual(
        expect.objectContaining({
          Effect: 'Deny',
          Action: 's3:*',
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }),
      );
    }
  });

  it('expires history/ after the retention and moves it to Standard-IA first', () => {
    expect(bucket.Properties.LifecycleConfiguration.Rules).toContainEqual({
      Id: 'history-retention',
      Prefix: 'history/',
      Status: 'Enabled',
      ExpirationInDays: DEFAULT_HISTORY_RETENTION_DAYS,
      Transitions: [{ StorageClass: 'STANDARD_IA', TransitionInDays: DEFAULT_HISTORY_INFREQUENT_ACCESS_DAYS }],
    });
    const { template: t, stack: s } = synthStack({ historyRetentionDays: '20' });
    const rules =
      t.toJSON().Resources[s.resolve(s.getLogicalId(s.storage.bucket.node.defaultChild as never))].Properties.LifecycleConfiguration.Rules;
    // A transition at or after expiry is pointless (and rejected by S3): none is configured.
    expect(rules.find((r: { Id: string }) => r.Id === 'history-retention')).toEqual({
      Id: 'history-retention',
      Prefix: 'history/',
      Status: 'Enabled',
      ExpirationInDays: 20,
    });
  });
});

describe('lifecycle of rejected/ and alerts/', () => {
  it('expires them after their retention (defaults: 90 days and 6 years), configurable by context', () => {
    const rulesOf = (over: Record<string, string> = {}) => {
      const { template: t, stack: s } = synthStack(over);
      return t.toJSON().Resources[s.resolve(s.getLogicalId(s.storage.bucket.node.defaultChild as never))].Properties.LifecycleConfiguration
        .Rules as { Id: string }[];
    };
    expect([DEFAULT_REJECTED_RETENTION_DAYS, DEFAULT_ALERTS_RETENTION_DAYS]).toEqual([90, 2190]);
    const rules = rulesOf();
    expect(rules).toContainEqual({ Id: 'rejected-retention', Prefix: 'rejected/', Status: 'Enabled', ExpirationInDays: 90 });
    expect(rules).toContainEqual({ Id: 'alerts-retention', Prefix: 'alerts/', Status: 'Enabled', ExpirationInDays: 2190 });
    const custom = rulesOf({ rejectedRetentionDays: '7', alertsRetentionDays: '3650' });
    expect(custom).toContainEqual({ Id: 'rejected-retention', Prefix: 'rejected/', Status: 'Enabled', ExpirationInDays: 7 });
    expect(custom).toContainEqual({ Id: 'alerts-retention', Prefix: 'alerts/', Status: 'Enabled', ExpirationInDays: 3650 });
  });
});

describe('alerts topic', () => {
  it('is encrypted with the stack key and refuses publishers without TLS', () => {
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: keyArn });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Action: 'sns:Publish', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('has an e-mail subscription only when alertEmail is set', () => {
    template.resourceCountIs('AWS::SNS::Subscription', 0);
    const { template: t } = synthStack({ alertEmail: 'oncall@example.org' });
    t.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'oncall@example.org' });
  });
});

describe('detect function', () => {
  const fn = template.toJSON().Resources[detectId].Properties;

  it('runs on arm64 nodejs24.x with the sized memory and timeout', () => {
    expect(fn.Architectures).toEqual(['arm64']);
    expect(fn.Runtime).toBe('nodejs24.x');
    expect(fn.MemorySize).toBe(DEFAULT_DETECT_MEMORY_MB);
    expect(fn.Timeout).toBe(DEFAULT_DETECT_TIMEOUT_SECONDS);
  });

  it('gets the bucket, topic and pointer key', () => {
    expect(fn.Environment.Variables).toMatchObject({
      BUCKET_NAME: { Ref: dataBucketId },
      TOPIC_ARN: { Ref: logicalId(stack.alerting.topic) },
      MODEL_POINTER_KEY: 'models/current.json',
    });
    expect(fn.KmsKeyArn).toEqual(keyArn);
  });

  it('is fed by the stream from TRIM_HORIZON with partial batch failures, bisect, finite retries, max age and an SQS on-failure destination', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: detectId },
      EventSourceArn: { 'Fn::GetAtt': [logicalId(stack.ingest.stream), 'Arn'] },
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: DEFAULT_DETECT_BATCH_SIZE,
      MaximumBatchingWindowInSeconds: DEFAULT_DETECT_MAX_BATCHING_WINDOW_SECONDS,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: DEFAULT_DETECT_RETRY_ATTEMPTS,
      MaximumRecordAgeInSeconds: DEFAULT_DETECT_MAX_RECORD_AGE_SECONDS,
      ParallelizationFactor: 1,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [logicalId(stack.detection.failureQueue), 'Arn'] } } },
    });
  });

  it('starts consuming only once the default model is in place', () => {
    const mapping = Object.values(template.findResources('AWS::Lambda::EventSourceMapping'))[0];
    expect(mapping.DependsOn).toContain(logicalId(stack.defaultModel.resource));
  });

  it('takes parallelization factor, batch settings, sizing and reserved concurrency from context', () => {
    const { template: t } = synthStack({
      parallelizationFactor: '4',
      detectBatchSize: '250',
      detectMemoryMb: '1024',
      detectTimeoutSeconds: '30',
      detectReservedConcurrency: '20',
    });
    t.hasResourceProperties('AWS::Lambda::EventSourceMapping', { ParallelizationFactor: 4, BatchSize: 250 });
    t.hasResourceProperties('AWS::Lambda::Function', { MemorySize: 1024, Timeout: 30, ReservedConcurrentExecutions: 20 });
  });

  it('passes alert policy overrides from context to the detector', () => {
    const { template: t } = synthStack({ alertK: '4', alertN: '12' });
    t.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ ALERT_K: '4', ALERT_N: '12', MODEL_POINTER_KEY: 'models/current.json' }) },
    });
    expect(fn.Environment.Variables.ALERT_K).toBeUndefined();
  });

  it('has an encrypted, TLS-only failure queue', () => {
    const queue = template.toJSON().Resources[logicalId(stack.detection.failureQueue)].Properties;
    expect(queue.KmsMasterKeyId).toEqual(keyArn);
    expect(queue.MessageRetentionPeriod).toBe(14 * 24 * 3600);
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: logicalId(stack.detection.failureQueue) }],
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
      },
    });
  });
});

describe('archive (Firehose)', () => {
  const delivery = onlyResource(template, 'AWS::KinesisFirehose::DeliveryStream').props;
  const s3 = delivery.ExtendedS3DestinationConfiguration as Record<string, unknown>;

  it('reads the stream and writes hour-prefixed gzip records, a newline after each, to history/, encrypted, with an error prefix', () => {
    expect(delivery.DeliveryStreamType).toBe('KinesisStreamAsSource');
    expect(delivery.KinesisStreamSourceConfiguration).toMatchObject({
      KinesisStreamARN: { 'Fn::GetAtt': [logicalId(stack.ingest.stream), 'Arn'] },
    });
    expect(s3.BucketARN).toEqual({ 'Fn::GetAtt': [dataBucketId, 'Arn'] });
    expect(s3.Prefix).toBe('history/!{timestamp:yyyy/MM/dd/HH}/');
    expect(s3.ErrorOutputPrefix).toBe('history-errors/!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd}/');
    expect(s3.CompressionFormat).toBe('GZIP');
    expect(s3.FileExtension).toBe('.gz');
    expect(s3.EncryptionConfiguration).toEqual({ KMSEncryptionConfig: { AWSKMSKeyARN: keyArn } });
    expect(s3.ProcessingConfiguration).toEqual({ Enabled: true, Processors: [{ Type: 'AppendDelimiterToRecord', Parameters: [] }] });
  });

  it('logs delivery errors to an encrypted log group', () => {
    expect(s3.CloudWatchLoggingOptions).toMatchObject({ Enabled: true, LogGroupName: { Ref: logicalId(stack.archive.logGroup) } });
  });
});

describe('retrain function', () => {
  const fn = template.toJSON().Resources[retrainId].Properties;

  it('runs on arm64 nodejs24.x sized for the training budget, one run at a time', () => {
    expect(fn).toMatchObject({
      Architectures: ['arm64'],
      Runtime: 'nodejs24.x',
      MemorySize: DEFAULT_RETRAIN_MEMORY_MB,
      Timeout: DEFAULT_RETRAIN_TIMEOUT_SECONDS,
      ReservedConcurrentExecutions: 1,
    });
    expect(fn.Environment.Variables).toMatchObject({
      BUCKET_NAME: { Ref: dataBucketId },
      RETRAIN_HISTORY_DAYS: '7',
      RETRAIN_SAFETY_MARGIN_SECONDS: '120',
    });
    expect(fn.DeadLetterConfig).toEqual({ TargetArn: { 'Fn::GetAtt': [logicalId(stack.retraining.deadLetterQueue), 'Arn'] } });
  });

  it('runs daily by default, on the retrainSchedule from context otherwise', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 day)',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [retrainId, 'Arn'] } })],
    });
    const { template: t } = synthStack({ retrainSchedule: 'cron(0 3 * * ? *)' });
    t.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'cron(0 3 * * ? *)' });
  });

  it('does not retry a failed run (the next schedule does)', () => {
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { FunctionName: { Ref: retrainId }, MaximumRetryAttempts: 0 });
  });
});

describe('encryption at rest', () => {
  it('covers every store with the stack key (the access-log bucket with SSE-S3, all S3 log delivery supports; the console site too)', () => {
    const byType = (type: string) => Object.values(template.findResources(type)).map((r) => r.Properties);
    for (const queue of byType('AWS::SQS::Queue')) expect(queue.KmsMasterKeyId).toEqual(keyArn);
    for (const topic of byType('AWS::SNS::Topic')) expect(topic.KmsMasterKeyId).toEqual(keyArn);
    for (const stream of byType('AWS::Kinesis::Stream')) expect(stream.StreamEncryption).toEqual({ EncryptionType: 'KMS', KeyId: keyArn });
    for (const group of byType('AWS::Logs::LogGroup')) expect(group.KmsKeyId).toEqual(keyArn);
    for (const fn of byType('AWS::Lambda::Function')) expect(fn.KmsKeyArn).toEqual(keyArn);
    const buckets = byType('AWS::S3::Bucket')
      .map((b) => b.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm)
      .sort();
    expect(buckets).toEqual(['AES256', 'aws:kms', 'aws:kms']);
    expect(byType('AWS::SQS::Queue')).toHaveLength(3); // detect failures, retrain and sweep dead letters
  });
});

describe('log groups', () => {
  it('all have the configured retention and the stack key', () => {
    const groups = Object.values(template.findResources('AWS::Logs::LogGroup'));
    expect(groups).toHaveLength(7); // detect, retrain, seed, signal-lost sweep, Firehose, console API, its access logs
    for (const group of groups) {
      expect(group.Properties).toMatchObject({ RetentionInDays: DEFAULT_LOG_RETENTION_DAYS, KmsKeyId: keyArn });
    }
  });

  it('are used by every function', () => {
    for (const fn of Object.values(template.findResources('AWS::Lambda::Function'))) {
      expect(fn.Properties.LoggingConfig.LogGroup).toHaveProperty('Ref');
    }
  });
});

describe('default model', () => {
  it('is copied by a custom resource from the file assets to models/ with the pointer key', () => {
    template.hasResourceProperties('Custom::BeatwatchDefaultModel', {
      ServiceToken: { 'Fn::GetAtt': [logicalId(stack.defaultModel.function.fn), 'Arn'] },
      BucketName: { Ref: dataBucketId },
      ModelsPrefix: 'models/',
      PointerKey: 'models/current.json',
      ServiceTimeout: '300',
      Model: { Key: Match.stringLikeRegexp('^[0-9a-f]{64}\\.json$') },
      Report: { Key: Match.stringLikeRegexp('^[0-9a-f]{64}\\.json$') },
    });
  });

  it('needs no BucketDeployment (no Python function, no CLI layer)', () => {
    for (const fn of Object.values(template.findResources('AWS::Lambda::Function'))) {
      expect(fn.Properties.Runtime).toBe('nodejs24.x');
    }
    template.resourceCountIs('AWS::Lambda::LayerVersion', 0);
  });
});

describe('outputs', () => {
  it('name the stream, bucket, topic and dashboard URL', () => {
    const outputs = template.toJSON().Outputs;
    expect(outputs.StreamName.Value).toEqual({ Ref: logicalId(stack.ingest.stream) });
    expect(outputs.BucketName.Value).toEqual({ Ref: dataBucketId });
    expect(outputs.AlertsTopicArn.Value).toEqual({ Ref: logicalId(stack.alerting.topic) });
    expect(JSON.stringify(outputs.DashboardUrl.Value)).toContain('#dashboards/dashboard/');
  });
});

describe('environment', () => {
  it('is agnostic: no account or region is baked into the template', () => {
    const text = JSON.stringify(template.toJSON());
    expect(text).not.toMatch(/\b\d{12}\b/);
    expect(stack.environment).toBe('aws://unknown-account/unknown-region');
  });
});
