import { HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { alertSentKey } from '../contract';
import type { AlertSnippet, AnyAlertMessage, DetectSinks } from '../detect';
import { quarantineRecord } from './quarantine';
import { isNotFound } from './s3-errors';

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

/**
 * Records that an alert's SNS message went out: `alerts/YYYY/MM/DD/<id>.sent.json` (the alert id,
 * when, the SNS message id). Written after the publish, so it never claims a message that did
 * not go out; a crash between the two leaves no marker and the alert may be sent once more.
 */
export async function markAlertSent(s3: S3Client, bucket: string, message: AnyAlertMessage, messageId: string | undefined): Promise<void> {
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: alertSentKey(message.id, message.from),
      Body: JSON.stringify({ id: message.id, sentAt: new Date().toISOString(), messageId: messageId ?? null }),
      ContentType: 'application/json',
    }),
  );
}

/** Whether an alert's sent marker exists (see {@link markAlertSent}). */
export async function alertWasSent(s3: S3Client, bucket: string, message: Pick<AnyAlertMessage, 'id' | 'from'>): Promise<boolean> {
  try {
    await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: alertSentKey(message.id, message.from) }));
    return true;
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}

/** Where the detector's side effects go. */
export interface DetectSinksConfig {
  readonly s3: S3Client;
  readonly sns: SNSClient;
  /** Bucket of `rejected/` and `alerts/`. */
  readonly bucket: string;
  /** SNS alerts topic. */
  readonly topicArn: string;
  /**
   * Look for an alert's sent marker first and skip an alert that already went out (its snippet
   * and its message): what `beatwatch redrive` asks for, since the records it re-drives may hold
   * alerts the detector already sent. The detector itself does not look (a request per alert
   * saved): its own retries are covered by the publish watermark (docs/ARCHITECTURE.md §4).
   */
  readonly skipSent?: boolean;
  /** Told each alert skipped because its marker says it was sent (with `skipSent`). */
  readonly onAlreadySent?: (message: AnyAlertMessage) => void;
  /** Told when a sent marker could not be written; the alert itself went out, so it does not fail. */
  readonly onMarkerError?: (err: unknown) => void;
}

/**
 * The detector's {@link DetectSinks} over S3 and SNS: quarantine to `rejected/`, snippets to
 * `alerts/`, alerts to the topic, then each alert's sent marker beside its snippet.
 *
 * @example
 * const detector = new Detector(createDetectSinks({ s3: aws.s3, sns: aws.sns, bucket, topicArn }), decodeRecord);
 */
export function createDetectSinks(config: DetectSinksConfig): DetectSinks {
  // Alerts known to have gone out (by their marker, or sent here): asked about once each.
  const sent = new Set<string>();
  const wasSent = async (message: Pick<AnyAlertMessage, 'id' | 'from'>) => {
    if (!config.skipSent) return false;
    if (sent.has(message.id)) return true;
    if (!(await alertWasSent(config.s3, config.bucket, message))) return false;
    sent.add(message.id);
    return true;
  };
  return {
    quarantine: async (rejection) => {
      await quarantineRecord(config.s3, config.bucket, rejection);
    },
    putSnippet: async (key, snippet) => {
      // The snippet of an alert that went out stays as it was sent.
      if (await wasSent(snippet.alert)) return;
      await putAlertSnippet(config.s3, config.bucket, key, snippet);
    },
    publishAlert: async (message) => {
      if (await wasSent(message)) {
        config.onAlreadySent?.(message);
        return;
      }
      const messageId = await publishAlert(config.sns, config.topicArn, message);
      if (config.skipSent) sent.add(message.id);
      await markAlertSent(config.s3, config.bucket, message, messageId).catch((err: unknown) => config.onMarkerError?.(err));
    },
  };
}
