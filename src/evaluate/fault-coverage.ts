/**
 * Beat coverage of an injected stretch in `eval noise --leads 2`: with the fault on the model's
 * lead alone, the detector should keep finding the heart's beats on the other lead. Counted
 * against the reference beats inside the stretch, matched as EC57 matches beats (150 ms).
 */
import { EC57_MATCH_WINDOW_SECONDS, matchBeats, type MitdbRecord } from '../ecg';
import type { ScoredBeat } from '../detect';

/** Reference beats inside a stretch, and what the detector reported of them. */
export interface BeatCoverage {
  /** Reference beats inside the stretch. */
  readonly reference: number;
  /** Of them, matched by a beat the detector reported (any kind, gated included). */
  readonly reported: number;
  /** Beats the detector reported inside the stretch scored on a lead other than the model's (`ScoredBeat.lead`). */
  readonly secondLead: number;
}

/**
 * Coverage of the stretch [`from`, `to`) samples: its reference beats matched one-to-one to the
 * detector's beats (`sampleOf` turns a beat's time into a sample index of the record).
 *
 * @example
 * beatCoverage(record, 400 * 360, 415 * 360, run.beats, (t) => ((t - EVAL_EPOCH) * 360) / 1000); // { reference: 18, reported: 18, secondLead: 18 }
 */
export function beatCoverage(
  record: MitdbRecord,
  from: number,
  to: number,
  beats: readonly ScoredBeat[],
  sampleOf: (t: number) => number,
): BeatCoverage {
  const tolerance = Math.round(EC57_MATCH_WINDOW_SECONDS * record.fs);
  const reference = Array.from(record.beatSamples).filter((r) => r >= from && r < to);
  // Detections up to one tolerance outside the stretch may still be its edge beats.
  const near = beats
    .map((b) => ({ sample: sampleOf(b.t), lead: b.lead }))
    .filter((b) => b.sample >= from - tolerance && b.sample < to + tolerance);
  const detected = near.map((b) => b.sample).sort((a, b) => a - b);
  const { tp } = matchBeats(reference, detected, tolerance);
  const secondLead = near.filter((b) => b.lead !== undefined && b.sample >= from && b.sample < to).length;
  return { reference: reference.length, reported: tp, secondLead };
}

/**
 * Sum of coverages (absent ones, from one-lead runs, count nothing).
 *
 * @example
 * totalCoverage([{ reference: 18, reported: 17, secondLead: 17 }, undefined]); // { reference: 18, reported: 17, secondLead: 17 }
 */
export function totalCoverage(coverages: readonly (BeatCoverage | undefined)[]): BeatCoverage {
  const sum = (f: (c: BeatCoverage) => number) => coverages.reduce((n, c) => n + (c === undefined ? 0 : f(c)), 0);
  return { reference: sum((c) => c.reference), reported: sum((c) => c.reported), secondLead: sum((c) => c.secondLead) };
}
