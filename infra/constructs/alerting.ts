import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

/** Options of {@link Alerting}. */
export interface AlertingProps {
  readonly key: kms.IKey;
  /** Address subscribed to the topic (SNS sends a confirmation e-mail first). */
  readonly alertEmail?: string;
}

/**
 * The SNS topic that carries alerts (docs/ARCHITECTURE.md §3.3), encrypted with the stack's key and refusing
 * publishers that do not use TLS. Subscribers filter on the `severity` and `deviceId` message
 * attributes; CloudWatch alarm notifications (if enabled) carry neither.
 */
export class Alerting extends Construct {
  /** The alerts topic. */
  readonly topic: sns.Topic;

  constructor(scope: Construct, id: string, props: AlertingProps) {
    super(scope, id);
    this.topic = new sns.Topic(this, 'AlertsTopic', {
      displayName: 'beatwatch alerts',
      masterKey: props.key,
      enforceSSL: true,
    });
    if (props.alertEmail !== undefined) {
      this.topic.addSubscription(new subscriptions.EmailSubscription(props.alertEmail));
    }
  }
}
