/**
 * The head of a multi-lead stream: the seconds every lead has judged but the segmenter has not
 * decided yet. A second is decided only once the chosen lead's QRS detector has passed it (its
 * `maxLatency`, about 4 s at 360 Hz, and during a pause every other lead's too), so a rhythm
 * rule that must not wait for that (asystole, issue 13: raised within 2 s of its definition) reads
 * the head as a single-lead monitor reads its stream: with the R peaks reported so far.
 */
import type { OtherLeadPeaks } from './multi-lead-segmenter';
import type { SecondQuality } from './signal-quality';

/** One second of the head: the lead the segmenter would use there as things stand, its quality, and that lead's R peaks reported so far in it. */
export interface HeadSecond {
  readonly index: number;
  readonly quality: SecondQuality;
  readonly lead: number;
  /** R peaks the lead's detector has reported in the second so far, placed on lead 0's time (as beats are). */
  readonly peaks: readonly number[];
}

/** Another lead's report at the head ({@link OtherLeadPeaks} to the head's last second), and how far its detector has looked. */
export interface HeadReport extends OtherLeadPeaks {
  /** Every R peak this lead will ever report below this sample index is in `peaks`. */
  readonly horizon: number;
}

/** The undecided seconds of a multi-lead stream, oldest first, and every other lead's R peaks up to the last of them. */
export interface StreamHead {
  readonly seconds: readonly HeadSecond[];
  readonly others: readonly HeadReport[];
}
