import {
  ALARM_LIMITS,
  alarmLimitsConflict,
  DEFAULT_ALARM_LIMITS,
  DEFAULT_RETRAIN_SAFETY_MARGIN_SECONDS,
  DEFAULT_SIGNAL_LOST_SECONDS,
  DETECT_ENV,
  type AlarmLimitName,
} from '../src/contract';
/**
 * Deployment configuration of the beatwatch stack, read from CDK context
 * (`npx cdk deploy -c name=value`, or the `context` block of `cdk.json`).
 *
 * Every number that shapes the deployment is a named default below; the README's
 * "Configuration (CDK context)" table lists the same names and values.
 */

/** Stream retention in hours: Kinesis' minimum, enough to replay a day after an outage. */
export const DEFAULT_STREAM_RETENTION_HOURS = 24;
/** Days the archived stream (`history/`) is kept before S3 expires it. */
export const DEFAULT_HISTORY_RETENTION_DAYS = 365;
/** Days quarantined records (`rejected/`) are kept: long enough to find and fix a producer, then gone (they hold health data). */
export const DEFAULT_REJECTED_RETENTION_DAYS = 90;
/** Days alert snippets (`alerts/`) are kept: six years, the usual retention of clinical documentation. */
export const DEFAULT_ALERTS_RETENTION_DAYS = 2190;
/** Days after which `history/` objects move to S3 Standard-IA (30 is S3's minimum). */
export const DEFAULT_HISTORY_INFREQUENT_ACCESS_DAYS = 30;
/** Days CloudWatch keeps the functions' logs. */
export const DEFAULT_LOG_RETENTION_DAYS = 365;
/** EventBridge schedule expression of the retraining run. */
export const DEFAULT_RETRAIN_SCHEDULE = 'rate(1 day)';
/** Concurrent batches per shard (1..10); records of one device stay ordered at any value. */
export const DEFAULT_PARALLELIZATION_FACTOR = 1;
/**
 * Records per detect invocation. Devices send 1 s records (about 2.7 KB of JSON at 360 Hz), so 100
 * records are about 120 beats, scored in a fraction of a second on one vCPU, and 270 KB (Lambda
 * also caps a batch at its 6 MB payload limit, whatever this number, for long or dense records).
 */
export const DEFAULT_DETECT_BATCH_SIZE = 100;
/** Seconds the event source waits to fill a batch: bounds the alert latency added by batching. */
export const DEFAULT_DETECT_MAX_BATCHING_WINDOW_SECONDS = 1;
/**
 * Retries of a failing batch (after bisecting) before its records go to the failure queue: -1,
 * retry until the records are older than `detectMaxRecordAgeSeconds`. A batch that fails because
 * no model is usable, or SNS or S3 is down, is then held (the shard waits, the lag and
 * NoModelBatches alarms fire) rather than discarded after a few quick retries.
 */
export const DEFAULT_DETECT_RETRY_ATTEMPTS = -1;
/**
 * Records older than this are not scored but reported to the failure queue: an alert an hour
 * late is of little use, and the data stays in `history/` for later analysis.
 */
export const DEFAULT_DETECT_MAX_RECORD_AGE_SECONDS = 3600;
/**
 * Detect memory. Lambda gives a full vCPU at 1,769 MB; scoring is single-threaded and CPU-bound,
 * so below that duration grows in proportion and cost per beat stays flat, while above it nothing
 * speeds up. 1,769 MB is therefore the fastest setting at (almost) the lowest cost per beat.
 */
export const DEFAULT_DETECT_MEMORY_MB = 1769;
/**
 * Detect timeout. `npx beatwatch bench --only lambda-cost` measures the deployed bundle at about
 * 1.2 ms of CPU per 1 s record, so a full batch of 100 records takes about 0.12 s, and even a
 * 6 MB batch of long records a few seconds; 60 s leaves room for a cold start and S3/SNS retries
 * without letting a stuck batch hold its shard for long.
 */
export const DEFAULT_DETECT_TIMEOUT_SECONDS = 60;
/** Retrain memory: the job is bounded to about 1 GB resident; 3,008 MB adds headroom and ~1.7 vCPU. */
export const DEFAULT_RETRAIN_MEMORY_MB = 3008;
/** Retrain timeout: Lambda's maximum; the job's time budget is the remaining time minus a margin. */
export const DEFAULT_RETRAIN_TIMEOUT_SECONDS = 900;
/** Seconds the retrain job keeps free at the end of its budget to evaluate, write and promote (src/contract). */
export { DEFAULT_RETRAIN_SAFETY_MARGIN_SECONDS } from '../src/contract';
/**
 * Reserved concurrency of the retrain function: one run at a time (a second concurrent run would
 * only waste compute, the pointer switch being conditional anyway). 0 reserves none, for accounts
 * whose concurrency quota is too small to reserve any.
 */
