import { Duration } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** Days a failure record stays in its queue (SQS' maximum), time enough to investigate and replay. */
export const FAILURE_RETENTION_DAYS = 14;

/**
 * An SQS queue that collects what could not be processed (an event source mapping's on-failure
 * records, or a function's failed asynchronous invocations): encrypted with the stack's key,
 * TLS-only, kept for the maximum 14 days.
 */
export class FailureQueue extends Construct {
  readonly queue: sqs.Queue;

  constructor(scope: Construct, id: string, props: { readonly key: kms.IKey }) {
    super(scope, id);
    this.queue = new sqs.Queue(this, 'Queue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.key,
      enforceSSL: true,
      retentionPeriod: Duration.days(FAILURE_RETENTION_DAYS),
    });
  }
}
