/**
 * The retrain function's configuration from its environment (variable names in
 * `src/contract/lambda-env.ts`), kept beside the job it configures.
 */
import { envReader, DEFAULT_RETRAIN_SAFETY_MARGIN_SECONDS, RETRAIN_ENV } from '../contract';
import { DEFAULT_RETRAIN_OPTIONS } from './options';

/** Kept back from the Lambda's remaining time for everything after the job (logs, metrics, return). */
export const DEFAULT_SAFETY_MARGIN_MS = DEFAULT_RETRAIN_SAFETY_MARGIN_SECONDS * 1000;

/** The retrain function's configuration, from its environment. */
export interface RetrainConfig {
  /** BUCKET_NAME (required). */
  readonly bucket: string;
  /** RETRAIN_HISTORY_DAYS (or HISTORY_DAYS; default 7). */
  readonly days: number;
  /** RETRAIN_SAFETY_MARGIN_SECONDS, in ms here (default {@link DEFAULT_SAFETY_MARGIN_MS}). */
  readonly safetyMarginMs: number;
  /** TIME_BUDGET_MS: a fixed budget instead of the remaining time minus the margin (optional). */
  readonly timeBudgetMs?: number;
  /** MAX_DEVICES, MAX_BEATS: the memory bounds of the dataset. */
  readonly maxDevices: number;
  readonly maxBeats: number;
  /** EPOCHS, TRAIN_WORKERS. */
  readonly epochs: number;
  readonly workers: number;
}

/**
 * Reads the environment, naming the variable in every error.
 *
 * @example
 * const config = retrainConfigFromEnv({ BUCKET_NAME: 'beatwatch-data', RETRAIN_HISTORY_DAYS: '3' });
 */
export function retrainConfigFromEnv(env: Readonly<Record<string, string | undefined>>): RetrainConfig {
  const reader = envReader(env);
  const bucket = reader.required(RETRAIN_ENV.bucket);
  const num = reader.number;
  const positive = (n: number) => Number.isFinite(n) && n > 0;
  const int = (min: number) => (n: number) => Number.isInteger(n) && n >= min;
  const fixed = reader.optionalNumber(RETRAIN_ENV.timeBudgetMs, positive, 'a number > 0');
  return {
    bucket,
    days: num(
      env[RETRAIN_ENV.historyDays] === undefined ? RETRAIN_ENV.historyDaysLegacy : RETRAIN_ENV.historyDays,
      DEFAULT_RETRAIN_OPTIONS.days,
      positive,
      'a number of days > 0',
    ),
    safetyMarginMs:
      1000 *
      num(
        RETRAIN_ENV.safetyMarginSeconds,
        DEFAULT_SAFETY_MARGIN_MS / 1000,
        (n) => Number.isFinite(n) && n >= 0,
        'a number of seconds >= 0',
      ),
    ...(fixed === undefined ? {} : { timeBudgetMs: fixed }),
    maxDevices: num(RETRAIN_ENV.maxDevices, DEFAULT_RETRAIN_OPTIONS.maxDevices, int(1), 'an integer >= 1'),
    maxBeats: num(RETRAIN_ENV.maxBeats, DEFAULT_RETRAIN_OPTIONS.maxBeats, int(1), 'an integer >= 1'),
    epochs: num(RETRAIN_ENV.epochs, DEFAULT_RETRAIN_OPTIONS.train.epochs, int(0), 'an integer >= 0'),
    workers: num(RETRAIN_ENV.workers, DEFAULT_RETRAIN_OPTIONS.train.workers, int(1), 'an integer >= 1'),
  };
}
