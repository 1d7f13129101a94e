import type { AamiClass } from '../ecg/beat-symbols';
import { rocAuc } from '../model/metrics';
import { calibrateThreshold, DEFAULT_CALIBRATION, type CalibrationOptions } from '../model/calibration';
import { DEFAULT_ALERT_POLICY, initialAlertPolicyState, stepAlertPolicy, type AlertPolicyOptions } from '../detect/alert-policy';

/** How a record's threshold is set: the model's global one, or from the record's own first minutes. */
export type Calibration = 'global' | 'per-record';

/** Options of {@link evaluateAnomaly}; every field has a documented default. */
export interface AnomalyEvalOptions {
  readonly calibration: Calibration;
  /** Learning period of per-record calibration, seconds (EC57's 5 minutes). Beats in it are not counted. */
  readonly learningSeconds: number;
  /** How the learning period's scores set the record's threshold ({@link calibrateThreshold}). */
  readonly calibrationRule: CalibrationOptions;
  /** Alert policy replayed over the scored beats for the alert rate. */
  readonly policy: AlertPolicyOptions;
}

/** Defaults: per-record calibration over the first 300 s with {@link DEFAULT_CALIBRATION}, the default policy. */
export const DEFAULT_ANOMALY_EVAL: AnomalyEvalOptions = Object.freeze({
  calibration: 'per-record',
  learningSeconds: 300,
  calibrationRule: DEFAULT_CALIBRATION,
  policy: DEFAULT_ALERT_POLICY,
});

/** Scored beats of one record: score, time (s) and the reference class matched (null: none). */
export interface ScoredRecordBeats {
  readonly scores: ArrayLike<number>;
  readonly times: ArrayLike<number>;
  readonly classes: readonly (AamiClass | null)[];
  /** The model's global threshold (used with `calibration: 'global'`). */
  readonly globalThreshold: number;
}

/** Anomaly figures of one record (or a total). AUCs are NaN when a class is absent. */
export interface AnomalyMetrics {
  readonly aucV: number;
  readonly aucAll: number;
  readonly veb: { readonly se: number; readonly ppv: number; readonly tp: number; readonly fn: number; readonly fp: number };
  readonly alerts: number;
  readonly hours: number;
  readonly alertsPerHour: number;
  readonly threshold: number;
}

/** What the totals are built from: the per-record metrics plus the calibrated scores. */
export interface RecordAnomaly {
  readonly metrics: AnomalyMetrics;
  /** Scores divided by the record's threshold (1 = at threshold), with classes, after the learning period. */
  readonly relative: { scores: number[]; classes: (AamiClass | null)[] };
}

/**
 * Beat-level anomaly metrics of one record (docs/ARCHITECTURE.md §6): AUC of V vs N and of every non-N
 * class vs N; VEB sensitivity and positive predictivity at the record's threshold (a flagged
 * beat is a VEB call; F and Q beats count neither way, as in EC57; a flagged false detection is
 * a false positive); alerts per hour from the alert policy replayed over the beats.
 *
 * @example
 * const { metrics } = evaluateAnomaly({ scores, times, classes, globalThreshold: model.threshold });
 */
export function evaluateAnomaly(beats: ScoredRecordBeats, options: Partial<AnomalyEvalOptions> = {}): RecordAnomaly {
  const o = { ...DEFAULT_ANOMALY_EVAL, ...options };
  const n = beats.scores.length;
  const start = o.calibration === 'per-record' ? o.learningSeconds : 0;
  let threshold = beats.globalThreshold;
  if (o.calibration === 'per-record') {
    const learning: number[] = [];
    for (let i = 0; i < n; i++) if (beats.times[i] < o.learningSeconds) learning.push(beats.scores[i]);
    if (learning.length > 0) threshold = calibrateThreshold(learning, o.calibrationRule);
  }
  const vScores: number[] = [];
  const vLabels: number[] = [];
  const allScores: number[] = [];
  const allLabels: number[] = [];
  const relative: RecordAnomaly['relative'] = { scores: [], classes: [] };
  let tp = 0;
  let fn = 0;
  let fp = 0;
  let policy = initialAlertPolicyState();
  let alerts = 0;
  let first = Infinity;
  let last = -Infinity;
  for (let i = 0; i < n; i++) {
    const t = beats.times[i];
    const s = beats.scores[i];
    const c = beats.classes[i];
    const step = stepAlertPolicy(policy, 'record', { t: Math.round(t * 1000), score: s, threshold }, o.policy);
    policy = step.state;
    if (t < start) continue;
    first = Math.min(first, t);
    last = Math.max(last, t);
    if (step.alert) alerts++;
    relative.scores.push(s / threshold);
    relative.classes.push(c);
    const flagged = s > threshold;
    if (c === 'V') {
      if (flagged) tp++;
      else fn++;
    } else if (flagged && c !== 'F' && c !== 'Q') fp++;
    if (c === 'N' || c === 'V') {
      vScores.push(s);
      vLabels.push(c === 'V' ? 1 : 0);
    }
    if (c !== null) {
      allScores.push(s);
      allLabels.push(c === 'N' ? 0 : 1);
    }
  }
  const hours = last > first ? (last - first) / 3600 : 0;
  return {
    metrics: {
      aucV: safeAuc(vScores, vLabels),
      aucAll: safeAuc(allScores, allLabels),
      veb: { se: tp / (tp + fn), ppv: tp / (tp + fp), tp, fn, fp },
      alerts,
      hours,
      alertsPerHour: hours > 0 ? alerts / hours : 0,
      threshold,
    },
    relative,
  };
}

/**
 * Totals over records: AUCs of the pooled calibrated scores (score / record threshold, so each
 * record is on its own scale), VEB counts summed, alert rate over `normalRecords` present.
 */
export function totalAnomaly(
  records: readonly { name: string; result: RecordAnomaly }[],
  normalRecords: readonly string[],
): { aucV: number; aucAll: number; veb: AnomalyMetrics['veb']; alertsPerHourOnNormal: number | null } {
  const vS: number[] = [];
  const vL: number[] = [];
  const aS: number[] = [];
  const aL: number[] = [];
  let tp = 0;
  let fn = 0;
  let fp = 0;
  let alerts = 0;
  let hours = 0;
  for (const { name, result } of records) {
    const { scores, classes } = result.relative;
    scores.forEach((s, i) => {
      const c = classes[i];
      if (c === 'N' || c === 'V') {
        vS.push(s);
        vL.push(c === 'V' ? 1 : 0);
      }
      if (c !== null) {
        aS.push(s);
        aL.push(c === 'N' ? 0 : 1);
      }
    });
    tp += result.metrics.veb.tp;
    fn += result.metrics.veb.fn;
    fp += result.metrics.veb.fp;
    if (normalRecords.includes(name)) {
      alerts += result.metrics.alerts;
      hours += result.metrics.hours;
    }
  }
  return {
    aucV: safeAuc(vS, vL),
    aucAll: safeAuc(aS, aL),
    veb: { se: tp / (tp + fn), ppv: tp / (tp + fp), tp, fn, fp },
    alertsPerHourOnNormal: hours > 0 ? alerts / hours : null,
  };
}

/** Records of the MIT-BIH Arrhythmia Database without ectopy, where every alert is a false one. */
export const NORMAL_RECORDS: readonly string[] = Object.freeze(['100', '101', '103', '112', '115', '122']);

function safeAuc(scores: number[], labels: number[]): number {
  const pos = labels.reduce((a, b) => a + b, 0);
  return pos === 0 || pos === labels.length ? Number.NaN : rocAuc(scores, labels);
}
