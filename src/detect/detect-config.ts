import {
  ALARM_LIMITS,
  alarmLimitProblem,
  alarmLimitsConflict,
  DEFAULT_ALARM_LIMITS,
  DETECT_ENV,
  MODEL_POINTER_KEY,
  envReader,
  DEFAULT_SIGNAL_LOST_CHECK_SECONDS,
  DEFAULT_SIGNAL_LOST_SECONDS,
  signalLostTiming,
  type AlarmLimitName,
  type AlarmLimits,
  type SignalLostTiming,
} from '../contract';
import { DEFAULT_ALERT_POLICY } from './alert-policy';
import { DEFAULT_MAX_DEVICES } from './device-registry';
import { DEFAULT_REVALIDATE_MS } from './model-cache';
import type { DetectorOptions } from './detector-options';
import { adapterByName, ADAPTER_NAMES, DEFAULT_LEARNING_SECONDS } from './adapters';

/** The detect function's configuration, read from its environment. */
export interface DetectConfig {
  /** Bucket of `models/`, `alerts/`, `rejected/` (BUCKET_NAME, required). */
  readonly bucket: string;
  /** SNS alerts topic (TOPIC_ARN, required). */
  readonly topicArn: string;
  /** Key of the model pointer (MODEL_POINTER_KEY, default `models/current.json`). */
  readonly pointerKey: string;
  /** Pointer revalidation period (MODEL_REVALIDATE_MS, default 60,000). */
  readonly revalidateMs: number;
  readonly detector: DetectorOptions;
}

/** The default pointer key (docs/ARCHITECTURE.md §3.4). */
export const DEFAULT_POINTER_KEY = MODEL_POINTER_KEY;

/**
 * Reads the detect function's environment, naming the variable in every error:
 * BUCKET_NAME, TOPIC_ARN (required); MODEL_POINTER_KEY, MODEL_REVALIDATE_MS; alert policy
 * ALERT_K, ALERT_N, ALERT_CRITICAL_MULTIPLE, ALERT_COOLDOWN_MS; thresholds THRESHOLD (replaces
 * the artifact's global value), THRESHOLD_MULTIPLIER; MAX_DEVICES; patient adaptation ADAPTATION
 * (`patient-profile`, the default, `threshold-calibration` or `off`) and LEARNING_SECONDS (default 300);
 * SIGNAL_LOST_SECONDS and SIGNAL_LOST_CHECK_SECONDS ({@link signalLostTimingFromEnv}); LEADS, leads
 * detected on per device (1 or 2, default 2); the rhythm rules' alarm limits ({@link alarmLimitsFromEnv}).
 * Unset = the documented default.
 *
 * @example
 * const config = detectConfigFromEnv(process.env);
 */
export function detectConfigFromEnv(env: Readonly<Record<string, string | undefined>>): DetectConfig {
  const reader = envReader(env);
  const required = reader.required;
  const num = reader.number;
  const int = (n: number) => Number.isInteger(n) && n >= 1;
  const positive = (n: number) => Number.isFinite(n) && n > 0;
  const globalThreshold = reader.optionalNumber(DETECT_ENV.threshold, positive, 'a number > 0');
  return {
    bucket: required(DETECT_ENV.bucket),
    topicArn: required(DETECT_ENV.topicArn),
    pointerKey: env[DETECT_ENV.pointerKey] || DEFAULT_POINTER_KEY,
    revalidateMs: num(DETECT_ENV.revalidateMs, DEFAULT_REVALIDATE_MS, (n) => Number.isFinite(n) && n >= 0, 'a number >= 0'),
    detector: {
      policy: {
        k: num(DETECT_ENV.alertK, DEFAULT_ALERT_POLICY.k, int, 'an integer >= 1'),
        n: num(DETECT_ENV.alertN, DEFAULT_ALERT_POLICY.n, int, 'an integer >= 1'),
        criticalMultiple: num(
          DETECT_ENV.alertCriticalMultiple,
          DEFAULT_ALERT_POLICY.criticalMultiple,
          (n) => Number.isFinite(n) && n > 1,
          'a number > 1',
        ),
        cooldownMs: num(DETECT_ENV.alertCooldownMs, DEFAULT_ALERT_POLICY.cooldownMs, (n) => Number.isFinite(n) && n >= 0, 'a number >= 0'),
      },
      ...(globalThreshold === undefined ? {} : { globalThreshold }),
      thresholdMultiplier: num(DETECT_ENV.thresholdMultiplier, 1, positive, 'a number > 0'),
      maxDevices: num(DETECT_ENV.maxDevices, DEFAULT_MAX_DEVICES, int, 'an integer >= 1'),
      adaptation: adaptationFrom(env[DETECT_ENV.adaptation]),
      learningSeconds: num(DETECT_ENV.learningSeconds, DEFAULT_LEARNING_SECONDS, (n) => Number.isFinite(n) && n >= 0, 'a number >= 0'),
      ...signalLostSettingsFromEnv(env),
      leads: num(DETECT_ENV.leads, 2, (n) => n === 1 || n === 2, '1 or 2') as 1 | 2,
      rhythm: alarmLimitsFromEnv(env),
    },
  };
}

