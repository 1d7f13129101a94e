/**
 * The signal-lost sweep Lambda (docs/ARCHITECTURE.md §3.3): an EventBridge schedule every
 * minute → a sweep of the devices' persisted last arrivals every `SIGNAL_LOST_CHECK_SECONDS`
 * within that minute → `signal-lost` onsets on SNS. The detect function persists the arrivals
 * (and ends episodes when devices return); Lambda is not invoked when no records arrive, so a
 * shard that goes quiet altogether is caught here. Thin on purpose: the rule is
 * `sweepSilentDevices` of `src/detect/signal-lost.ts`, which the local stack runs on a timer.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context, ScheduledEvent } from 'aws-lambda';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SNSClient } from '@aws-sdk/client-sns';
import { publishAlert } from '../src/aws/alert-publisher';
import { AlertStateStore, createDynamoClient } from '../src/aws/alert-state-store';
import { createAwsClients } from '../src/aws/clients';
import { DynamoPresenceStore } from '../src/aws/presence-store';
import { envReader, deviceLogRef, SWEEP_ENV, SWEEP_SCHEDULE_SECONDS, type SignalLostTiming } from '../src/contract';
import { isEpisodeAlert, signalLostTimingFromEnv, sweepSilentDevices, type SignalLostDeps, type SweepResult } from '../src/detect';

/** Options of {@link createSignalLostSweepHandler}; everything defaults to what the Lambda uses. */
export interface SweepHandlerOptions {
  /** Environment to configure from (default `process.env`). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** SNS client (default: built from the environment, emulator endpoints honoured). */
  readonly sns?: SNSClient;
  /** DynamoDB client (default: built from the environment). */
  readonly dynamo?: DynamoDBClient;
  readonly logger?: Logger;
  /** Wall clock (default `Date.now`). */
  readonly now?: () => number;
  /** Waits between two sweeps of one run (default a timer). */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** What one scheduled run did. */
export interface SweepRun {
  readonly sweeps: number;
  readonly raised: number;
  /** Episodes opened for snoozed devices (no alert sent). */
  readonly silenced: number;
  /** Devices the detector (or a later record) got to first. */
  readonly taken: number;
  /** Onsets that could not be published (their devices are due again at the next sweep). */
  readonly failed: number;
}

/** The scheduled handler, and one sweep on its own (the local stack's timer calls it). */
export type SweepHandler = ((event?: ScheduledEvent | Record<string, never>, context?: Context) => Promise<SweepRun>) & {
  sweepOnce(now: number): Promise<SweepResult>;
  /** The timing read from the environment (read on first use). */
  timing(): SignalLostTiming;
};

/** Time kept free before the Lambda's timeout: no sweep starts later than this. */
const TIMEOUT_MARGIN_MS = 5000;

/**
 * Builds the sweep handler. Configuration is read on first use (importing never throws). A run
 * sweeps at once and then every check period until the next scheduled run is due (6 sweeps a
 * minute by default), so a silent device is declared within one check period of its due time.
 * A sweep that fails (DynamoDB or SNS down) does not stop the others; the run then throws, so the
 * errors alarm and the dead-letter queue see it.
 *
 * @example
 * export const handler = createSignalLostSweepHandler();
 */
export function createSignalLostSweepHandler(options: SweepHandlerOptions = {}): SweepHandler {
  const logger = options.logger ?? new Logger({ serviceName: 'beatwatch-signal-lost-sweep' });
  const clock = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  let ready: { deps: SignalLostDeps; timing: SignalLostTiming } | null = null;

  function setUp() {
    const env = options.env ?? process.env;
    const reader = envReader(env);
    const topicArn = reader.required(SWEEP_ENV.topicArn);
    const table = reader.required(SWEEP_ENV.alertTable);
    const timing = signalLostTimingFromEnv(env);
    const sns = options.sns ?? createAwsClients({ env }).sns;
    const dynamo = options.dynamo ?? createDynamoClient({ env });
    const store = new AlertStateStore(dynamo, table);
    const deps: SignalLostDeps = {
      presence: new DynamoPresenceStore(dynamo, table),
      // Into the console first (an open technical alert), then to SNS, as the detector does.
      publish: async (m) => {
        if (isEpisodeAlert(m)) await store.putEpisode(m);
        await publishAlert(sns, topicArn, m);
      },
      snoozes: store,
      now: clock,
    };
    return { deps, timing };
  }

  const sweepOnce = async (now: number): Promise<SweepResult> => {
    ready ??= setUp();
    const result = await sweepSilentDevices(ready.deps, now, ready.timing);
    for (const alert of result.raised) logger.info('signal lost', { device: deviceLogRef(alert.deviceId), from: alert.from, at: alert.to });
    if (result.failed.length > 0)
      logger.warn('signal-lost onsets not published, due again at the next sweep', { devices: result.failed.length });
    return result;
  };

  const handler = async (_event?: ScheduledEvent | Record<string, never>, context?: Context): Promise<SweepRun> => {
    ready ??= setUp();
    const started = clock();
    const every = ready.timing.checkEveryMs;
    const run = { sweeps: 0, raised: 0, silenced: 0, taken: 0, failed: 0 };
    const errors: unknown[] = [];
    for (let k = 0; k * every < SWEEP_SCHEDULE_SECONDS * 1000; k++) {
      const wait = started + k * every - clock();
      if (context && context.getRemainingTimeInMillis() < Math.max(0, wait) + TIMEOUT_MARGIN_MS) break;
      if (wait > 0) await sleep(wait);
      try {
        const r = await sweepOnce(clock());
        run.raised += r.raised.length;
        run.silenced += r.silenced;
        run.taken += r.taken;
        run.failed += r.failed.length;
      } catch (err) {
        errors.push(err);
        logger.error('sweep failed', { error: String(err) });
      }
      run.sweeps++;
    }
    logger.info('signal-lost sweeps done', run);
    if (errors.length > 0) throw new Error(`${errors.length} of ${run.sweeps} signal-lost sweeps failed: ${String(errors[0])}`);
    return run;
  };
  return Object.assign(handler, { sweepOnce, timing: () => (ready ??= setUp()).timing });
}

/** The Lambda entry point (`functions/signal-lost-sweep.handler`). */
export const handler = createSignalLostSweepHandler();
