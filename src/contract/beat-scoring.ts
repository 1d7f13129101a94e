/**
 * How a beat's anomaly score is made from the autoencoder's reconstruction error. Stored in the
 * model artifact under `scoring` so the detector, `beatwatch score` and evaluation all score a
 * beat the same way the threshold was fitted.
 *
 * - `reconstruction`: the window's reconstruction error alone (docs/ARCHITECTURE.md §3.2's default).
 * - `reconstruction+prematurity`: plus `prematurityWeight * max(0, ln(rrNext / rrPrev))`.
 *   A beat window carries shape only; an ectopic beat that looks normal in shape (many
 *   supraventricular and some ventricular ectopics) is told apart by its timing: it comes early
 *   and is followed by a (compensatory) pause, so rrNext / rrPrev is well above 1, while sinus
 *   rhythm keeps it near 1. The ratio needs no per-device history, so it is identical whether a
 *   device's state is warm or cold, and only its positive side counts, so the normal beat after
 *   an ectopic (long then short) is not penalised.
 */
export type BeatScoring =
  { readonly kind: 'reconstruction' } | { readonly kind: 'reconstruction+prematurity'; readonly prematurityWeight: number };

/**
 * Default scoring of new models: reconstruction plus prematurity at weight 0.5 (a beat twice as
 * early as its successor adds 0.35, about the reconstruction error of a mildly misshapen beat).
 */
export const DEFAULT_BEAT_SCORING: BeatScoring = Object.freeze({ kind: 'reconstruction+prematurity', prematurityWeight: 0.5 });

/** Scoring of artifacts that carry none: reconstruction error only. */
export const RECONSTRUCTION_ONLY: BeatScoring = Object.freeze({ kind: 'reconstruction' });

/**
 * Reads the `scoring` member of a parsed artifact object, naming the bad field. Absent means
 * {@link RECONSTRUCTION_ONLY} (artifacts made before scoring was recorded).
 */
export function readBeatScoring(root: unknown): BeatScoring {
  const scoring = (root as { scoring?: unknown } | null)?.scoring;
  if (scoring === undefined) return RECONSTRUCTION_ONLY;
  if (scoring === null || typeof scoring !== 'object' || Array.isArray(scoring)) throw new Error('artifact.scoring: expected an object');
  const o = scoring as Record<string, unknown>;
  if (o.kind === 'reconstruction') return RECONSTRUCTION_ONLY;
  if (o.kind === 'reconstruction+prematurity') {
    const w = o.prematurityWeight;
    if (typeof w !== 'number' || !Number.isFinite(w) || w < 0)
      throw new Error(`artifact.scoring.prematurityWeight: expected a finite number >= 0, got ${JSON.stringify(w)}`);
    return { kind: 'reconstruction+prematurity', prematurityWeight: w };
  }
  throw new Error(
    `artifact.scoring.kind: unknown scoring ${JSON.stringify(o.kind)} (expected "reconstruction" or "reconstruction+prematurity")`,
  );
}
