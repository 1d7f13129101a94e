import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { ALERTS_PREFIX, DEVICES_PREFIX, HISTORY_ERRORS_PREFIX, HISTORY_PREFIX, MODELS_PREFIX, REJECTED_PREFIX } from '../../src/contract';
import { Construct } from 'constructs';

/** Key prefixes of the data bucket (docs/ARCHITECTURE.md §3.4), as src/contract defines them. */
export const PREFIX = {
  history: HISTORY_PREFIX,
  historyErrors: HISTORY_ERRORS_PREFIX,
  models: MODELS_PREFIX,
  alerts: ALERTS_PREFIX,
  rejected: REJECTED_PREFIX,
  devices: DEVICES_PREFIX,
} as const;

/** Days S3 keeps an overwritten or deleted object version (e.g. old `models/current.json` pointers). */
export const NONCURRENT_VERSION_DAYS = 90;
/** Days before S3 removes the parts of an abandoned multipart upload. */
export const ABORT_INCOMPLETE_UPLOAD_DAYS = 7;
/** Days the server access logs are kept. */
export const ACCESS_LOG_RETENTION_DAYS = 365;

/** Options of {@link Storage}. */
export interface StorageProps {
  readonly key: kms.IKey;
  /** Days `history/` objects are kept. */
  readonly historyRetentionDays: number;
  /** Days after which `history/` objects move to Standard-IA. */
  readonly historyInfrequentAccessDays: number;
  /** Days `rejected/` (quarantined records) objects are kept. */
  readonly rejectedRetentionDays: number;
  /** Days `alerts/` (alert snippets) objects are kept. */
  readonly alertsRetentionDays: number;
}

/**
 * The data bucket (history, models, alerts, rejected records) and the bucket that receives its
 * server access logs.
 *
 * The data bucket blocks public access, accepts TLS only, encrypts with the stack's KMS key (with
 * an S3 bucket key, so KMS is called once per bucket-key period instead of once per object), keeps
 * versions, logs every access and expires the archived stream after the configured retention.
 * Both buckets are retained when the stack is destroyed: they hold health data and audit logs.
 */
export class Storage extends Construct {
  /** Bucket with history/, models/, alerts/, rejected/. */
  readonly bucket: s3.Bucket;
  /** Target of the data bucket's server access logs. */
  readonly accessLogBucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: StorageProps) {
    super(scope, id);
    // Server access log delivery only supports SSE-S3 on the target bucket, not SSE-KMS.
    this.accessLogBucket = new s3.Bucket(this, 'AccessLogBucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: true,
      // ACLs enabled (objects still owned by the bucket owner): CloudFront's standard logs (the
      // console's distribution) are delivered with an ACL grant, which BucketOwnerEnforced refuses.
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [
        {
          id: 'expire-access-logs',
          expiration: Duration.days(ACCESS_LOG_RETENTION_DAYS),
          noncurrentVersionExpiration: Duration.days(NONCURRENT_VERSION_DAYS),
          abortIncompleteMultipartUploadAfter: Duration.days(ABORT_INCOMPLETE_UPLOAD_DAYS),
        },
      ],
    });

    const historyTransitions =
      props.historyInfrequentAccessDays < props.historyRetentionDays
        ? [{ storageClass: s3.StorageClass.INFREQUENT_ACCESS, transitionAfter: Duration.days(props.historyInfrequentAccessDays) }]
        : [];
    this.bucket = new s3.Bucket(this, 'DataBucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: props.key,
      bucketKeyEnabled: true,
      enforceSSL: true,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.accessLogBucket,
      serverAccessLogsPrefix: 'data-bucket/',
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [
        {
          id: 'history-retention',
          prefix: PREFIX.history,
          transitions: historyTransitions,
          expiration: Duration.days(props.historyRetentionDays),
        },
        {
          id: 'history-errors-retention',
          prefix: PREFIX.historyErrors,
          expiration: Duration.days(props.historyRetentionDays),
        },
        {
          id: 'rejected-retention',
          prefix: PREFIX.rejected,
          expiration: Duration.days(props.rejectedRetentionDays),
        },
        {
          id: 'alerts-retention',
          prefix: PREFIX.alerts,
          expiration: Duration.days(props.alertsRetentionDays),
        },
        {
          id: 'noncurrent-versions',
          noncurrentVersionExpiration: Duration.days(NONCURRENT_VERSION_DAYS),
          abortIncompleteMultipartUploadAfter: Duration.days(ABORT_INCOMPLETE_UPLOAD_DAYS),
        },
      ],
    });
  }
}
