import type { SequenceAutoencoder } from '../nn';
import { rocAuc, sortedQuantile } from '../model';
import type { WindowSet } from './split';

/** How one model did on the held-out beats. */
export interface ModelScorecard {
  /** Mean reconstruction error of held-out normal beats (lower is better). */
  readonly meanNormalError: number;
  /**
   * Separation of the champion-flagged beats from held-out normal beats: the median flagged
   * score over the 99th percentile of the normal scores (a contrast; above 1 the typical flagged
   * beat stands out from nearly every normal one; higher is better). Null when there are too
   * few flagged beats.
   */
  readonly separation: number | null;
  /** ROC-AUC of flagged (positive) vs held-out normal beats; null with too few flagged beats. */
  readonly flaggedAuc: number | null;
  /**
   * Beats clinicians labelled true alarms: their median score over the 99th percentile of the
   * normal scores (as `separation`), and the share of them scoring above that percentile. Null
   * without any.
   */
  readonly knownPositives: { readonly contrast: number; readonly aboveNormalP99: number } | null;
  /** Beats clinicians labelled false alarms: the share of them still above the normal scores' 99th percentile (lower is better). Null without any. */
  readonly falseAlarms: { readonly aboveNormalP99: number } | null;
}

/** One promotion criterion. */
export interface ComparisonCheck {
  readonly name: 'reconstruction' | 'separation' | 'known-positives';
  readonly status: 'pass' | 'fail' | 'skipped';
  readonly champion: number | null;
  readonly challenger: number | null;
  /** The value the challenger had to reach (at most for reconstruction, at least for separation). */
  readonly limit: number | null;
  readonly detail: string;
}

/** The verdict of {@link compareModels}. */
export interface ModelComparison {
  readonly champion: ModelScorecard;
  readonly challenger: ModelScorecard;
  readonly normalBeats: number;
  readonly flaggedBeats: number;
  readonly checks: readonly ComparisonCheck[];
  /** True when no check failed. */
  readonly promote: boolean;
  /** One sentence on why. */
  readonly reason: string;
}

/** Margins and minimums of {@link compareModels}. */
export interface ComparisonOptions {
  readonly reconstructionMargin: number;
  readonly separationMargin: number;
  readonly minFlaggedForSeparation: number;
}

/** Quantile of the normal scores the flagged beats' median is measured against. */
export const SEPARATION_NORMAL_QUANTILE = 0.99;

/**
 * Compares challenger and champion on the same held-out beats and decides whether the
 * challenger may replace the champion: it must not be worse by more than the stated margins.
 *
 * - reconstruction: challenger mean error on normal beats <= champion's x (1 + reconstructionMargin);
 * - separation (when there are at least `minFlaggedForSeparation` flagged beats): challenger
 *   contrast (median flagged score / 99th percentile of normal scores) >= champion contrast x
 *   (1 - separationMargin). The champion chose which beats are flagged, so any measure favours
 *   it a little; a median-based contrast is carried by the clearly abnormal beats rather than
 *   by the borderline ones the champion's own threshold split (rank measures like ROC-AUC are
 *   1 for the champion by construction). A model that cannot tell those beats apart does not pass.
 *
 * @example
 * const verdict = compareModels(champion.model, challenger, split.evaluate, split.flagged, options);
 * if (!verdict.promote) log(verdict.reason);
 */
