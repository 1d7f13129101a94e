import type { BeatScoring } from '../contract';
import type { SegmentedBeat } from './scorer';

/** The larger ratio counted: a 4x ratio is already unmistakable, more is usually a detection miss. */
const MAX_LOG_RATIO = Math.log(4);

/**
 * Prematurity of a beat: `max(0, ln(rrNext / rrPrev))`, capped at ln 4; 0 when either interval is
 * unknown (first beat after a start, or a pause).
 *
 * @example
 * prematurity({ rrPrev: 0.5, rrNext: 1.0 }) // ≈ 0.693
 */
export function prematurity(beat: Pick<SegmentedBeat, 'rrPrev' | 'rrNext'>): number {
  const { rrPrev, rrNext } = beat;
  if (rrPrev === null || rrNext === null || !(rrPrev > 0) || !(rrNext > 0)) return 0;
  const v = Math.log(rrNext / rrPrev);
  return v <= 0 ? 0 : Math.min(v, MAX_LOG_RATIO);
}

/** Turns reconstruction errors into anomaly scores in place (a no-op for `reconstruction`). */
export function applyBeatScoring(
  errors: Float32Array,
  beats: readonly Pick<SegmentedBeat, 'rrPrev' | 'rrNext'>[],
  scoring: BeatScoring,
): Float32Array {
  if (scoring.kind === 'reconstruction') return errors;
  const w = scoring.prematurityWeight;
  for (let i = 0; i < beats.length; i++) errors[i] += w * prematurity(beats[i]);
  return errors;
}

/**
 * {@link applyBeatScoring} for beats given as RR pairs: `rr` holds `[rrPrev, rrNext]` in seconds
 * for each of the first `count` beats, NaN where unknown (the packed form retraining samples
 * beats in). Same arithmetic, so retraining scores exactly as the detector does.
 */
export function applyBeatScoringRr(errors: Float32Array, rr: Float32Array, count: number, scoring: BeatScoring): Float32Array {
  if (scoring.kind === 'reconstruction') return errors;
  const w = scoring.prematurityWeight;
  const beat: { rrPrev: number | null; rrNext: number | null } = { rrPrev: null, rrNext: null };
  for (let i = 0; i < count; i++) {
    const prev = rr[2 * i];
    const next = rr[2 * i + 1];
    beat.rrPrev = Number.isNaN(prev) ? null : prev;
    beat.rrNext = Number.isNaN(next) ? null : next;
    errors[i] += w * prematurity(beat);
  }
  return errors;
}

/**
 * The plain reconstruction error behind a beat's score: the score less its prematurity term
 * (the inverse of {@link applyBeatScoring} for one beat; never below 0, as float32 rounding of
 * the sum can leave a tiny negative).
 *
 * @example
 * reconstructionErrorOf(0.4, { rrPrev: 0.5, rrNext: 1 }, { kind: 'reconstruction+prematurity', prematurityWeight: 0.5 }) // ≈ 0.053
 */
export function reconstructionErrorOf(
  score: number,
  beat: Pick<SegmentedBeat, 'rrPrev' | 'rrNext'>,
  scoring: BeatScoring | undefined,
): number {
  if (scoring === undefined || scoring.kind === 'reconstruction') return score;
  return Math.max(0, score - scoring.prematurityWeight * prematurity(beat));
}
