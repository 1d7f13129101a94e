/**
 * The clinical alarm limits of the rhythm rules that a deployment may set (issue 13: "all
 * thresholds configurable, defaults as stated"): their defaults, the Lambda variable and CDK
 * context key of each, and what a valid value is. Defined here, once, because three layers read
 * them: the rhythm monitor (`src/detect`), the detect function's environment, and the stack
 * (`infra/`, which sees only this folder).
 *
 * The shape constants of the rules (QRS correlations, the AF statistic's thresholds) are not
 * here: they were chosen on data (docs/ARCHITECTURE.md §6) and are not a ward's choice.
 */

/** How one alarm limit is set and checked. */
export interface AlarmLimitSpec {
  /** The detect function's environment variable (the CDK context key is the limit's own name). */
  readonly env: string;
  /** The default, as bedside monitors and the issue state it. */
  readonly default: number;
  /** Whole numbers only (beat counts). */
  readonly integer: boolean;
  /** Smallest valid value: integers may equal it, other numbers must exceed it. */
  readonly min: number;
  /** What it is, for error messages and docs. */
  readonly what: string;
}

/**
 * The alarm limits, by their name in the rhythm monitor's options. Defaults: asystole after 4 s
 * without QRS; extreme bradycardia below 40 bpm for 5 consecutive beats; extreme tachycardia
 * above 140 bpm for 17; a VT run is 3 ventricular beats above 100 bpm (fewer is a couplet, not
 * a run), critical at 5; ventricular flutter/fibrillation after 4 s.
 *
 * @example
 * ALARM_LIMITS.asystoleSeconds.env // 'ASYSTOLE_SECONDS'
 */
export const ALARM_LIMITS = {
  asystoleSeconds: { env: 'ASYSTOLE_SECONDS', default: 4, integer: false, min: 0, what: 'seconds without QRS that make asystole' },
  bradyBpm: { env: 'BRADY_BPM', default: 40, integer: false, min: 0, what: 'rate below which beats count towards extreme bradycardia' },
  bradyBeats: { env: 'BRADY_BEATS', default: 5, integer: true, min: 1, what: 'consecutive slow beats that make extreme bradycardia' },
  tachyBpm: { env: 'TACHY_BPM', default: 140, integer: false, min: 0, what: 'rate above which beats count towards extreme tachycardia' },
  tachyBeats: { env: 'TACHY_BEATS', default: 17, integer: true, min: 1, what: 'consecutive fast beats that make extreme tachycardia' },
  vtBpm: { env: 'VT_BPM', default: 100, integer: false, min: 0, what: 'mean rate above which ventricular beats in a row are a VT run' },
  vtRunBeats: { env: 'VT_RUN_BEATS', default: 3, integer: true, min: 3, what: 'ventricular beats in a row that make a VT run (warning)' },
  vtCriticalBeats: { env: 'VT_CRITICAL_BEATS', default: 5, integer: true, min: 3, what: 'VT run length at which it becomes critical' },
  vflSeconds: {
    env: 'VFL_SECONDS',
    default: 4,
    integer: false,
    min: 0,
    what: 'seconds of fibrillatory waveform that make ventricular flutter/fibrillation',
  },
} as const satisfies Record<string, AlarmLimitSpec>;

/** Names of the alarm limits. */
export type AlarmLimitName = keyof typeof ALARM_LIMITS;

/** A value for every alarm limit. */
export type AlarmLimits = { readonly [K in AlarmLimitName]: number };

/**
 * The default of every alarm limit.
 *
 * @example
 * DEFAULT_ALARM_LIMITS.bradyBpm // 40
 */
export const DEFAULT_ALARM_LIMITS: AlarmLimits = Object.freeze(
  Object.fromEntries(Object.entries(ALARM_LIMITS).map(([name, spec]) => [name, spec.default])) as AlarmLimits,
);

/**
 * Why a value is not valid for a limit (null: it is). `raw` is the value as given (a variable's
 * or a context value's string, or a number).
 *
 * @example
 * alarmLimitProblem('bradyBeats', '2.5') // 'an integer >= 1'
 */
export function alarmLimitProblem(name: AlarmLimitName, raw: unknown): string | null {
  const spec: AlarmLimitSpec = ALARM_LIMITS[name];
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : Number.NaN;
  const ok = Number.isFinite(n) && (spec.integer ? Number.isInteger(n) && n >= spec.min : n > spec.min);
  if (ok) return null;
  return spec.integer ? `an integer >= ${spec.min}` : `a number > ${spec.min}`;
}

/**
 * Where limits contradict each other (null: they do not): the bradycardia limit must lie below
 * the tachycardia one, and a VT run cannot become critical before it is a run. `label` names a
 * limit as its reader knows it (a variable, a context key).
 *
 * @example
 * alarmLimitsConflict({ ...DEFAULT_ALARM_LIMITS, tachyBpm: 35 }) // 'bradyBpm (40) must be below tachyBpm (35)'
 */
export function alarmLimitsConflict(limits: AlarmLimits, label: (name: AlarmLimitName) => string = (name) => name): string | null {
  const say = (name: AlarmLimitName) => `${label(name)} (${limits[name]})`;
  if (!(limits.bradyBpm < limits.tachyBpm)) return `${say('bradyBpm')} must be below ${say('tachyBpm')}`;
  if (!(limits.vtCriticalBeats >= limits.vtRunBeats)) return `${say('vtCriticalBeats')} must be at least ${say('vtRunBeats')}`;
  return null;
}

/**
 * The alarm-limit variables set (non-empty) in an environment, as they are: what a local run
 * passes on to its detect function, so `ASYSTOLE_SECONDS=6 npm start` behaves as a deployment
 * with that variable (the detect function checks them).
 *
 * @example
 * alarmLimitVariables({ ASYSTOLE_SECONDS: '6', HOME: '/home/x' }) // { ASYSTOLE_SECONDS: '6' }
 */
export function alarmLimitVariables(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const spec of Object.values(ALARM_LIMITS)) {
    const value = env[spec.env];
    if (value !== undefined && value !== '') out[spec.env] = value;
  }
  return out;
}