export const DEFAULT_RETRAIN_RESERVED_CONCURRENCY = 1;
/** Days of `history/` a retraining run reads. */
export const DEFAULT_RETRAIN_HISTORY_DAYS = 7;
/** Iterator age (detection lag) that raises the lag alarm, in seconds. */
export const DEFAULT_LAG_ALARM_SECONDS = 60;
/** Deadline from a device's last record to its `signal-lost` alert, seconds (src/contract). */
export { DEFAULT_SIGNAL_LOST_SECONDS } from '../src/contract';
/**
 * Shortest `signalLostSeconds`: twice the sweep period (10 s), so that a device is declared lost
 * only after a silence longer than the sweep period and the persisted arrival's lag.
 */
export const MIN_SIGNAL_LOST_SECONDS = 20;

/** The resolved configuration; see the defaults above for meaning and units. */
export interface BeatwatchConfig {
  /** Provisioned shard count; absent means an on-demand stream (the default). */
  readonly shardCount?: number;
  readonly streamRetentionHours: number;
  readonly historyRetentionDays: number;
  readonly historyInfrequentAccessDays: number;
  readonly rejectedRetentionDays: number;
  readonly alertsRetentionDays: number;
  readonly logRetentionDays: number;
  /** E-mail address subscribed to the alerts topic; absent means no subscription. */
  readonly alertEmail?: string;
  /**
   * Prefix of the console's Cognito sign-in domain (`<prefix>.auth.<region>.amazoncognito.com`);
   * absent: `beatwatch-` and the first 8 hex digits of the stack's id (unique per stack).
   */
  readonly consoleDomainPrefix?: string;
  readonly retrainSchedule: string;
  readonly parallelizationFactor: number;
  readonly detectBatchSize: number;
  readonly detectMaxBatchingWindowSeconds: number;
  readonly detectRetryAttempts: number;
  readonly detectMaxRecordAgeSeconds: number;
  readonly detectMemoryMb: number;
  readonly detectTimeoutSeconds: number;
  /** Reserved concurrency of the detect function; absent means none reserved. */
  readonly detectReservedConcurrency?: number;
  readonly retrainMemoryMb: number;
  readonly retrainTimeoutSeconds: number;
  readonly retrainSafetyMarginSeconds: number;
  readonly retrainHistoryDays: number;
  /** Reserved concurrency of the retrain function; absent means none reserved. */
  readonly retrainReservedConcurrency?: number;
  readonly lagAlarmSeconds: number;
  /** Deadline from a device's last record to its `signal-lost` alert (detect and sweep functions). */
  readonly signalLostSeconds: number;
  /** Whether alarms notify the alerts topic (default true). */
  readonly alarmActions: boolean;
  /**
   * Alert policy, threshold and alarm-limit overrides for the detector, as its environment
   * variables (ALERT_K, ALERT_N, ALERT_CRITICAL_MULTIPLE, ALERT_COOLDOWN_MS, THRESHOLD_MULTIPLIER,
   * and the rhythm rules' alarm limits of `src/contract/alarm-limits.ts`: ASYSTOLE_SECONDS and
   * the others); only the ones set in context. Unset, the detector's documented defaults apply.
   */
  readonly detectorOverrides: Readonly<Record<string, string>>;
}

/**
 * Context keys that override the detector's alert policy and alarm limits, and the variable each
 * one sets (an alarm limit's key is its name: `-c asystoleSeconds=6`).
 */
export const DETECTOR_OVERRIDES = {
  alertK: { env: DETECT_ENV.alertK, integer: true, min: 1 },
  alertN: { env: DETECT_ENV.alertN, integer: true, min: 1 },
  alertCriticalMultiple: { env: DETECT_ENV.alertCriticalMultiple, integer: false, min: 1 },
  alertCooldownMs: { env: DETECT_ENV.alertCooldownMs, integer: true, min: 0 },
  thresholdMultiplier: { env: DETECT_ENV.thresholdMultiplier, integer: false, min: 0 },
  ...ALARM_LIMITS,
} as const;

/** CloudWatch Logs accepts only these retention periods (days). */
const LOG_RETENTION_CHOICES = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

