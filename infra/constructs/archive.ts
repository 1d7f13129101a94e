import { Duration, RemovalPolicy, Size, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { ManagedPolicyRole } from '../managed-policy-role';
import { PREFIX } from './storage';

/** Object key prefix of the archive: one folder per UTC hour (docs/ARCHITECTURE.md §3.4). */
export const HISTORY_OUTPUT_PREFIX = `${PREFIX.history}!{timestamp:yyyy/MM/dd/HH}/`;
/** Where Firehose puts records it could not deliver, by error type and day. */
export const HISTORY_ERROR_PREFIX = `${PREFIX.historyErrors}!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd}/`;
/** Seconds Firehose buffers before writing an object: history is read daily, not in real time. */
export const ARCHIVE_BUFFER_SECONDS = 300;
/** Buffer size in MiB: larger objects mean fewer S3 requests for the retrain job to list and get. */
export const ARCHIVE_BUFFER_MIB = 64;

/** Options of {@link Archive}. */
export interface ArchiveProps {
  readonly stream: kinesis.IStream;
  readonly bucket: s3.IBucket;
  readonly key: kms.IKey;
  readonly logRetentionDays: number;
}

/**
 * Firehose delivery from the ECG stream to `history/` in the data bucket: gzip, each Kinesis
 * payload as received (v1 JSON or v2 binary) followed by a newline, hour prefixes, SSE-KMS with the stack's key, failed deliveries
 * under `history-errors/`, delivery errors logged to an encrypted log group.
 *
 * The L2 destination would grant its role read/write on the whole bucket; the role it is handed
 * ignores those grants, and the real role gets only what delivery needs: read the stream, write
 * `history/` and `history-errors/`, use the key, write its log group.
 */
export class Archive extends Construct {
  readonly deliveryStream: firehose.DeliveryStream;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: ArchiveProps) {
    super(scope, id);
    const { bucket, key } = props;
    this.role = new ManagedPolicyRole(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('firehose.amazonaws.com'),
      description: 'beatwatch: Firehose archiving the ECG stream to history/',
    });
    const roleForL2 = this.role.withoutPolicyUpdates();
    this.logGroup = new logs.LogGroup(this, 'DeliveryLogs', {
      retention: props.logRetentionDays as logs.RetentionDays,
      encryptionKey: key,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    props.stream.grantRead(this.role);
    this.logGroup.grantWrite(this.role);
    iam.Grant.addToPrincipal({
      grantee: this.role,
      actions: ['s3:PutObject', 's3:GetObject', 's3:AbortMultipartUpload'],
      resourceArns: [bucket.arnForObjects(`${PREFIX.history}*`), bucket.arnForObjects(`${PREFIX.historyErrors}*`)],
    });
    iam.Grant.addToPrincipal({
      grantee: this.role,
      actions: ['s3:GetBucketLocation', 's3:ListBucket', 's3:ListBucketMultipartUploads'],
      resourceArns: [bucket.bucketArn],
    });
    key.grant(this.role, 'kms:GenerateDataKey', 'kms:Decrypt');

    this.deliveryStream = new firehose.DeliveryStream(this, 'DeliveryStream', {
      source: new firehose.KinesisStreamSource(props.stream),
      role: roleForL2,
      destination: new firehose.S3Bucket(bucket, {
        role: roleForL2,
        dataOutputPrefix: HISTORY_OUTPUT_PREFIX,
        errorOutputPrefix: HISTORY_ERROR_PREFIX,
        compression: firehose.Compression.GZIP,
        fileExtension: '.gz',
        bufferingInterval: Duration.seconds(ARCHIVE_BUFFER_SECONDS),
        bufferingSize: Size.mebibytes(ARCHIVE_BUFFER_MIB),
        encryptionKey: key,
        // The archive's framing (docs/ARCHITECTURE.md §3.4): a Kinesis source concatenates
        // payloads, this appends "\n" after each. The reader frames v2 records by their own
        // header, so the newline never has to be absent from binary data, but it keeps v1 lines
        // apart and gives the reader a place to resync after a damaged record.
        processors: [new firehose.AppendDelimiterToRecordProcessor()],
        loggingConfig: new firehose.EnableLogging(this.logGroup),
      }),
    });
    // CloudFormation must not create the delivery stream before its role may read the stream.
    this.deliveryStream.node.addDependency(this.role);
    // The L2 always adds a stack mapping of Firehose's CIDR blocks (for VPC destinations such as
    // Redshift or OpenSearch); with an S3 destination nothing refers to it.
    Validations.of(Stack.of(this)).acknowledge({
      id: 'CloudFormation-Validate::W7001',
      reason: 'Unused mapping of Firehose CIDR blocks added by aws-kinesisfirehose for VPC destinations; this stream delivers to S3.',
    });
  }
}
