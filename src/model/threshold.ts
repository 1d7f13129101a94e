import { fitGpd, potQuantile } from './gpd';

// The rule and fitted-threshold types are part of the artifact, so they live in src/contract.
import type { FittedThreshold, PotParams, ThresholdRule } from '../contract';
export type { FittedThreshold, PotParams, ThresholdRule };

/** Fewest scores a threshold is fitted from: below this an empirical tail means little. */
export const MIN_THRESHOLD_SCORES = 10;
/** Fewest excesses a POT tail fit accepts. */
export const MIN_POT_PEAKS = 5;

/** Default rule: the 99th percentile of held-out normal scores (1 % false alarms expected). */
export const DEFAULT_THRESHOLD_RULE: ThresholdRule = { rule: 'quantile', params: { q: 0.99 } };
/** Default POT parameters: fit the tail above the 90th percentile, aim at 0.5 % false alarms. */
export const DEFAULT_POT_PARAMS: PotParams = { initialQuantile: 0.9, risk: 0.005 };

/**
 * Empirical quantile with linear interpolation between order statistics (type 7, as numpy's
 * default): q = 0 is the minimum, q = 1 the maximum. `sorted` must be ascending.
 */
export function sortedQuantile(sorted: ArrayLike<number>, q: number): number {
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
}

function checkUnit(value: number, name: string, openLow: boolean, openHigh: boolean): void {
  const ok = Number.isFinite(value) && (openLow ? value > 0 : value >= 0) && (openHigh ? value < 1 : value <= 1);
  if (!ok) throw new RangeError(`fitThreshold: ${name} must be in ${openLow ? '(' : '['}0, 1${openHigh ? ')' : ']'}, got ${value}`);
}

/**
 * Fits a threshold on the scores of held-out normal windows.
 *
 * - `quantile` (q): the q-quantile of the scores.
 * - `mean-std` (k): mean + k · sample standard deviation.
 * - `pot` (initialQuantile, risk): a generalised Pareto tail fitted by maximum likelihood to the
 *   excesses over the initialQuantile-quantile t; the value is the level a normal window exceeds
 *   with probability `risk` under that tail. Extrapolates beyond the largest score seen, which
 *   an empirical quantile cannot.
 *
 * @throws RangeError naming the problem: fewer than {@link MIN_THRESHOLD_SCORES} scores, a
 *   non-finite score (with its index), parameters out of range, or too few POT peaks.
 * @example
 * const t = fitThreshold(heldOutScores, { rule: 'pot', params: { initialQuantile: 0.9, risk: 0.005 } });
 * const anomalous = score > t.value;
 */
export function fitThreshold(normalScores: ArrayLike<number>, rule: ThresholdRule = DEFAULT_THRESHOLD_RULE): FittedThreshold {
  const n = normalScores.length;
  if (n < MIN_THRESHOLD_SCORES) throw new RangeError(`fitThreshold: needs at least ${MIN_THRESHOLD_SCORES} normal scores, got ${n}`);
  const sorted = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const s = normalScores[i];
    if (!Number.isFinite(s)) throw new RangeError(`fitThreshold: score ${i} is not a finite number (${s})`);
    sorted[i] = s;
  }
  sorted.sort();

  switch (rule.rule) {
    case 'quantile': {
      checkUnit(rule.params.q, 'quantile q', false, false);
      return { rule: 'quantile', params: { q: rule.params.q }, value: sortedQuantile(sorted, rule.params.q), details: { scores: n } };
    }
    case 'mean-std': {
      const k = rule.params.k;
      if (!Number.isFinite(k)) throw new RangeError(`fitThreshold: mean-std k must be a finite number, got ${k}`);
      let mean = 0;
      for (let i = 0; i < n; i++) mean += sorted[i];
      mean /= n;
      let ss = 0;
      for (let i = 0; i < n; i++) ss += (sorted[i] - mean) ** 2;
      const std = Math.sqrt(ss / (n - 1));
      return { rule: 'mean-std', params: { k }, value: mean + k * std, details: { scores: n, mean, std } };
    }
    case 'pot': {
      const { initialQuantile, risk } = rule.params;
      checkUnit(initialQuantile, 'pot initialQuantile', true, true);
      checkUnit(risk, 'pot risk', true, true);
      const t = sortedQuantile(sorted, initialQuantile);
      let first = 0;
      while (first < n && sorted[first] <= t) first++;
      const peaks = n - first;
      if (peaks < MIN_POT_PEAKS) {
        throw new RangeError(
          `fitThreshold: pot needs at least ${MIN_POT_PEAKS} scores above the initial threshold (quantile ${initialQuantile}), got ${peaks} of ${n}`,
        );
      }
      if (risk >= peaks / n) {
        throw new RangeError(`fitThreshold: pot risk ${risk} must be below the tail fraction ${peaks}/${n} above the initial threshold`);
      }
      const excesses = new Float64Array(peaks);
      for (let i = 0; i < peaks; i++) excesses[i] = sorted[first + i] - t;
      const fit = fitGpd(excesses);
      const value = potQuantile(t, fit, risk, peaks, n);
      return {
        rule: 'pot',
        params: { initialQuantile, risk },
        value,
        details: { scores: n, initialThreshold: t, peaks, shape: fit.shape, scale: fit.scale },
      };
    }
    default: {
      const unknown: never = rule;
      throw new RangeError(`fitThreshold: unknown rule "${(unknown as { rule: string }).rule}" (have quantile, mean-std, pot)`);
    }
  }
}
