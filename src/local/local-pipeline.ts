import { createSignalLostSweepHandler } from '../../functions/signal-lost-sweep';
import { createAwsClients, type AwsClients } from '../aws/clients';
import { AlertStateStore, createAlertStateTable, createDynamoClient } from '../aws/alert-state-store';
import { LOCAL_ALERT_TABLE } from '../contract';
import { startArchiver, type Archiver, type ArchiverOptions } from './archiver';
import { startLocalStack, type LocalStack, type LocalStackOptions } from './emulators';
import type { EventSourceMappingOptions, InvocationReport } from './event-source-config';
import { startEventSourcePoller, type EventSourcePoller } from './event-source-poller';
import type { ExecutionEnvironment } from './execution-environment';
import type { KinesisHandler } from './lambda-event';
import { provisionLocalResources, type LocalResources, type LocalResourcesOptions } from './provision';
import { receiveSnsNotifications } from './sns-subscriber';
import { Logger } from '@aws-lambda-powertools/logger';

/** What a handler factory gets: the stack it runs against. */
export interface LocalPipelineContext {
  readonly stack: LocalStack;
  readonly aws: AwsClients;
  readonly resources: LocalResources;
  /**
   * The environment the deployed Lambdas would see, pointed at the emulators: `BUCKET_NAME`,
   * `TOPIC_ARN`, `ALERT_TABLE`, `AWS_REGION` and `AWS_ENDPOINT_URL_{KINESIS,S3,SNS,SQS,DYNAMODB}`,
   * plus {@link LocalPipelineOptions.env}.
   */
  readonly lambdaEnv: Readonly<Record<string, string>>;
  /** The alert state store (dynalite), table `ALERT_TABLE` of `lambdaEnv`. */
  readonly alertState: AlertStateStore;
}

/** Options of {@link startLocalPipeline}. */
export interface LocalPipelineOptions {
  /**
   * Builds the handler of one execution environment, once the resources exist (e.g.
   * `createDetectHandler({ env: ctx.lambdaEnv, signal: environment.signal })`). Called for each
   * shard's environment on its first batch and again after a timeout ended it, as Lambda starts
   * environments; pass the environment's `signal` on so an ended one does nothing more.
   */
  readonly handler: (context: LocalPipelineContext, environment: ExecutionEnvironment) => KinesisHandler | Promise<KinesisHandler>;
  /** Runs after provisioning, before the poller starts (upload a model, …). */
  readonly prepare?: (context: LocalPipelineContext) => Promise<void>;
  readonly stack?: LocalStackOptions;
  readonly resources?: LocalResourcesOptions;
  /** Event source mapping settings; the on-failure destination defaults to the provisioned queue. */
  readonly mapping?: EventSourceMappingOptions;
  /** Archiver buffering hints, or `false` for no archiver (default: an archiver with its defaults). */
  readonly archiver?: false | Pick<ArchiverOptions, 'bufferSizeBytes' | 'bufferIntervalMs' | 'pollIntervalMs'>;
  readonly onInvoke?: (report: InvocationReport) => void;
  readonly onWarning?: (message: string) => void;
  /**
   * Told the body of every SNS notification on the alerts topic, as an SQS queue subscribed to
   * it receives them (a stand-in for a pager). Without it nothing listens.
   */
  readonly onNotification?: (message: string) => void;
  /**
   * How often the signal-lost sweep runs (`functions/signal-lost-sweep.ts`, over the devices'
   * last arrivals the detect handler persists in the alert state table): default its check period
   * (`SIGNAL_LOST_CHECK_SECONDS`, 10 s); 0 for never. The Lambda is not invoked when no records
   * arrive, so silent devices are found by this timer here and by the scheduled sweep in AWS.
   */
  readonly sweepIntervalMs?: number;
  /** More Lambda environment for every function (e.g. `SIGNAL_LOST_SECONDS`), merged into `lambdaEnv`. */
  readonly env?: Readonly<Record<string, string>>;
}

