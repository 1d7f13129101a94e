import { Validations, type Stack } from 'aws-cdk-lib';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks, HIPAASecurityChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import type { BeatwatchStack } from './beatwatch-stack';
import { PREFIX } from './constructs/storage';

/** One accepted cdk-nag finding: where it is acknowledged, its exact id, and why. */
export interface Acknowledgement {
  readonly scope: IConstruct;
  readonly id: string;
  readonly reason: string;
}

const PREFIX_REASON =
  'Least privilege by key prefix (docs/ARCHITECTURE.md §3.4): the statement names one action on the objects under one prefix of the data bucket; the object names below the prefix are dynamic (hours, versions, alert ids, device ids), so a wildcard after the prefix is the narrowest possible grant.';

function prefixFinding(stack: Stack, bucket: s3.Bucket, prefix: string): string {
  const logicalId = stack.resolve(stack.getLogicalId(bucket.node.defaultChild as s3.CfnBucket)) as string;
  return `AwsSolutions-IAM5[Resource::<${logicalId}.Arn>/${prefix}*]`;
}

/**
 * The findings the design accepts on purpose, each on the narrowest scope that covers it.
 *
 * @example
 * for (const a of acknowledgements(stack)) console.log(a.id, a.reason);
 */
export function acknowledgements(stack: BeatwatchStack): Acknowledgement[] {
  const bucket = stack.storage.bucket;
  const detect = stack.detection.function.fn;
  const seed = stack.defaultModel.function.fn;
  const list: Acknowledgement[] = [
    ...[PREFIX.models, PREFIX.alerts, PREFIX.rejected, PREFIX.devices, PREFIX.history, PREFIX.historyErrors].map((prefix) => ({
      scope: stack,
      id: prefixFinding(stack, bucket, prefix),
      reason: PREFIX_REASON,
    })),
    {
      scope: stack.ingest.stream,
      id: 'AwsSolutions-KDS3',
      reason:
        'A customer-managed key is deliberate: the ECG stream carries health data, and one key for every store gives one audit trail and one switch to revoke access (the aws/kinesis key can be neither restricted nor disabled).',
    },
    {
      scope: stack.detection.failureQueue,
      id: 'AwsSolutions-SQS3',
      reason:
        "This queue is itself the dead-letter destination: the on-failure destination of the detect event source mapping (cdk-nag only recognises queues named in another queue's redrive policy).",
    },
    {
      scope: stack.archive.deliveryStream,
      id: 'AwsSolutions-KDF1',
      reason:
        'Firehose rejects delivery stream SSE when the source is a Kinesis stream; the data is encrypted at rest by the source stream (KMS, customer key) and in S3 (SSE-KMS, same key), and in transit by TLS.',
    },
    {
      scope: stack.storage,
      id: 'HIPAA.Security-S3BucketReplicationEnabled',
      reason:
        "Cross-region replication would copy health data to a second region, a data-residency decision for the deploying organisation; versioning, retention and S3's multi-AZ durability protect the data in its region.",
    },
    {
      scope: stack.storage.accessLogBucket,
      id: 'HIPAA.Security-S3DefaultEncryptionKMS',
      reason:
        'S3 server access log delivery supports only SSE-S3 on the target bucket; the bucket holds access logs (no health data) and is encrypted with SSE-S3.',
    },
    {
      scope: stack,
      id: 'HIPAA.Security-LambdaInsideVPC',
      reason:
        'The functions use only AWS service APIs (Kinesis, S3, SNS, SQS, KMS) over TLS with IAM authorisation and reach no VPC resource; a VPC would add NAT or interface endpoints without reducing exposure.',
    },
    {
      scope: detect,
      id: 'HIPAA.Security-LambdaDLQ',
      reason:
        "The detect function is invoked synchronously by its Kinesis event source mapping only; a function DLQ applies to asynchronous invocations, and the mapping's on-failure destination is an encrypted SQS queue.",
    },
    {
      scope: seed,
      id: 'HIPAA.Security-LambdaDLQ',
      reason:
        'Invoked by CloudFormation once per deployment as a custom resource; failures are reported to CloudFormation, which fails and rolls back the deployment.',
    },
    {
      scope: stack.console.table,
      id: 'HIPAA.Security-DynamoDBInBackupPlan',
      reason:
        'The alert state table has point-in-time recovery (continuous backups, any second of the last 35 days) and deletion protection, and is retained when the stack is deleted; an AWS Backup plan on top is an organisation-wide choice (vaults, retention, cross-account copies) left to the deployer.',
    },
    {
      scope: stack.console.function.fn,
      id: 'HIPAA.Security-LambdaDLQ',
      reason:
        'The console API function is invoked synchronously by API Gateway only; a failure is returned to the caller as an HTTP error, and a DLQ applies to asynchronous invocations.',
    },
    {
      scope: stack.console.site.distribution,
      id: 'AwsSolutions-CFR1',
      reason:
        'Clinicians on call sign in from wherever they are; access is decided by the Cognito sign-in (MFA required, clinicians group), not by country. A deployment whose staff never leave a region can add a geo restriction to the distribution.',
    },
    {
      scope: stack.console.site.distribution,
      id: 'AwsSolutions-CFR2',
      reason:
        "The console distribution serves a static page and the console API, whose every route requires a Cognito JWT of the clinicians group and is throttled at the stage; a CloudFront WAF web ACL lives in us-east-1 (a second stack for deployments elsewhere) and carries a monthly fee, an organisation's choice to add (rate limits, IP allow-lists), not a gap in access control.",
    },
    {
      scope: stack.console.site.distribution,
      id: 'AwsSolutions-CFR4',
      reason:
        "The distribution uses CloudFront's default *.cloudfront.net certificate, for which CloudFront fixes the viewer security policy; a minimum of TLSv1.2_2021 requires a custom domain and an ACM certificate in us-east-1 (the deployer's domain). Viewers are redirected to HTTPS, the API behaviour is HTTPS-only, and CloudFront reaches the API over TLS 1.2.",
    },
    {
      scope: stack.console.site.bucket,
      id: 'HIPAA.Security-S3BucketReplicationEnabled',
      reason:
        'The console site bucket holds only the page (index.html, app.js, config.json), republished by every deployment from the repository; it holds no health data and nothing a replica could restore that a redeployment does not.',
    },
    {
      scope: seed,
      id: 'HIPAA.Security-LambdaConcurrency',
      reason: 'Invoked by CloudFormation once per deployment; reserving concurrency for it would only take capacity from the account.',
    },
  ];
  if (stack.config.detectReservedConcurrency === undefined) {
    list.push({
      scope: detect,
      id: 'HIPAA.Security-LambdaConcurrency',
      reason:
        'Detect concurrency is bounded by the stream: shards x parallelizationFactor batches at most; reserving more would take capacity from the account and reserving less would throttle detection. Set context detectReservedConcurrency to reserve some.',
    });
  }
  if (!stack.config.alarmActions) {
    list.push({
      scope: stack.monitoring,
      id: 'HIPAA.Security-CloudWatchAlarmAction',
      reason:
        'The deployer set context alarmActions=false to route alarm notifications elsewhere (e.g. an existing on-call integration subscribing to the alarms), instead of the alerts topic.',
    });
  }
  return list;
}

/** Acknowledges every finding of {@link acknowledgements} on its scope. */
export function acknowledgeFindings(stack: BeatwatchStack): void {
  for (const { scope, id, reason } of acknowledgements(stack)) Validations.of(scope).acknowledge({ id, reason });
}

/**
 * Registers cdk-nag's AWS Solutions and HIPAA Security packs on the app and acknowledges the
 * findings the design accepts on purpose, each with its reason.
 *
 * @example
 * addNagChecks(app, stack);
 */
export function addNagChecks(app: IConstruct, stack: BeatwatchStack): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new HIPAASecurityChecks(app));
  acknowledgeFindings(stack);
}
