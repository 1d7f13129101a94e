import { DeleteMessageBatchCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSClient } from '@aws-sdk/client-sqs';

/** One SNS notification as an SQS subscriber receives it (the standard envelope, unwrapped). */
export interface SnsNotification {
  readonly messageId: string;
  readonly topicArn: string;
  /** The published body (a string; beatwatch alerts are JSON). */
  readonly message: string;
  /** Message attributes, string values only (what beatwatch publishes). */
  readonly attributes: Readonly<Record<string, string>>;
  readonly timestamp: string;
}

interface SnsEnvelope {
  Type?: string;
  MessageId?: string;
  TopicArn?: string;
  Message?: string;
  Timestamp?: string;
  MessageAttributes?: Record<string, { Type?: string; Value?: string }>;
}

/**
 * Receives and deletes up to 10 notifications from an SQS queue subscribed to an SNS topic,
 * long-polling up to `waitSeconds`. Messages that are not SNS envelopes are deleted and skipped.
 *
 * @example
 * const alerts = await receiveSnsNotifications(aws.sqs, res.alertQueueUrl, 1);
 * for (const n of alerts) console.log(JSON.parse(n.message).id, n.attributes.severity);
 */
export async function receiveSnsNotifications(sqs: SQSClient, queueUrl: string, waitSeconds = 1): Promise<SnsNotification[]> {
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: waitSeconds }),
  );
  if (Messages.length === 0) return [];
  const out: SnsNotification[] = [];
  for (const m of Messages) {
    let envelope: SnsEnvelope;
    try {
      envelope = JSON.parse(m.Body ?? '') as SnsEnvelope;
    } catch {
      continue;
    }
    if (envelope.Type !== 'Notification' || typeof envelope.Message !== 'string') continue;
    const attributes: Record<string, string> = {};
    for (const [name, a] of Object.entries(envelope.MessageAttributes ?? {})) if (typeof a.Value === 'string') attributes[name] = a.Value;
    out.push({
      messageId: envelope.MessageId ?? '',
      topicArn: envelope.TopicArn ?? '',
      message: envelope.Message,
      attributes,
      timestamp: envelope.Timestamp ?? '',
    });
  }
  await sqs.send(
    new DeleteMessageBatchCommand({
      QueueUrl: queueUrl,
      Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
    }),
  );
  return out;
}
