/**
 * Evaluation metrics for anomaly scores: higher score = more anomalous, label `true` (or 1) =
 * positive (abnormal). Ranking metrics (ROC-AUC, PR-AUC) need no threshold; the confusion
 * matrix and the figures derived from it are taken at one threshold.
 */

/** Labels as booleans or 0/1 numbers (anything non-zero is positive). */
export type BinaryLabels = ArrayLike<boolean> | ArrayLike<number>;

function checkInputs(scores: ArrayLike<number>, labels: BinaryLabels, what: string): { positives: number; negatives: number } {
  if (scores.length !== labels.length) {
    throw new RangeError(`${what}: scores has ${scores.length} entries but labels has ${labels.length}`);
  }
  let positives = 0;
  for (let i = 0; i < scores.length; i++) {
    if (!Number.isFinite(scores[i])) throw new RangeError(`${what}: score ${i} is not a finite number (${scores[i]})`);
    if (labels[i]) positives++;
  }
  return { positives, negatives: scores.length - positives };
}

/** Indices of `scores` sorted by ascending score (stable). */
function ascendingOrder(scores: ArrayLike<number>): Uint32Array {
  const order = new Uint32Array(scores.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  // Typed-array sort with a comparator is stable in V8 and avoids boxing an index array.
  return order.sort((a, b) => scores[a] - scores[b]);
}

/**
 * Area under the ROC curve, computed from ranks (Mann-Whitney U): the probability that a random
 * positive scores higher than a random negative, ties counting one half. Ties get their mean
 * rank, so a constant score gives exactly 0.5.
 *
 * @throws RangeError when lengths differ, a score is not finite, or one class is empty.
 * @example
 * rocAuc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]); // 0.75
 */
export function rocAuc(scores: ArrayLike<number>, labels: BinaryLabels): number {
  const { positives, negatives } = checkInputs(scores, labels, 'rocAuc');
  if (positives === 0 || negatives === 0) {
    throw new RangeError(`rocAuc: needs both classes, got ${positives} positive and ${negatives} negative`);
  }
  const order = ascendingOrder(scores);
  let positiveRankSum = 0;
  for (let start = 0; start < order.length;) {
    let end = start + 1;
    while (end < order.length && scores[order[end]] === scores[order[start]]) end++;
    // Ranks start..end-1 (0-based) are tied: each gets their mean, 1-based.
    const meanRank = (start + 1 + end) / 2;
    for (let k = start; k < end; k++) if (labels[order[k]]) positiveRankSum += meanRank;
    start = end;
  }
  const u = positiveRankSum - (positives * (positives + 1)) / 2;
  return u / (positives * negatives);
}

/**
 * Area under the precision-recall curve as average precision: the sum over distinct score
 * thresholds (descending) of precision times the recall gained there. Tied scores enter
 * together, so their order does not matter.
 *
 * @throws RangeError when lengths differ, a score is not finite, or there is no positive.
 * @example
 * averagePrecision([0.9, 0.8, 0.7, 0.1], [1, 0, 1, 0]); // (1/2)(1) + (1/2)(2/3) = 0.8333
 */
export function averagePrecision(scores: ArrayLike<number>, labels: BinaryLabels): number {
  const { positives } = checkInputs(scores, labels, 'averagePrecision');
  if (positives === 0) throw new RangeError('averagePrecision: needs at least one positive');
  const order = ascendingOrder(scores);
  let truePositives = 0;
  let flagged = 0;
  let sum = 0;
  for (let end = order.length; end > 0;) {
    let start = end - 1;
    while (start > 0 && scores[order[start - 1]] === scores[order[end - 1]]) start--;
    let gained = 0;
    for (let k = start; k < end; k++) if (labels[order[k]]) gained++;
    flagged += end - start;
    truePositives += gained;
    if (gained > 0) sum += (gained / positives) * (truePositives / flagged);
    end = start;
  }
  return sum;
}

/** Counts of a binary decision against the truth. */
export interface Confusion {
  /** Positives flagged. */
  truePositives: number;
  /** Negatives flagged. */
  falsePositives: number;
  /** Negatives not flagged. */
  trueNegatives: number;
  /** Positives not flagged. */
  falseNegatives: number;
}

/** Confusion counts plus the usual ratios; a ratio with an empty denominator is 0. */
export interface ThresholdMetrics extends Confusion {
  threshold: number;
  accuracy: number;
  precision: number;
  recall: number;
  f1: number;
  /** False-positive rate: negatives flagged / negatives. */
  falsePositiveRate: number;
}

/**
 * Confusion matrix when a window is flagged anomalous iff `score > threshold` (strictly, the
 * detector's rule, so a score equal to the threshold is normal).
 *
 * @example
 * confusionAt([0.1, 0.5, 0.9], [0, 1, 1], 0.5); // { truePositives: 1, falseNegatives: 1, trueNegatives: 1, falsePositives: 0 }
 */
export function confusionAt(scores: ArrayLike<number>, labels: BinaryLabels, threshold: number): Confusion {
  checkInputs(scores, labels, 'confusionAt');
  if (Number.isNaN(threshold)) throw new RangeError('confusionAt: threshold is NaN');
  const c: Confusion = { truePositives: 0, falsePositives: 0, trueNegatives: 0, falseNegatives: 0 };
  for (let i = 0; i < scores.length; i++) {
    const flagged = scores[i] > threshold;
    if (labels[i]) {
      if (flagged) c.truePositives++;
      else c.falseNegatives++;
    } else if (flagged) c.falsePositives++;
    else c.trueNegatives++;
  }
  return c;
}

const ratio = (num: number, den: number): number => (den === 0 ? 0 : num / den);

/**
 * Accuracy, precision, recall, F1 and false-positive rate at `threshold` (flagged iff
 * `score > threshold`).
 *
 * @example
 * const m = metricsAt(scores, isAbnormal, artifact.threshold.value);
 * console.log(m.f1.toFixed(3));
 */
export function metricsAt(scores: ArrayLike<number>, labels: BinaryLabels, threshold: number): ThresholdMetrics {
  const c = confusionAt(scores, labels, threshold);
  const precision = ratio(c.truePositives, c.truePositives + c.falsePositives);
  const recall = ratio(c.truePositives, c.truePositives + c.falseNegatives);
  return {
    ...c,
    threshold,
    accuracy: ratio(c.truePositives + c.trueNegatives, scores.length),
    precision,
    recall,
    f1: ratio(2 * precision * recall, precision + recall),
    falsePositiveRate: ratio(c.falsePositives, c.falsePositives + c.trueNegatives),
  };
}