/** The running local pipeline: emulators, resources, the poller driving the handler, the archiver. */
export interface LocalPipeline extends LocalPipelineContext {
  readonly poller: EventSourcePoller;
  readonly archiver: Archiver | undefined;
  /** Waits until everything in the stream now has been handled and archived. */
  drain(timeoutMs?: number): Promise<void>;
  /**
   * Lets the last notifications travel SNS -> SQS: returns once none arrived for `rounds`
   * consecutive `quietMs` periods, then stops listening. A no-op without `onNotification`.
   */
  settleNotifications(quietMs?: number, rounds?: number): Promise<void>;
  /** Stops the poller and archiver (flushing it), closes the clients, stops the emulators. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Starts docs/ARCHITECTURE.md §1 on one machine: kinesis-local and fauxqs, the stream/bucket/topic/queues,
 * the event source poller invoking `handler` (the same module the Lambda runs), and the
 * Firehose-like archiver. Anything that fails half-way is torn down before the error is thrown.
 *
 * @example
 * const pipeline = await startLocalPipeline({
 *   handler: (ctx, { signal }) => createDetectHandler({ env: ctx.lambdaEnv, aws: ctx.aws, signal }),
 *   prepare: (ctx) => uploadDefaultModel(ctx.aws.s3, ctx.resources.bucket),
 * });
 * await simulateDevices({ kinesis: pipeline.aws.kinesis, streamName: pipeline.resources.streamName, devices, speed: 'max' });
 * await pipeline.drain();
 * await pipeline.stop();
 */
export async function startLocalPipeline(options: LocalPipelineOptions): Promise<LocalPipeline> {
  const stack = await startLocalStack(options.stack);
  const aws = createAwsClients({ endpoint: stack.endpoints, region: stack.region, env: {} });
  const dynamo = createDynamoClient({ endpoint: stack.endpoints.dynamodb, region: stack.region, env: {} });
  let poller: EventSourcePoller | undefined;
  let archiver: Archiver | undefined;
  try {
    const resources = await provisionLocalResources(aws, options.resources);
    const lambdaEnv = {
      BUCKET_NAME: resources.bucket,
      TOPIC_ARN: resources.topicArn,
      AWS_REGION: stack.region,
      AWS_ENDPOINT_URL_KINESIS: stack.endpoints.kinesis,
      AWS_ENDPOINT_URL_S3: stack.endpoints.s3,
      AWS_ENDPOINT_URL_SNS: stack.endpoints.sns,
      AWS_ENDPOINT_URL_SQS: stack.endpoints.sqs,
      AWS_ENDPOINT_URL_DYNAMODB: stack.endpoints.dynamodb,
      ALERT_TABLE: LOCAL_ALERT_TABLE,
      ...options.env,
    };
    await createAlertStateTable(dynamo, LOCAL_ALERT_TABLE);
    const alertState = new AlertStateStore(dynamo, LOCAL_ALERT_TABLE);
    const context: LocalPipelineContext = { stack, aws, resources, lambdaEnv, alertState };
    await options.prepare?.(context);
    // One execution environment per shard, built on its first batch and again after a timeout.
    const createHandler = (environment: ExecutionEnvironment) => options.handler(context, environment);
    if (options.archiver !== false) {
      archiver = await startArchiver({
        kinesis: aws.kinesis,
        s3: aws.s3,
        streamName: resources.streamName,
        bucket: resources.bucket,
        ...options.archiver,
        onWarning: options.onWarning,
      });
    }
    poller = await startEventSourcePoller({
      onFailure: { sqs: aws.sqs, queueUrl: resources.failureQueueUrl },
      ...options.mapping,
      kinesis: aws.kinesis,
      streamName: resources.streamName,
      createHandler,
      onInvoke: options.onInvoke,
      onWarning: options.onWarning,
    });
    const running = poller;
    // The sweep function's code, one sweep per tick (the Lambda runs six a minute off a schedule).
    const sweeper = createSignalLostSweepHandler({ env: lambdaEnv, sns: aws.sns, dynamo, logger: quietLogger() });
    const sweepMs = options.sweepIntervalMs ?? sweeper.timing().checkEveryMs;
    let sweeping = false;
    const sweepTimer =
      sweepMs > 0
        ? setInterval(() => {
            if (sweeping) return; // one at a time, as the Lambda's reserved concurrency of 1
            sweeping = true;
            sweeper
              .sweepOnce(Date.now())
              .catch((err: Error) => options.onWarning?.(`signal-lost sweep: ${err.message}`))
              .finally(() => (sweeping = false));
          }, sweepMs)
        : null;
    sweepTimer?.unref();
    const archiving = archiver;
    let stopped: Promise<void> | undefined;
    let listening = options.onNotification !== undefined;
    let received = 0;
    const listener = (async () => {
      while (listening) {
        for (const n of await receiveSnsNotifications(aws.sqs, resources.alertQueueUrl, 1)) {
          received++;
          options.onNotification?.(n.message);
        }
      }
    })();
    const stopListening = async () => {
      listening = false;
      await listener;
    };
    return {
      ...context,
      poller: running,
      archiver: archiving,
      async drain(timeoutMs) {
        await Promise.all([running.drain(timeoutMs), archiving?.drain(timeoutMs)]);
      },
      async settleNotifications(quietMs = 500, rounds = 3) {
        if (options.onNotification === undefined) return;
        for (let quiet = 0, seen = received; quiet < rounds; quiet++) {
          await new Promise((r) => setTimeout(r, quietMs));
          if (received !== seen) {
            seen = received;
            quiet = 0;
          }
        }
        await stopListening();
      },
      stop() {
        stopped ??= (async () => {
          if (sweepTimer) clearInterval(sweepTimer);
          while (sweeping) await new Promise((r) => setTimeout(r, 20));
          await stopListening().catch(() => {});
          await Promise.all([running.stop(), archiving?.stop()]);
          aws.destroy();
          dynamo.destroy();
          await stack.stop();
        })();
        return stopped;
      },
    };
  } catch (err) {
    await Promise.allSettled([poller?.stop(), archiver?.stop()]);
    aws.destroy();
    dynamo.destroy();
    await stack.stop();
    throw err;
  }
}

/** A logger for the local sweep: its per-device lines would interleave with the demo's output (warnings still go to `onWarning`). */
function quietLogger(): Logger {
  return new Logger({ serviceName: 'beatwatch-signal-lost-sweep', logLevel: 'SILENT' });
}