/** Reads one context value: `undefined` when unset, otherwise as given (CLI `-c` values are strings). */
export type ContextReader = (name: string) => unknown;

/** Thrown for a context value that cannot be used, naming the key, the value and what was expected. */
export class ConfigError extends Error {
  constructor(key: string, value: unknown, expected: string) {
    super(`CDK context "${key}" must be ${expected}, got ${JSON.stringify(value)}`);
    this.name = 'ConfigError';
  }
}

function intContext(read: ContextReader, key: string, fallback: number, min: number, max: number): number {
  const raw = read(key);
  if (raw === undefined || raw === '') return fallback;
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' ? Number(raw) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(key, raw, `an integer in [${min}, ${max}]`);
  return n;
}

function optionalIntContext(read: ContextReader, key: string, min: number, max: number): number | undefined {
  const raw = read(key);
  if (raw === undefined || raw === '') return undefined;
  return intContext(read, key, 0, min, max);
}

function boolContext(read: ContextReader, key: string, fallback: boolean): boolean {
  const raw = read(key);
  if (raw === undefined || raw === '') return fallback;
  if (raw === true || raw === 'true') return true;
  if (raw === false || raw === 'false') return false;
  throw new ConfigError(key, raw, 'true or false');
}

function detectorOverrides(read: ContextReader): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, spec] of Object.entries(DETECTOR_OVERRIDES)) {
    const raw = read(key);
    if (raw === undefined || raw === '') continue;
    const n = typeof raw === 'number' ? raw : typeof raw === 'string' ? Number(raw) : NaN;
    const ok = Number.isFinite(n) && (spec.integer ? Number.isInteger(n) && n >= spec.min : n > spec.min);
    if (!ok) throw new ConfigError(key, raw, spec.integer ? `an integer >= ${spec.min}` : `a number > ${spec.min}`);
    out[spec.env] = String(n);
  }
  const limits = { ...DEFAULT_ALARM_LIMITS };
  for (const name of Object.keys(ALARM_LIMITS) as AlarmLimitName[]) {
    const set = out[ALARM_LIMITS[name].env];
    if (set !== undefined) limits[name] = Number(set);
  }
  const conflict = alarmLimitsConflict(limits);
  if (conflict !== null) throw new ConfigError('alarm limits', limits, `consistent: ${conflict}`);
  return out;
}

const SCHEDULE_PATTERN = /^(rate\(\d+ (minute|minutes|hour|hours|day|days)\)|cron\([^()]+\))$/;
// Deliberately loose: SNS confirms the address; this only catches obvious typos at synth time.
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * Resolves the stack configuration from CDK context, applying the named defaults.
 *
 * @example
 * const config = readConfig((key) => app.node.tryGetContext(key));
 */
