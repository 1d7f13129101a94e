/**
 * Setting a device's (or a record's) threshold from a learning period of its own beat scores,
 * without labels: EC57's learning period, and what a per-device threshold fitted from a device's
 * recent history does.
 */

/** Options of {@link calibrateThreshold}; every field has a documented default. */
export interface CalibrationOptions {
  /** Threshold = `medianFactor` x the median learning score when the scores form one population. */
  readonly medianFactor: number;
  /**
   * When the learning scores split into two populations (see `minUpperFraction`,
   * `minSeparation`), the threshold is `splitFactor` x the split point instead, if lower.
   */
  readonly splitFactor: number;
  /** Smallest share of beats in the upper population for it to count as a second population. */
  readonly minUpperFraction: number;
  /** Smallest ratio of the two populations' geometric mean scores for them to count as two. */
  readonly minSeparation: number;
}

/**
 * Defaults, measured on the MIT-BIH records at hand (see the detect report): 6 x the median keeps
 * noise bursts of sinus-rhythm records below the threshold (≤ 1 false alert an hour); a second
 * population holding ≥ 10 % of the beats at ≥ 1.5x the first's scores (frequent ectopy during
 * the learning period, as in bigeminy) puts the threshold at 1.2 x the split between them. The
 * VEB figures vary little for splitFactor 1.1-1.3 and medianFactor 5-8.
 */
export const DEFAULT_CALIBRATION: CalibrationOptions = Object.freeze({
  medianFactor: 6,
  splitFactor: 1.2,
  minUpperFraction: 0.1,
  minSeparation: 1.5,
});

/** Two-population split of scores: Otsu's threshold on log scores. */
export interface ScoreSplit {
  /** Score between the two populations. */
  readonly split: number;
  /** Share of scores above the split. */
  readonly upperFraction: number;
  /** Ratio of the upper to the lower population's geometric mean. */
  readonly separation: number;
}

/**
 * Otsu's split of positive scores in the log domain (maximum between-class variance): the
 * natural cut between a normal-beat population and an ectopic one. Needs at least 2 scores.
 */
export function splitScores(scores: ArrayLike<number>): ScoreSplit {
  const n = scores.length;
  if (n < 2) throw new RangeError(`splitScores: needs at least 2 scores, got ${n}`);
  const logs = Float64Array.from(scores, (s) => Math.log(Math.max(s, 1e-12))).sort();
  const prefix = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) prefix[i + 1] = prefix[i] + logs[i];
  let best = -1;
  let cut = 1;
  for (let i = 1; i < n; i++) {
    const m0 = prefix[i] / i;
    const m1 = (prefix[n] - prefix[i]) / (n - i);
    const between = (i / n) * (1 - i / n) * (m0 - m1) ** 2;
    if (between > best) {
      best = between;
      cut = i;
    }
  }
  const m0 = prefix[cut] / cut;
  const m1 = (prefix[n] - prefix[cut]) / (n - cut);
  return { split: Math.exp((logs[cut - 1] + logs[cut]) / 2), upperFraction: (n - cut) / n, separation: Math.exp(m1 - m0) };
}

/**
 * A threshold from a learning period's scores: `medianFactor` x the median, or, when the scores
 * hold a distinct second population (ectopic beats the learning period could not avoid), the
 * lower of that and `splitFactor` x the split. The median alone would sit among the ectopic
 * scores when they are frequent and hide them; the split keeps the threshold above the normal beats.
 *
 * @example
 * const threshold = calibrateThreshold(firstFiveMinutesScores); // 6 x median, or 1.2 x split
 */
export function calibrateThreshold(scores: ArrayLike<number>, options: CalibrationOptions = DEFAULT_CALIBRATION): number {
  const n = scores.length;
  if (n === 0) throw new RangeError('calibrateThreshold: no learning scores');
  const sorted = Float64Array.from(scores).sort();
  const median = n % 2 === 1 ? sorted[n >> 1] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  let threshold = options.medianFactor * median;
  if (n >= 2) {
    const s = splitScores(sorted);
    if (s.upperFraction >= options.minUpperFraction && s.separation >= options.minSeparation)
      threshold = Math.min(threshold, options.splitFactor * s.split);
  }
  return threshold;
}
