/**
 * How a global anomaly threshold is derived from the scores of held-out normal windows. The rule
 * and its parameters are stored in the model artifact beside the value, so a threshold can be
 * refitted the same way (per device, at retrain time).
 */
export type ThresholdRule =
  { rule: 'quantile'; params: { q: number } } | { rule: 'mean-std'; params: { k: number } } | { rule: 'pot'; params: PotParams };

/** Peaks-over-threshold parameters. */
export interface PotParams {
  /** Quantile of the normal scores taken as the initial threshold t; excesses over it are fitted. */
  initialQuantile: number;
  /** Target probability that a normal window scores above the final threshold. */
  risk: number;
}

/** A fitted threshold as stored in the artifact: the rule, its parameters, the value. */
export type FittedThreshold = ThresholdRule & {
  value: number;
  /** Facts of the fit worth keeping (sample size; for POT the tail fit), for reports. */
  details: Record<string, number>;
};
