/**
 * AWS list prices the cost figures use, written once (us-east-1, USD). Change them here, with
 * the date, when AWS changes them; `npm run bench -- --only cost` prints the README's table.
 * Each price names the AWS pricing page it comes from ({@link PRICE_SOURCES}).
 */

/** When these prices were written down (from the us-east-1 pricing pages). */
export const PRICES_DATE = '2026-12-06';

/** The AWS pricing pages (us-east-1, on-demand list prices) the figures below were read from. */
export const PRICE_SOURCES = {
  kinesis: 'Amazon Kinesis Data Streams pricing (on-demand and provisioned modes)',
  firehose: 'Amazon Data Firehose pricing (Kinesis Data Streams as source, direct PUT ingestion rates)',
  s3: 'Amazon S3 pricing (storage: S3 Standard, first 50 TB; S3 Standard-Infrequent Access)',
  lambda: 'AWS Lambda pricing (Arm price, requests)',
} as const;

export const PRICES = {
  // PRICE_SOURCES.kinesis
  /** Kinesis on-demand: per GB ingested; each record's size is rounded up to 1 KB. */
  kinesisOnDemandIngestPerGb: 0.08,
  /** Kinesis on-demand: per GB read by each standard consumer (records rounded up to 1 KB). */
  kinesisOnDemandRetrievalPerGb: 0.04,
  /** Kinesis on-demand stream hour (per stack, not per patient). */
  kinesisOnDemandStreamHour: 0.04,
  /** Kinesis on-demand rounds each record to this many bytes for billing. */
  kinesisOnDemandRecordBytes: 1024,
  /** Kinesis provisioned: per shard hour. */
  kinesisShardHour: 0.015,
  /** Kinesis provisioned: per million PUT payload units of 25 KB. */
  kinesisPutUnitsPerMillion: 0.014,
  /** Kinesis provisioned shard limits: records and bytes ingested per second. */
  shardRecordsPerSecond: 1000,
  shardBytesPerSecond: 1024 * 1024,
  // PRICE_SOURCES.firehose
  /** Firehose: per GB ingested; each record is billed in 5 KB increments. */
  firehosePerGb: 0.029,
  firehoseRecordBytes: 5 * 1024,
  // PRICE_SOURCES.s3
  /** S3 Standard and Standard-IA storage per GB-month. */
  s3StandardGbMonth: 0.023,
  s3InfrequentGbMonth: 0.0125,
  // PRICE_SOURCES.lambda
  /** Lambda arm64 per GB-second and per request. */
  lambdaArmGbSecond: 0.0000133334,
  lambdaRequest: 0.2 / 1e6,
  /** DynamoDB on demand: per write request unit (1 KB written) and read request unit (4 KB strongly, 8 KB eventually consistent). */
  dynamoWriteUnit: 0.625 / 1e6,
  dynamoReadUnit: 0.125 / 1e6,
} as const;

/** Seconds in the patient-month the figures are for (30 days). */
export const PATIENT_MONTH_SECONDS = 30 * 86_400;
