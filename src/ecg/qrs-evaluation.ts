import type { Beat } from './beat-segmenter';
import { BeatSegmenter } from './beat-segmenter';
import { MultiLeadSegmenter, type MultiLeadBeat } from './multi-lead-segmenter';
import { EC57_MATCH_WINDOW_SECONDS, matchBeats, positivePredictivity, sensitivity } from './match-beats';

/** QRS detection score of one record (or a total). */
export interface QrsScore {
  readonly tp: number;
  readonly fn: number;
  readonly fp: number;
  /** Sensitivity TP / (TP + FN). */
  readonly se: number;
  /** Positive predictivity TP / (TP + FP). */
  readonly ppv: number;
}

/**
 * Scores detected R peaks against reference beats with EC57's 150 ms matching window. Beats and
 * detections inside `excluded` [start, end) sample ranges (ventricular flutter/fibrillation
 * episodes, which EC57 leaves out of QRS detection statistics) are not counted.
 */
export function scoreQrs(
  reference: ArrayLike<number>,
  detected: ArrayLike<number>,
  fs: number,
  excluded: readonly (readonly [number, number])[] = [],
): QrsScore {
  const keep = (s: number): boolean => !excluded.some(([from, to]) => s >= from && s < to);
  const ref = excluded.length === 0 ? reference : Array.from(reference).filter(keep);
  const det = excluded.length === 0 ? detected : Array.from(detected).filter(keep);
  const m = matchBeats(ref, det, Math.round(EC57_MATCH_WINDOW_SECONDS * fs));
  return { ...m, se: sensitivity(m), ppv: positivePredictivity(m) };
}

/** Sums per-record scores (gross statistics, as EC57 reports them). */
export function totalQrs(scores: readonly QrsScore[]): QrsScore {
  const m = scores.reduce((a, s) => ({ tp: a.tp + s.tp, fn: a.fn + s.fn, fp: a.fp + s.fp }), { tp: 0, fn: 0, fp: 0 });
  return { ...m, se: sensitivity(m), ppv: positivePredictivity(m) };
}

/**
 * Streams a recording through a {@link BeatSegmenter} (the production path) in chunks of
 * `chunkSeconds`, then flushes it at the end. Returns every beat in order.
 *
 * @example
 * const beats = streamBeats(rec.signal, rec.fs); // 1 s chunks
 */
export function streamBeats(signal: Float32Array, fs: number, chunkSeconds = 1, segmenter = new BeatSegmenter({ fs })): Beat[] {
  const chunk = Math.max(1, Math.round(chunkSeconds * fs));
  const beats: Beat[] = [];
  for (let start = 0; start < signal.length; start += chunk) {
    for (const beat of segmenter.push(signal.subarray(start, start + chunk))) beats.push(beat);
  }
  for (const beat of segmenter.flush()) beats.push(beat);
  return beats;
}

/**
 * Streams several leads of a recording (the model's first) through a {@link MultiLeadSegmenter}
 * in chunks of `chunkSeconds`, then flushes it: the beats the detector finds on a multi-lead
 * device. One lead: the same as {@link streamBeats}.
 *
 * @example
 * const beats = streamLeadBeats([mlii, v1], 360); // 1 s chunks
 */
export function streamLeadBeats(leads: readonly Float32Array[], fs: number, chunkSeconds = 1): MultiLeadBeat[] {
  const segmenter = new MultiLeadSegmenter({ fs, leads: leads.length });
  const chunk = Math.max(1, Math.round(chunkSeconds * fs));
  const beats: MultiLeadBeat[] = [];
  for (let start = 0; start < leads[0].length; start += chunk)
    for (const beat of segmenter.push(leads.map((l) => l.subarray(start, start + chunk)))) beats.push(beat);
  for (const beat of segmenter.flush()) beats.push(beat);
  return beats;
}
