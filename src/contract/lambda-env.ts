/**
 * The environment variables of the Lambdas: the names infra/ sets and functions/ reads, and the
 * defaults both rely on. Defined once so a rename cannot leave one side behind.
 */

/** Variables of the detect function. */
export const DETECT_ENV = {
  bucket: 'BUCKET_NAME',
  topicArn: 'TOPIC_ARN',
  pointerKey: 'MODEL_POINTER_KEY',
  revalidateMs: 'MODEL_REVALIDATE_MS',
  alertK: 'ALERT_K',
  alertN: 'ALERT_N',
  alertCriticalMultiple: 'ALERT_CRITICAL_MULTIPLE',
  alertCooldownMs: 'ALERT_COOLDOWN_MS',
  threshold: 'THRESHOLD',
  thresholdMultiplier: 'THRESHOLD_MULTIPLIER',
  maxDevices: 'MAX_DEVICES',
  /** Patient adaptation: `patient-profile` (default), `threshold-calibration` or `off`. */
  adaptation: 'ADAPTATION',
  /** A device's learning period, seconds of signal (default 300). */
  learningSeconds: 'LEARNING_SECONDS',
  /** Leads detected on per device: 1 or 2 (default: a second lead of multi-lead records where the model's is unusable). */
  leads: 'LEADS',
  /** The alert state table (optional: without it alerts are not recorded, nothing is snoozed and last arrivals stay in memory). */
  alertTable: 'ALERT_TABLE',
  /** Deadline from a device's last record to its `signal-lost` alert, seconds (default 60, `src/contract/signal-lost.ts`). */
  signalLostSeconds: 'SIGNAL_LOST_SECONDS',
  /** Seconds between two signal-lost sweeps (default 10); the detector and the sweep must agree on it. */
  signalLostCheckSeconds: 'SIGNAL_LOST_CHECK_SECONDS',
} as const;

/** Variables of the signal-lost sweep function (the same names as the detect function's). */
export const SWEEP_ENV = {
  topicArn: 'TOPIC_ARN',
  /** The alert state table, where the detector persists each device's last arrival (required). */
  alertTable: 'ALERT_TABLE',
  signalLostSeconds: 'SIGNAL_LOST_SECONDS',
  signalLostCheckSeconds: 'SIGNAL_LOST_CHECK_SECONDS',
} as const;

/** Variables of the console API function. */
export const CONSOLE_ENV = {
  bucket: 'BUCKET_NAME',
  alertTable: 'ALERT_TABLE',
  /** The Cognito app client id the API's tokens must be issued for (the handler checks it too). */
  clientId: 'CONSOLE_CLIENT_ID',
  /** Cognito group a user must be in (default `clinicians`). */
  group: 'CONSOLE_GROUP',
} as const;

/** Table name of the alert state store in the local stack. */
export const LOCAL_ALERT_TABLE = 'beatwatch-alert-state';

/** Variables of the retrain function. */
export const RETRAIN_ENV = {
  bucket: 'BUCKET_NAME',
  historyDays: 'RETRAIN_HISTORY_DAYS',
  /** Older name of {@link RETRAIN_ENV.historyDays}, still read when the new one is unset. */
  historyDaysLegacy: 'HISTORY_DAYS',
  safetyMarginSeconds: 'RETRAIN_SAFETY_MARGIN_SECONDS',
  timeBudgetMs: 'TIME_BUDGET_MS',
  maxDevices: 'MAX_DEVICES',
  maxBeats: 'MAX_BEATS',
  epochs: 'EPOCHS',
  workers: 'TRAIN_WORKERS',
  /** The alert state table: its labels are used (optional: without it labels are not read). */
  alertTable: 'ALERT_TABLE',
} as const;

/**
 * Seconds the retrain function keeps free before its Lambda timeout (to publish the result and
 * flush metrics): its time budget is the remaining time minus this margin.
 */
export const DEFAULT_RETRAIN_SAFETY_MARGIN_SECONDS = 120;
