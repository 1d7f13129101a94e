import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

/** Days KMS waits before deleting the key after the stack is destroyed (its maximum). */
export const KEY_DELETION_WAITING_DAYS = 30;

/**
 * The one customer-managed KMS key that encrypts every store of health data in the stack: the
 * stream, the bucket, the topic, the failure queues and the log groups.
 *
 * One key keeps the audit trail (CloudTrail key usage) in one place and lets an operator revoke
 * all access to the data by disabling it. Yearly rotation is on, and the key is retained when the
 * stack is destroyed so that retained data stays readable.
 */
export class DataKey extends Construct {
  /** The key; grant it to principals that read or write encrypted stores. */
  readonly key: kms.Key;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const stack = Stack.of(this);
    this.key = new kms.Key(this, 'Key', {
      description: 'beatwatch: encrypts the ECG stream, bucket, alerts topic, queues and logs',
      enableKeyRotation: true,
      rotationPeriod: Duration.days(365),
      pendingWindow: Duration.days(KEY_DELETION_WAITING_DAYS),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // CloudWatch Logs encrypts log groups with the key only if the key policy lets its regional
    // service principal do so, scoped to this account's log groups.
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchLogs',
        principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
        actions: [
          'kms:Encrypt',
          'kms:Decrypt',
          'kms:ReEncryptFrom',
          'kms:ReEncryptTo',
          'kms:GenerateDataKey',
          'kms:GenerateDataKeyWithoutPlaintext',
          'kms:DescribeKey',
        ],
        resources: ['*'],
        conditions: {
          ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${stack.partition}:logs:${stack.region}:${stack.account}:log-group:*` },
        },
      }),
    );
    // CloudWatch alarms publish to the encrypted alerts topic only if they may use the key.
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
    );
  }
}
