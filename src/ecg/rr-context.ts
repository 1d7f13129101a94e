/**
 * The RR context a segmenter gives each beat as it is detected: the interval from the previous
 * beat and the mean of the intervals before that one. One definition for the one-lead and the
 * multi-lead segmenter, so a beat gets the same context from either.
 */

/** RR context of one beat, in seconds (null: no earlier beat, or no earlier interval). */
export interface RrContext {
  readonly rrPrev: number | null;
  readonly rrLocalMean: number | null;
}

/**
 * The context of a beat at sample `r`, given the previous beat at `lastBeat` (negative: none)
 * and `recent`, the last intervals in samples; then records this beat's interval in `recent`,
 * keeping at most `keep`. Mutates `recent` (a segmenter's saved state) so no array is made per beat.
 *
 * @example
 * const recent: number[] = [];
 * rrContext(360, -1, recent, 8, 360); // { rrPrev: null, rrLocalMean: null }
 * rrContext(648, 360, recent, 8, 360); // { rrPrev: 0.8, rrLocalMean: null }
 * rrContext(936, 648, recent, 8, 360); // { rrPrev: 0.8, rrLocalMean: 0.8 }
 */
export function rrContext(r: number, lastBeat: number, recent: number[], keep: number, fs: number): RrContext {
  if (lastBeat < 0) return { rrPrev: null, rrLocalMean: null };
  let rrLocalMean: number | null = null;
  if (recent.length > 0) {
    let sum = 0;
    for (const rr of recent) sum += rr;
    rrLocalMean = sum / recent.length / fs;
  }
  recent.push(r - lastBeat);
  if (recent.length > keep) recent.shift();
  return { rrPrev: (r - lastBeat) / fs, rrLocalMean };
}
