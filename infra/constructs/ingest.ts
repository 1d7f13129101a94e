import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { ManagedPolicyRole } from '../managed-policy-role';

/** Options of {@link Ingest}. */
export interface IngestProps {
  readonly key: kms.IKey;
  /** Provisioned shards; absent means on-demand capacity. */
  readonly shardCount?: number;
  readonly retentionHours: number;
}

/**
 * The Kinesis data stream devices write wire-format records to (partition key = deviceId), and a
 * role that device gateways assume to write to it.
 *
 * On-demand capacity is the default: it needs no shard planning and scales with the number of
 * devices; a fixed shard count is cheaper for a steady, known load.
 */
export class Ingest extends Construct {
  /** The ECG stream. */
  readonly stream: kinesis.Stream;
  /** Role with exactly what a producer needs: put records and use the stream's key. */
  readonly producerRole: iam.Role;

  constructor(scope: Construct, id: string, props: IngestProps) {
    super(scope, id);
    this.stream = new kinesis.Stream(this, 'Stream', {
      streamMode: props.shardCount === undefined ? kinesis.StreamMode.ON_DEMAND : kinesis.StreamMode.PROVISIONED,
      shardCount: props.shardCount,
      encryption: kinesis.StreamEncryption.KMS,
      encryptionKey: props.key,
      retentionPeriod: Duration.hours(props.retentionHours),
      // The stream holds at most its retention period of data, all of it archived in history/;
      // keeping it after `cdk destroy` would only keep billing stream hours.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.producerRole = new ManagedPolicyRole(this, 'ProducerRole', {
      assumedBy: new iam.AccountRootPrincipal(),
      description: 'beatwatch: assumed by device gateways to put ECG records on the stream',
    });
    // Exactly the calls of a producer (the L2 grantWrite adds kms:ReEncrypt* and GenerateDataKey*).
    this.stream.grant(this.producerRole, 'kinesis:PutRecord', 'kinesis:PutRecords', 'kinesis:ListShards', 'kinesis:DescribeStreamSummary');
    props.key.grant(this.producerRole, 'kms:GenerateDataKey');
  }
}
