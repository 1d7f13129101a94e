/** Counts of a beat-by-beat comparison (ANSI/AAMI EC57 QRS detection). */
export interface BeatMatch {
  /** Reference beats matched by a detection. */
  readonly tp: number;
  /** Reference beats with no detection within the tolerance. */
  readonly fn: number;
  /** Detections with no reference beat within the tolerance. */
  readonly fp: number;
}

/** EC57's matching window: a detection within 150 ms of a reference beat matches it. */
export const EC57_MATCH_WINDOW_SECONDS = 0.15;

/**
 * EC57's learning period: the beat, run and episode comparisons start this far into a record
 * (PhysioNet's reference comparators `bxb`, `rxr` and `epicmp` all begin at 5 minutes).
 */
export const EC57_LEARNING_SECONDS = 300;

/**
 * Matches detected beats to reference beats one-to-one (each reference beat to the nearest
 * unmatched detection within `tolerance` samples, scanning in time order). Both inputs must be
 * ascending sample indices.
 *
 * @example
 * matchBeats(Int32Array.of(100, 400), Int32Array.of(102, 700), 54); // { tp: 1, fn: 1, fp: 1 }
 */
export function matchBeats(reference: ArrayLike<number>, detected: ArrayLike<number>, tolerance: number): BeatMatch {
  let tp = 0;
  let j = 0;
  for (let i = 0; i < reference.length; i++) {
    const ref = reference[i];
    // Detections too early for this (and every later) reference beat are false positives.
    while (j < detected.length && detected[j] < ref - tolerance) j++;
    if (j >= detected.length) break;
    if (detected[j] > ref + tolerance) continue;
    // Two candidates in range: keep the closer one, unless the later fits the next reference better.
    let pick = j;
    if (j + 1 < detected.length && detected[j + 1] <= ref + tolerance && Math.abs(detected[j + 1] - ref) < Math.abs(detected[j] - ref)) {
      const next = i + 1 < reference.length ? reference[i + 1] : Infinity;
      if (Math.abs(detected[j + 1] - next) >= Math.abs(detected[j + 1] - ref)) pick = j + 1;
    }
    tp++;
    j = pick + 1;
  }
  return { tp, fn: reference.length - tp, fp: detected.length - tp };
}

/** Sensitivity TP / (TP + FN), 1 when there is nothing to find. */
export function sensitivity(m: BeatMatch): number {
  return m.tp + m.fn === 0 ? 1 : m.tp / (m.tp + m.fn);
}

/** Positive predictivity TP / (TP + FP), 1 when nothing was detected. */
export function positivePredictivity(m: BeatMatch): number {
  return m.tp + m.fp === 0 ? 1 : m.tp / (m.tp + m.fp);
}
