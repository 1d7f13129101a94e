import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { AlertSnippet, AnyAlertMessage, DetectSinks } from '../detect/ports';
import { quarantineRecord } from './quarantine';

/**
 * Publishes an alert to SNS: the JSON body of docs/ARCHITECTURE.md §3.3 (no samples) with the message
 * attributes `deviceId`, `severity` and `kind` (`beat`, `rhythm` or `technical`), so subscribers
 * can filter (an SNS filter policy on `kind`) without parsing the body.
 * Returns the SNS message id.
 *
 * @example
 * await publishAlert(sns, topicArn, toAlertMessage(decision, model.version));
 */
export async function publishAlert(sns: SNSClient, topicArn: string, message: AnyAlertMessage): Promise<string | undefined> {
  const out = await sns.send(
    new PublishCommand({
      TopicArn: topicArn,
      Message: JSON.stringify(message),
      MessageAttributes: {
        deviceId: { DataType: 'String', StringValue: message.deviceId },
        severity: { DataType: 'String', StringValue: message.severity },
        kind: { DataType: 'String', StringValue: message.kind ?? 'beat' },
      },
    }),
  );
  return out.MessageId;
}

/**
 * Writes an alert's snippet (its beats' windows and scores) to S3 under `key`, the alert's
 * `snippetKey`. Keyed by the alert id, so a retry overwrites the same object.
 */
export async function putAlertSnippet(s3: S3Client, bucket: string, key: string, snippet: AlertSnippet): Promise<void> {
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: JSON.stringify(snippet), ContentType: 'application/json' }));
}

/** Where the detector's side effects go. */
export interface DetectSinksConfig {
  readonly s3: S3Client;
  readonly sns: SNSClient;
  /** Bucket of `rejected/` and `alerts/`. */
  readonly bucket: string;
  /** SNS alerts topic. */
  readonly topicArn: string;
}

/**
 * The detector's {@link DetectSinks} over S3 and SNS: quarantine to `rejected/`, snippets to
 * `alerts/`, alerts to the topic.
 *
 * @example
 * const detector = new Detector(createDetectSinks({ s3: aws.s3, sns: aws.sns, bucket, topicArn }), decodeRecord);
 */
export function createDetectSinks(config: DetectSinksConfig): DetectSinks {
  return {
    quarantine: async (rejection) => {
      await quarantineRecord(config.s3, config.bucket, rejection);
    },
    putSnippet: (key, snippet) => putAlertSnippet(config.s3, config.bucket, key, snippet),
    publishAlert: async (message) => {
      await publishAlert(config.sns, config.topicArn, message);
    },
  };
}