export function compareModels(
  champion: SequenceAutoencoder,
  challenger: SequenceAutoencoder,
  normal: WindowSet,
  flagged: WindowSet,
  options: ComparisonOptions,
  labelled: LabelledSets = NO_LABELS,
): ModelComparison {
  if (normal.count === 0) throw new RangeError('compareModels: no held-out normal beats to compare on');
  const withFlagged = flagged.count >= options.minFlaggedForSeparation;
  const a = scorecard(champion, normal, flagged, withFlagged, labelled);
  const b = scorecard(challenger, normal, flagged, withFlagged, labelled);
  const checks: ComparisonCheck[] = [];

  const reconLimit = a.meanNormalError * (1 + options.reconstructionMargin);
  const reconOk = b.meanNormalError <= reconLimit;
  checks.push({
    name: 'reconstruction',
    status: reconOk ? 'pass' : 'fail',
    champion: a.meanNormalError,
    challenger: b.meanNormalError,
    limit: reconLimit,
    detail: `mean error on ${normal.count} held-out normal beats ${fmt(b.meanNormalError)} vs champion ${fmt(a.meanNormalError)} (limit ${fmt(reconLimit)}, margin ${pct(options.reconstructionMargin)})`,
  });

  if (withFlagged && a.separation !== null && b.separation !== null) {
    const sepLimit = a.separation * (1 - options.separationMargin);
    const sepOk = b.separation >= sepLimit;
    checks.push({
      name: 'separation',
      status: sepOk ? 'pass' : 'fail',
      champion: a.separation,
      challenger: b.separation,
      limit: sepLimit,
      detail: `separation of ${flagged.count} flagged beats (median flagged / p99 normal score) ${fmt(b.separation)} vs champion ${fmt(a.separation)} (limit ${fmt(sepLimit)}, margin ${pct(options.separationMargin)})`,
    });
  } else {
    checks.push({
      name: 'separation',
      status: 'skipped',
      champion: null,
      challenger: null,
      limit: null,
      detail: `only ${flagged.count} flagged beats (need ${options.minFlaggedForSeparation}): separation not judged`,
    });
  }

  if (a.knownPositives !== null && b.knownPositives !== null) {
    // Beats a clinician confirmed are anomalies: the challenger must still tell them apart from
    // normal beats, with the same margin as the champion-flagged ones.
    const limit = a.knownPositives.contrast * (1 - options.separationMargin);
    const ok = b.knownPositives.contrast >= limit;
    checks.push({
      name: 'known-positives',
      status: ok ? 'pass' : 'fail',
      champion: a.knownPositives.contrast,
      challenger: b.knownPositives.contrast,
      limit,
      detail: `separation of ${labelled.positives.count} beats labelled true alarms ${fmt(b.knownPositives.contrast)} vs champion ${fmt(a.knownPositives.contrast)} (limit ${fmt(limit)}; above the normal p99: ${pct(b.knownPositives.aboveNormalP99)} vs ${pct(a.knownPositives.aboveNormalP99)})`,
    });
  }

  const failed = checks.filter((c) => c.status === 'fail');
  const promote = failed.length === 0;
  const reason = promote
    ? `challenger not worse than champion: ${checks.map((c) => c.detail).join('; ')}`
    : `challenger worse than champion: ${failed.map((c) => c.detail).join('; ')}`;
  return { champion: a, challenger: b, normalBeats: normal.count, flaggedBeats: flagged.count, checks, promote, reason };
}

/** Beats clinicians labelled, compared on beside the held-out ones (see `src/retrain/labels.ts`). */
export interface LabelledSets {
  /** Beats of alerts labelled true alarms. */
  readonly positives: WindowSet;
  /** Beats of alerts labelled false alarms. */
  readonly falseAlarms: WindowSet;
}

const EMPTY: WindowSet = { data: new Float32Array(0), rr: new Float32Array(0), count: 0 };
const NO_LABELS: LabelledSets = { positives: EMPTY, falseAlarms: EMPTY };

function scorecard(
  model: SequenceAutoencoder,
  normal: WindowSet,
  flagged: WindowSet,
  withFlagged: boolean,
  labelled: LabelledSets,
): ModelScorecard {
  const n = model.score(normal.data, normal.count);
  let sum = 0;
  for (let i = 0; i < n.length; i++) sum += n[i];
  const meanNormalError = sum / n.length;
  // A perfect reconstruction of every normal beat would divide by zero: floor the reference.
  const normalQ = Math.max(sortedQuantile(Float64Array.from(n).sort(), SEPARATION_NORMAL_QUANTILE), 1e-12);
  const above = (x: Float32Array) => x.reduce((k, v) => k + (v > normalQ ? 1 : 0), 0) / x.length;
  let knownPositives: ModelScorecard['knownPositives'] = null;
  if (labelled.positives.count > 0) {
    const p = model.score(labelled.positives.data, labelled.positives.count);
    knownPositives = { contrast: sortedQuantile(Float64Array.from(p).sort(), 0.5) / normalQ, aboveNormalP99: above(p) };
  }
  const falseAlarms =
    labelled.falseAlarms.count > 0 ? { aboveNormalP99: above(model.score(labelled.falseAlarms.data, labelled.falseAlarms.count)) } : null;
  if (!withFlagged) return { meanNormalError, separation: null, flaggedAuc: null, knownPositives, falseAlarms };
  const f = model.score(flagged.data, flagged.count);
  const flaggedMedian = sortedQuantile(Float64Array.from(f).sort(), 0.5);
  const separation = flaggedMedian / normalQ;
  const scores = new Float64Array(n.length + f.length);
  const labels = new Uint8Array(n.length + f.length);
  scores.set(n);
  scores.set(f, n.length);
  labels.fill(1, n.length);
  return { meanNormalError, separation, flaggedAuc: rocAuc(scores, labels), knownPositives, falseAlarms };
}

const fmt = (x: number): string => (Math.abs(x) >= 0.01 ? x.toFixed(3) : x.toExponential(2));
const pct = (x: number): string => `${Math.round(x * 1000) / 10}%`;
