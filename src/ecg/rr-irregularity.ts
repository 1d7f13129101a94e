/**
 * RR-interval irregularity, the statistics behind atrial fibrillation detection from beat times.
 *
 * AF is an "irregularly irregular" rhythm: successive RR differences are large for most beats,
 * not for a few. The detector uses the statistics of Dash et al. ("Automatic real time detection
 * of atrial fibrillation", Annals of Biomedical Engineering 37(9):1701-1709, 2009):
 * - the **normalized RMSSD**, the root mean square of successive RR differences over the mean
 *   RR, after the longest and shortest intervals are set aside (Dash et al. drop the 8 longest
 *   and 8 shortest of 128, a sixteenth at each end, so a single ectopic beat and its pause do not
 *   dominate); their AF threshold is 0.1;
 * - the **turning-point ratio** (TPR), the fraction of inner intervals that are a local peak or
 *   trough: about 2/3 for a random series, near 1 for an alternating one. Bigeminy alternates
 *   short and long intervals, so every difference is large while the rhythm is perfectly
 *   regular in its pattern; a TPR near 1 marks it as not AF.
 *
 * The median absolute successive difference over the median RR is kept as well (robust to up to
 * half the differences being outliers; sinus rhythm sits below 0.03).
 */

/** What {@link rrIrregularity} measures over a window of RR intervals. */
export interface RrIrregularity {
  /** RMSSD / mean RR of the window with a `trim` share of the longest and of the shortest intervals set aside (Dash et al. 2009: AF above 0.1). */
  readonly normalizedRmssd: number;
  /** median |RR[i] - RR[i-1]| / median RR (dimensionless; sinus rhythm < 0.03). */
  readonly normalizedMedianDiff: number;
  /** Fraction of inner intervals that are turning points (random series ≈ 0.67, alternation → 1). */
  readonly turningPointRatio: number;
}

/** Dash et al.'s outlier share: 8 of 128 intervals set aside at each end. */
export const DASH_TRIM = 8 / 128;

/**
 * Irregularity of a window of RR intervals (seconds, oldest first), at least 4 of them.
 * `scratch` (length ≥ `rr.length`) avoids an allocation per call.
 *
 * @example
 * rrIrregularity([0.8, 0.81, 0.79, 0.8, 0.8]).normalizedMedianDiff // 0.0125
 */
export function rrIrregularity(
  rr: ArrayLike<number>,
  scratch: Float64Array = new Float64Array(rr.length),
  trim: number = DASH_TRIM,
): RrIrregularity {
  const n = rr.length;
  if (n < 4) throw new RangeError(`rrIrregularity: need at least 4 RR intervals, got ${n}`);
  for (let i = 0; i < n; i++) scratch[i] = rr[i];
  const sorted = scratch.subarray(0, n).sort();
  const medianRr = n % 2 === 1 ? sorted[n >> 1] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  // The trimmed series keeps the intervals between the k-th shortest and the k-th longest, in order.
  const k = Math.min(Math.floor(n * trim), (n - 2) >> 1);
  const lo = sorted[k];
  const hi = sorted[n - 1 - k];
  let kept = 0;
  let sum = 0;
  let sumSq = 0;
  let prev = Number.NaN;
  for (let i = 0; i < n; i++) {
    const x = rr[i];
    if (x < lo || x > hi) continue;
    kept++;
    sum += x;
    if (!Number.isNaN(prev)) sumSq += (x - prev) ** 2;
    prev = x;
  }
  const normalizedRmssd = kept > 1 && sum > 0 ? Math.sqrt(sumSq / (kept - 1)) / (sum / kept) : 0;
  for (let i = 1; i < n; i++) scratch[i - 1] = Math.abs(rr[i] - rr[i - 1]);
  const diffs = scratch.subarray(0, n - 1).sort();
  const m = n - 1;
  const medianDiff = m % 2 === 1 ? diffs[m >> 1] : (diffs[m / 2 - 1] + diffs[m / 2]) / 2;
  let turns = 0;
  for (let i = 1; i < n - 1; i++) if ((rr[i] - rr[i - 1]) * (rr[i + 1] - rr[i]) < 0) turns++;
  return {
    normalizedRmssd,
    normalizedMedianDiff: medianRr > 0 ? medianDiff / medianRr : 0,
    turningPointRatio: turns / (n - 2),
  };
}
