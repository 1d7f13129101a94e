/** How close (ms) a history beat must be to a labelled beat's time to be its copy: EC57's beat-matching window. */
export const LABELLED_BEAT_MATCH_MS = 150;

/**
 * Whether `t` is within {@link LABELLED_BEAT_MATCH_MS} of one of `sorted` (ascending): a history
 * beat that is a labelled beat (the detector and the job time beats the same way, from their
 * records' `t0`).
 *
 * @example
 * isLabelledBeat([1000, 2000], 2100) // true
 */
export function isLabelledBeat(sorted: readonly number[], t: number): boolean {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] < t - LABELLED_BEAT_MATCH_MS) lo = mid + 1;
    else hi = mid;
  }
  return lo < sorted.length && sorted[lo] <= t + LABELLED_BEAT_MATCH_MS;
}
