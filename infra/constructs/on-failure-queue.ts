import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';

/**
 * An event source mapping's on-failure destination on an SQS queue encrypted with a KMS key,
 * granting exactly what Lambda needs to deliver the failure record: `sqs:SendMessage` on the
 * queue, `kms:GenerateDataKey` and `kms:Decrypt` on its key. (The L2 `SqsDlq` grants
 * `grantSendMessages`, which adds `kms:ReEncrypt*`, `kms:GenerateDataKey*` and two read actions.)
 *
 * @example
 * new KinesisEventSource(stream, { onFailure: new EncryptedSqsOnFailure(queue, key), ... });
 */
export class EncryptedSqsOnFailure implements lambda.IEventSourceDlq {
  constructor(
    private readonly queue: sqs.IQueue,
    private readonly key: kms.IKey,
  ) {}

  bind(_target: lambda.IEventSourceMapping, targetHandler: lambda.IFunction): lambda.DlqDestinationConfig {
    iam.Grant.addToPrincipal({ grantee: targetHandler, actions: ['sqs:SendMessage'], resourceArns: [this.queue.queueArn] });
    this.key.grant(targetHandler, 'kms:GenerateDataKey', 'kms:Decrypt');
    return { destination: this.queue.queueArn };
  }
}