export function readConfig(read: ContextReader): BeatwatchConfig {
  const logRetentionDays = intContext(read, 'logRetentionDays', DEFAULT_LOG_RETENTION_DAYS, 1, 3653);
  if (!LOG_RETENTION_CHOICES.includes(logRetentionDays)) {
    throw new ConfigError('logRetentionDays', read('logRetentionDays'), `one of ${LOG_RETENTION_CHOICES.join(', ')}`);
  }
  const retrainSchedule = read('retrainSchedule') ?? DEFAULT_RETRAIN_SCHEDULE;
  if (typeof retrainSchedule !== 'string' || !SCHEDULE_PATTERN.test(retrainSchedule)) {
    throw new ConfigError('retrainSchedule', retrainSchedule, 'an EventBridge expression like "rate(1 day)" or "cron(0 3 * * ? *)"');
  }
  const alertEmail = read('alertEmail');
  if (alertEmail !== undefined && alertEmail !== '' && (typeof alertEmail !== 'string' || !EMAIL_PATTERN.test(alertEmail))) {
    throw new ConfigError('alertEmail', alertEmail, 'an e-mail address');
  }
  const consoleDomainPrefix = read('consoleDomainPrefix');
  // Cognito's rule: lowercase letters, digits and hyphens, and no AWS names in it.
  if (
    consoleDomainPrefix !== undefined &&
    consoleDomainPrefix !== '' &&
    (typeof consoleDomainPrefix !== 'string' ||
      !/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(consoleDomainPrefix) ||
      /aws|amazon|cognito/.test(consoleDomainPrefix))
  ) {
    throw new ConfigError(
      'consoleDomainPrefix',
      consoleDomainPrefix,
      'lowercase letters, digits and hyphens (1-63), without "aws", "amazon" or "cognito"',
    );
  }
  const historyRetentionDays = intContext(read, 'historyRetentionDays', DEFAULT_HISTORY_RETENTION_DAYS, 1, 36500);
  const historyInfrequentAccessDays = intContext(read, 'historyInfrequentAccessDays', DEFAULT_HISTORY_INFREQUENT_ACCESS_DAYS, 30, 36500);
  const retrainTimeoutSeconds = intContext(read, 'retrainTimeoutSeconds', DEFAULT_RETRAIN_TIMEOUT_SECONDS, 60, 900);
  const retrainSafetyMarginSeconds = intContext(read, 'retrainSafetyMarginSeconds', DEFAULT_RETRAIN_SAFETY_MARGIN_SECONDS, 10, 600);
  if (retrainSafetyMarginSeconds >= retrainTimeoutSeconds) {
    throw new ConfigError(
      'retrainSafetyMarginSeconds',
      retrainSafetyMarginSeconds,
      `less than retrainTimeoutSeconds (${retrainTimeoutSeconds})`,
    );
  }
  return {
    shardCount: optionalIntContext(read, 'shardCount', 1, 10_000),
    streamRetentionHours: intContext(read, 'streamRetentionHours', DEFAULT_STREAM_RETENTION_HOURS, 24, 8760),
    historyRetentionDays,
    // A transition at or after expiry would be rejected by S3; it simply never happens then.
    historyInfrequentAccessDays,
    rejectedRetentionDays: intContext(read, 'rejectedRetentionDays', DEFAULT_REJECTED_RETENTION_DAYS, 1, 36500),
    alertsRetentionDays: intContext(read, 'alertsRetentionDays', DEFAULT_ALERTS_RETENTION_DAYS, 1, 36500),
    logRetentionDays,
    alertEmail: typeof alertEmail === 'string' && alertEmail !== '' ? alertEmail : undefined,
    consoleDomainPrefix: typeof consoleDomainPrefix === 'string' && consoleDomainPrefix !== '' ? consoleDomainPrefix : undefined,
    retrainSchedule,
    parallelizationFactor: intContext(read, 'parallelizationFactor', DEFAULT_PARALLELIZATION_FACTOR, 1, 10),
    detectBatchSize: intContext(read, 'detectBatchSize', DEFAULT_DETECT_BATCH_SIZE, 1, 10_000),
    detectMaxBatchingWindowSeconds: intContext(read, 'detectMaxBatchingWindowSeconds', DEFAULT_DETECT_MAX_BATCHING_WINDOW_SECONDS, 0, 300),
    detectRetryAttempts: intContext(read, 'detectRetryAttempts', DEFAULT_DETECT_RETRY_ATTEMPTS, -1, 10_000),
    detectMaxRecordAgeSeconds: intContext(read, 'detectMaxRecordAgeSeconds', DEFAULT_DETECT_MAX_RECORD_AGE_SECONDS, 60, 604_800),
    detectMemoryMb: intContext(read, 'detectMemoryMb', DEFAULT_DETECT_MEMORY_MB, 128, 10_240),
    detectTimeoutSeconds: intContext(read, 'detectTimeoutSeconds', DEFAULT_DETECT_TIMEOUT_SECONDS, 1, 900),
    detectReservedConcurrency: optionalIntContext(read, 'detectReservedConcurrency', 1, 100_000),
    retrainMemoryMb: intContext(read, 'retrainMemoryMb', DEFAULT_RETRAIN_MEMORY_MB, 128, 10_240),
    retrainTimeoutSeconds,
    retrainSafetyMarginSeconds,
    retrainHistoryDays: intContext(read, 'retrainHistoryDays', DEFAULT_RETRAIN_HISTORY_DAYS, 1, 3650),
    retrainReservedConcurrency: intContext(read, 'retrainReservedConcurrency', DEFAULT_RETRAIN_RESERVED_CONCURRENCY, 0, 1000) || undefined,
    lagAlarmSeconds: intContext(read, 'lagAlarmSeconds', DEFAULT_LAG_ALARM_SECONDS, 1, 604_800),
    signalLostSeconds: intContext(read, 'signalLostSeconds', DEFAULT_SIGNAL_LOST_SECONDS, MIN_SIGNAL_LOST_SECONDS, 86_400),
    alarmActions: boolContext(read, 'alarmActions', true),
    detectorOverrides: detectorOverrides(read),
  };
}
