/**
 * What clinicians' labels did to one device (docs/ARCHITECTURE.md §3.9): written by the
 * retraining job into the device's alert-state item (which the detector reads with its snooze)
 * and into its profile (`devices/<id>/profile.json`), read by the detector. Defined once here
 * because the writer (`src/retrain`) and the reader (`src/detect`) are peers that never import
 * each other.
 */

/**
 * Highest threshold labels can give a device, relative to its learned threshold (1): false
 * alarms can at most halve its sensitivity. A device whose false alarms score higher than this
 * needs a clinician's look (electrodes, a new normal morphology), not a deafer detector.
 */
export const MAX_LABEL_THRESHOLD = 2;

/** How far above a false alarm's highest beat the threshold goes (5 %), so that beat is below it, not at it. */
export const LABEL_MARGIN = 0.05;

/** A device's label-derived state. Counts are of labelled beat alerts and of their flagged beats. */
export interface DeviceLabels {
  /**
   * The device's threshold on its learned scale (1 = the profile's own; beats score above it to
   * be anomalous), in [1, {@link MAX_LABEL_THRESHOLD}].
   */
  readonly threshold: number;
  readonly falseAlarms: number;
  readonly falseAlarmBeats: number;
  readonly truePositives: number;
  readonly truePositiveBeats: number;
  /** True when {@link MAX_LABEL_THRESHOLD} or a known positive stopped the threshold below a false alarm's beats. */
  readonly capped: boolean;
  /** Epoch ms of the retraining run that wrote it. */
  readonly updatedAt: number;
}

/**
 * The threshold of a stored {@link DeviceLabels}, or null when the value is not one (absent,
 * not a number, outside [1, {@link MAX_LABEL_THRESHOLD}]): a reader then keeps the learned
 * threshold, 1.
 *
 * @example
 * labelThresholdOf({ threshold: 1.4 }) // 1.4
 * labelThresholdOf({ threshold: 9 }) // null
 */
export function labelThresholdOf(labels: unknown): number | null {
  if (labels === null || typeof labels !== 'object') return null;
  const t = (labels as { threshold?: unknown }).threshold;
  return typeof t === 'number' && Number.isFinite(t) && t >= 1 && t <= MAX_LABEL_THRESHOLD ? t : null;
}
