import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';

/**
 * Grants reading the objects under one key prefix, and listing that prefix only.
 *
 * The L2 `bucket.grantRead` grants `s3:GetObject*`, `s3:GetBucket*` and `s3:List*`; beatwatch's
 * functions need exactly `s3:GetObject` and a prefix-scoped `s3:ListBucket`, so the grant says so.
 * Objects are SSE-KMS encrypted: reading them needs `kms:Decrypt` on the bucket's key.
 *
 * @example
 * grantReadPrefix(detector.fn, bucket, key, 'models/');
 */
export function grantReadPrefix(grantee: iam.IGrantable, bucket: s3.IBucket, key: kms.IKey, prefix: string): iam.Grant {
  const grant = iam.Grant.addToPrincipal({ grantee, actions: ['s3:GetObject'], resourceArns: [bucket.arnForObjects(`${prefix}*`)] });
  // Without ListBucket S3 answers a missing key with 403 instead of 404 ("not there yet" would
  // look like a permission problem); the condition keeps the listing inside the prefix.
  iam.Grant.addToPrincipal({
    grantee,
    actions: ['s3:ListBucket'],
    resourceArns: [bucket.bucketArn],
    conditions: { StringLike: { 's3:prefix': [`${prefix}*`] } },
  });
  key.grant(grantee, 'kms:Decrypt');
  return grant;
}

/**
 * Grants writing objects under one key prefix (`s3:PutObject` only: no delete, no ACLs, no
 * tagging). Writing an SSE-KMS object with a bucket key needs `kms:GenerateDataKey` (and
 * `kms:Decrypt` for multipart uploads, which the SDK uses for large bodies).
 *
 * @example
 * grantWritePrefix(detector.fn, bucket, key, 'alerts/');
 */
export function grantWritePrefix(grantee: iam.IGrantable, bucket: s3.IBucket, key: kms.IKey, prefix: string): iam.Grant {
  const grant = iam.Grant.addToPrincipal({ grantee, actions: ['s3:PutObject'], resourceArns: [bucket.arnForObjects(`${prefix}*`)] });
  key.grant(grantee, 'kms:GenerateDataKey', 'kms:Decrypt');
  return grant;
}

/**
 * Grants publishing to a topic encrypted with `key`: `sns:Publish` on the topic, and the two KMS
 * actions SNS uses on the publisher's behalf (the L2 `grantPublish` grants `kms:GenerateDataKey*`).
 *
 * @example
 * grantPublishEncrypted(detector.fn, alertsTopic, key);
 */
export function grantPublishEncrypted(grantee: iam.IGrantable, topic: sns.ITopic, key: kms.IKey): iam.Grant {
  const grant = iam.Grant.addToPrincipal({ grantee, actions: ['sns:Publish'], resourceArns: [topic.topicArn] });
  key.grant(grantee, 'kms:GenerateDataKey', 'kms:Decrypt');
  return grant;
}

/**
 * Grants exactly `actions` on a table and the named indexes (no `dynamodb:*`, no other table),
 * and the two KMS actions DynamoDB uses on the caller's behalf for a table encrypted with `key`.
 * `only: 'indexes'` grants them on the indexes alone (a query of an index needs nothing on the table).
 *
 * @example
 * grantTableActions(sweep.fn, table, key, ['dynamodb:Query'], { indexes: ['gsi1'], only: 'indexes' });
 */
export function grantTableActions(
  grantee: iam.IGrantable,
  table: dynamodb.ITable,
  key: kms.IKey,
  actions: string[],
  options: { readonly indexes?: readonly string[]; readonly only?: 'indexes' } = {},
): iam.Grant {
  const indexArns = (options.indexes ?? []).map((i) => `${table.tableArn}/index/${i}`);
  const grant = iam.Grant.addToPrincipal({
    grantee,
    actions,
    resourceArns: options.only === 'indexes' ? indexArns : [table.tableArn, ...indexArns],
  });
  key.grant(grantee, 'kms:Decrypt', 'kms:GenerateDataKey');
  return grant;
}
