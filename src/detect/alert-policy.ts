/**
 * The per-device alert policy of docs/ARCHITECTURE.md §3.3: an alert opens when at least `k` of the last
 * `n` beats are anomalous, or when one beat exceeds `criticalMultiple` times the threshold; after
 * an alert the device stays quiet for `cooldownMs` of signal time unless the severity rises. A beat
 * in seconds of doubtful signal (baseline wander) is not counted as anomalous.
 *
 * Pure: {@link stepAlertPolicy} takes a state and returns the next one, and the state is plain
 * JSON, so a device's policy can be snapshotted, rolled back and moved between environments.
 */

/** How bad an alert is: `critical` outranks `warning`. */
export type AlertSeverity = 'warning' | 'critical';

/** Tunables of the alert policy. Every field has a documented default in {@link DEFAULT_ALERT_POLICY}. */
export interface AlertPolicyOptions {
  /** Anomalous beats among the last `n` that open a warning. */
  readonly k: number;
  /** Length of the sliding window of beats. */
  readonly n: number;
  /** A single beat scoring above `criticalMultiple * threshold` opens a critical alert. */
  readonly criticalMultiple: number;
  /** Signal time (ms) after an alert during which the device raises no alert of equal or lower severity. */
  readonly cooldownMs: number;
}

/**
 * Defaults: 3 anomalous beats of the last 10 (a couplet plus one, or a run, not one stray
 * ectopic beat); a beat 3x over the threshold is critical on its own; 60 s of signal between
 * alerts of a device so a bigeminy episode raises one alert a minute, not one every 3 beats.
 */
export const DEFAULT_ALERT_POLICY: AlertPolicyOptions = Object.freeze({
  k: 3,
  n: 10,
  criticalMultiple: 3,
  cooldownMs: 60_000,
});

/** One scored beat as the policy sees it. */
export interface PolicyBeat {
  /** Epoch ms of the R peak (rounded to whole ms by the caller). */
  readonly t: number;
  /** Anomaly score (reconstruction error): higher = more anomalous. */
  readonly score: number;
  /** Threshold in force for this device when the beat was scored. */
  readonly threshold: number;
  /**
   * The signal-quality index calls the beat's second or a neighbour wander (electrode motion): the
   * beat's shape may be the artefact's, so the policy does not count it as anomalous, whatever its
   * score (it is still scored and reported). Absent: false.
   */
  readonly doubtfulSignal?: boolean;
}

/** A beat in the sliding window, with its verdict. */
export interface WindowBeat extends PolicyBeat {
  readonly anomalous: boolean;
}

/** Policy state of one device: plain JSON. */
export interface AlertPolicyState {
  /** The last `n` beats, oldest first. */
  readonly recent: readonly WindowBeat[];
  /** The last alert raised, or null. */
  readonly lastAlert: { readonly openedAt: number; readonly severity: AlertSeverity; readonly lastCoveredT: number } | null;
}

/** What the policy decided to raise (the detector turns it into the SNS message of §3.3). */
export interface AlertDecision {
  /** Deterministic id `<deviceId>:<t of first anomalous beat>`: the same beats always give the same id. */
  readonly id: string;
  readonly deviceId: string;
  readonly severity: AlertSeverity;
  /** t of the first anomalous beat the alert reports (the one in the id). */
  readonly from: number;
  /** t of the beat that opened the alert. */
  readonly to: number;
  /** Anomalous beats in the window when the alert opened. */
  readonly anomalousBeats: number;
  /** Beats in the window when the alert opened (≤ n). */
  readonly windowBeats: number;
  /** Highest score in the window. */
  readonly maxScore: number;
  /** Threshold in force when the alert opened. */
  readonly threshold: number;
  /** t of every beat of the window, oldest first (their windows go to the snippet). */
  readonly beatTimes: readonly number[];
}

