import { EMULATOR_REGION } from '../aws/clients';
import { startFauxqsEmulator, type FauxqsEmulatorOptions } from './fauxqs-emulator';
import { startKinesisEmulator, type KinesisEmulatorOptions } from './kinesis-emulator';
import { startDynamoEmulator } from './dynamo-emulator';

/** Options of {@link startLocalStack}. */
export interface LocalStackOptions {
  /** Region of every emulator and client (default {@link LOCAL_REGION}). */
  readonly region?: string;
  /** kinesis-local settings. */
  readonly kinesis?: Omit<KinesisEmulatorOptions, 'region'>;
  /** fauxqs settings (SNS, SQS, S3). */
  readonly fauxqs?: Omit<FauxqsEmulatorOptions, 'region'>;
}

/** The running local stack: endpoints for {@link createAwsClients}, and how to stop it. */
export interface LocalStack {
  readonly endpoints: {
    readonly kinesis: string;
    readonly s3: string;
    readonly sns: string;
    readonly sqs: string;
    readonly dynamodb: string;
  };
  readonly region: string;
  /** Stops both emulators (idempotent); state is in memory and is gone afterwards. */
  stop(): Promise<void>;
}

/** Default region of the local stack. */
export const LOCAL_REGION = EMULATOR_REGION;

/**
 * Starts the local AWS stand-ins on free loopback ports: kinesis-local for Kinesis, fauxqs for
 * SNS, SQS and S3. Both start in parallel; if one fails the other is stopped and the error
 * carries the failing emulator's output. Children die with the parent process.
 *
 * @example
 * const stack = await startLocalStack();
 * const aws = createAwsClients({ endpoint: stack.endpoints, region: stack.region });
 * try { ... } finally { aws.destroy(); await stack.stop(); }
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const region = options.region ?? LOCAL_REGION;
  const [kinesis, fauxqs, dynamo] = await Promise.allSettled([
    startKinesisEmulator({ ...options.kinesis, region }),
    startFauxqsEmulator({ ...options.fauxqs, region }),
    startDynamoEmulator(),
  ]);
  if (kinesis.status === 'rejected' || fauxqs.status === 'rejected' || dynamo.status === 'rejected') {
    if (kinesis.status === 'fulfilled') await kinesis.value.stop();
    if (fauxqs.status === 'fulfilled') await fauxqs.value.stop();
    if (dynamo.status === 'fulfilled') await dynamo.value.stop();
    const reason = [kinesis, fauxqs, dynamo].find((r): r is PromiseRejectedResult => r.status === 'rejected')?.reason;
    throw new Error(`the local stack could not start: ${(reason as Error).message}`, { cause: reason });
  }
  const f = fauxqs.value.endpoint;
  let stopped: Promise<void> | undefined;
  return {
    endpoints: { kinesis: kinesis.value.endpoint, s3: f, sns: f, sqs: f, dynamodb: dynamo.value.endpoint },
    region,
    stop() {
      stopped ??= Promise.all([kinesis.value.stop(), fauxqs.value.stop(), dynamo.value.stop()]).then(() => undefined);
      return stopped;
    },
  };
}