/**
 * The alarm limits set in the environment (`src/contract/alarm-limits.ts`: ASYSTOLE_SECONDS,
 * BRADY_BPM, BRADY_BEATS, TACHY_BPM, TACHY_BEATS, VT_BPM, VT_RUN_BEATS, VT_CRITICAL_BEATS,
 * VFL_SECONDS), only those set; each checked, and all of them together with the defaults of the
 * others (bradycardia below tachycardia, a VT run critical no sooner than it is a run).
 *
 * @example
 * alarmLimitsFromEnv({ ASYSTOLE_SECONDS: '6' }) // { asystoleSeconds: 6 }
 */
export function alarmLimitsFromEnv(env: Readonly<Record<string, string | undefined>>): Partial<AlarmLimits> {
  const set: Partial<Record<AlarmLimitName, number>> = {};
  for (const name of Object.keys(ALARM_LIMITS) as AlarmLimitName[]) {
    const variable = ALARM_LIMITS[name].env;
    const raw = env[variable];
    if (raw === undefined || raw === '') continue;
    const problem = alarmLimitProblem(name, raw);
    if (problem !== null) throw new Error(`${variable} must be ${problem}, got ${JSON.stringify(raw)} (${ALARM_LIMITS[name].what})`);
    set[name] = Number(raw);
  }
  const conflict = alarmLimitsConflict({ ...DEFAULT_ALARM_LIMITS, ...set }, (name) => ALARM_LIMITS[name].env);
  if (conflict !== null) throw new Error(`alarm limits contradict each other: ${conflict}`);
  return set;
}

/** SIGNAL_LOST_SECONDS and SIGNAL_LOST_CHECK_SECONDS as detector options, checked together. */
function signalLostSettingsFromEnv(env: Readonly<Record<string, string | undefined>>) {
  const timing = signalLostTimingFromEnv(env);
  return { signalLostSeconds: timing.deadlineMs / 1000, signalLostCheckSeconds: timing.checkEveryMs / 1000 };
}

/**
 * The `signal-lost` timing of the detect and sweep functions (`src/contract/signal-lost.ts`):
 * SIGNAL_LOST_SECONDS (deadline, default 60) and SIGNAL_LOST_CHECK_SECONDS (sweep period, default
 * 10, below the deadline). Both functions read the same variables, so they agree.
 *
 * @example
 * signalLostTimingFromEnv({ SIGNAL_LOST_SECONDS: '120' }).lostAfterMs // 110000
 */
export function signalLostTimingFromEnv(env: Readonly<Record<string, string | undefined>>): SignalLostTiming {
  const reader = envReader(env);
  const positive = (n: number) => Number.isFinite(n) && n > 0;
  const deadline = reader.number(DETECT_ENV.signalLostSeconds, DEFAULT_SIGNAL_LOST_SECONDS, positive, 'a number of seconds > 0');
  const check = reader.number(
    DETECT_ENV.signalLostCheckSeconds,
    Math.min(DEFAULT_SIGNAL_LOST_CHECK_SECONDS, deadline / 2),
    (n) => positive(n) && n < deadline,
    `a number of seconds > 0 and below ${DETECT_ENV.signalLostSeconds} (${deadline})`,
  );
  return signalLostTiming(deadline, check);
}

function adaptationFrom(name: string | undefined) {
  try {
    return adapterByName(name || ADAPTER_NAMES[0]);
  } catch {
    throw new Error(`ADAPTATION must be one of ${ADAPTER_NAMES.join(', ')}, got ${JSON.stringify(name)}`);
  }
}