/** A fresh device: no beats, no alert yet. */
export function initialAlertPolicyState(): AlertPolicyState {
  return { recent: [], lastAlert: null };
}

const RANK: Record<AlertSeverity, number> = { warning: 1, critical: 2 };

/** Checks options once so a misconfiguration fails at start-up with the field named. */
export function validateAlertPolicy(options: AlertPolicyOptions): AlertPolicyOptions {
  const { k, n, criticalMultiple, cooldownMs } = options;
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`alert policy: n must be an integer >= 1, got ${n}`);
  if (!Number.isInteger(k) || k < 1 || k > n) throw new RangeError(`alert policy: k must be an integer in [1, n=${n}], got ${k}`);
  if (!(criticalMultiple > 1)) throw new RangeError(`alert policy: criticalMultiple must be > 1, got ${criticalMultiple}`);
  if (!(cooldownMs >= 0) || !Number.isFinite(cooldownMs))
    throw new RangeError(`alert policy: cooldownMs must be a finite number >= 0, got ${cooldownMs}`);
  return options;
}

/**
 * Feeds one scored beat to a device's policy. Returns the next state and, when this beat opens
 * an alert, the decision. An alert only ever opens on an anomalous beat, and its id names the
 * first anomalous beat of the window not reported by an earlier alert, so ids of one device are
 * unique and increasing, and replaying the same beats from the same state gives the same ids.
 *
 * @example
 * let state = initialAlertPolicyState();
 * for (const beat of beats) {
 *   const step = stepAlertPolicy(state, 'dev-1', beat);
 *   state = step.state;
 *   if (step.alert) publish(step.alert);
 * }
 */
export function stepAlertPolicy(
  state: AlertPolicyState,
  deviceId: string,
  beat: PolicyBeat,
  options: AlertPolicyOptions = DEFAULT_ALERT_POLICY,
): { state: AlertPolicyState; alert: AlertDecision | null } {
  // An alert rests on beats read on a signal the quality index does not doubt: at the bedside,
  // artefact is a main cause of false arrhythmia alarms (Drew et al. 2014), and complexes
  // distorted by electrode motion look as foreign as ectopic ones.
  const anomalous = beat.score > beat.threshold && beat.doubtfulSignal !== true;
  const recent = state.recent.length >= options.n ? state.recent.slice(state.recent.length - options.n + 1) : state.recent.slice();
  recent.push({ t: beat.t, score: beat.score, threshold: beat.threshold, anomalous });
  const next: AlertPolicyState = { recent, lastAlert: state.lastAlert };
  if (!anomalous) return { state: next, alert: null };

  let count = 0;
  let maxScore = -Infinity;
  for (const b of recent) {
    if (b.anomalous) count++;
    if (b.score > maxScore) maxScore = b.score;
  }
  const severity: AlertSeverity | null =
    beat.score > options.criticalMultiple * beat.threshold ? 'critical' : count >= options.k ? 'warning' : null;
  if (severity === null) return { state: next, alert: null };

  const last = state.lastAlert;
  if (last !== null && beat.t - last.openedAt < options.cooldownMs && RANK[severity] <= RANK[last.severity]) {
    return { state: next, alert: null };
  }
  // The first anomalous beat not yet reported; the current beat qualifies, so this always exists.
  const coveredUntil = last?.lastCoveredT ?? -Infinity;
  let first = beat.t;
  for (const b of recent) {
    if (b.anomalous && b.t > coveredUntil) {
      first = b.t;
      break;
    }
  }
  const alert: AlertDecision = {
    id: `${deviceId}:${first}`,
    deviceId,
    severity,
    from: first,
    to: beat.t,
    anomalousBeats: count,
    windowBeats: recent.length,
    maxScore,
    threshold: beat.threshold,
    beatTimes: recent.map((b) => b.t),
  };
  return { state: { recent, lastAlert: { openedAt: beat.t, severity, lastCoveredT: beat.t } }, alert };
}
