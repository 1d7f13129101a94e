/**
 * RR-interval irregularity, the statistic behind atrial fibrillation detection from beat times.
 *
 * AF is an "irregularly irregular" rhythm: successive RR differences are large for most beats,
 * not for a few. Dash et al. ("Automatic real time detection of atrial fibrillation", Annals of
 * Biomedical Engineering 37(9):1701-1709, 2009) use the RMSSD normalised by the mean RR (with
 * outliers removed) plus the turning-point ratio; a single ectopic beat inflates an RMSSD, so
 * here the robust form is used: the **median** absolute successive difference over the median RR
 * (a median ignores up to half the differences being outliers, i.e. scattered ectopy). The
 * turning-point ratio (TPR, the fraction of intervals that are a local peak or trough; about 2/3
 * for a random series) guards against bigeminy-like alternation, where every difference is large
 * but the series is perfectly regular in its pattern (TPR near 1).
 */

/** What {@link rrIrregularity} measures over a window of RR intervals. */
export interface RrIrregularity {
  /** median |RR[i] - RR[i-1]| / median RR (dimensionless; AF typically > 0.08, sinus < 0.03). */
  readonly normalizedMedianDiff: number;
  /** Fraction of inner intervals that are turning points (random series ≈ 0.67, alternation → 1). */
  readonly turningPointRatio: number;
}

/**
 * Irregularity of a window of RR intervals (seconds, oldest first), at least 4 of them.
 * `scratch` (length ≥ `rr.length`) avoids an allocation per call.
 *
 * @example
 * rrIrregularity([0.8, 0.81, 0.79, 0.8, 0.8]).normalizedMedianDiff // 0.0125
 */
export function rrIrregularity(rr: ArrayLike<number>, scratch: Float64Array = new Float64Array(rr.length)): RrIrregularity {
  const n = rr.length;
  if (n < 4) throw new RangeError(`rrIrregularity: need at least 4 RR intervals, got ${n}`);
  for (let i = 0; i < n; i++) scratch[i] = rr[i];
  const sorted = scratch.subarray(0, n).sort();
  const medianRr = n % 2 === 1 ? sorted[n >> 1] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  for (let i = 1; i < n; i++) scratch[i - 1] = Math.abs(rr[i] - rr[i - 1]);
  const diffs = scratch.subarray(0, n - 1).sort();
  const m = n - 1;
  const medianDiff = m % 2 === 1 ? diffs[m >> 1] : (diffs[m / 2 - 1] + diffs[m / 2]) / 2;
  let turns = 0;
  for (let i = 1; i < n - 1; i++) if ((rr[i] - rr[i - 1]) * (rr[i + 1] - rr[i]) < 0) turns++;
  return { normalizedMedianDiff: medianRr > 0 ? medianDiff / medianRr : 0, turningPointRatio: turns / (n - 2) };
}
