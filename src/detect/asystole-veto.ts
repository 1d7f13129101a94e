/**
 * Asystole's veto by another lead (issue 13). The asystole rule sees the beats of the lead in
 * use; where that lead's QRS all but vanishes while the heart goes on (MIT-BIH 208 at 1384 s:
 * MLII's QRS energy in the detection band falls about 40-fold for 4 s), it raises a false
 * asystole. Before raising it, the monitor asks whether another lead's own QRS detector found
 * the heart beating through the whole pause, trusted or not (a second lead is trusted only while
 * its detections agree with the model lead's, which they cannot do while that lead misses the
 * beats). When in doubt, asystole is raised: every condition below must hold.
 *
 * Why these conditions, from physiology rather than from one record:
 * - The lead was usable (not flat, clipped or noisy, outside a poor stretch) in every second of
 *   the pause: detections in noise or on a lead gone flat vouch for nothing.
 * - Its QRS complexes look like its usual ones: each detection in the pause has at least half the
 *   QRS energy (the detector's integrated height) of the smallest of the lead's recent
 *   detections that a beat of the lead in use confirmed. In ventricular standstill only P waves
 *   remain; a detector whose thresholds decay through a long pause (search-back accepts half its
 *   threshold, relearning halves its levels) may start to take them or noise. A P wave's energy
 *   in the QRS band is a small fraction of the smallest QRS's, while a real beat's, normal or
 *   ventricular, is at least of the order of the smallest one the lead showed seconds before.
 * - The beats cover the pause: no interval, from the last beat of the lead in use through the
 *   lead's detections to the end of the pause, is longer than the extreme-bradycardia interval
 *   (`60 / bradyBpm` s): a slower "rhythm" is itself a critical alarm, never a reason to silence
 *   one; and there are at least {@link MIN_PAUSE_BEATS} of them.
 * - Their rate is the patient's: the median interval between them is within a factor
 *   {@link RATE_FACTOR} of the median of the patient's recent RR intervals. A rhythm that carries
 *   on through a failing lead keeps its rate; a sudden halving or doubling is something else.
 * Regularity (a low RR variability) is deliberately not asked: the P waves of ventricular
 * standstill come regularly at the sinus rate, so regularity does not tell them from QRS
 * complexes, while the patients whose lead in use drops beats are often those with frequent
 * ectopy (208 is in ventricular trigeminy there), whose real rhythm is irregular.
 */
import { EC57_MATCH_WINDOW_SECONDS, type OtherLeadPeaks } from '../ecg';

/** What a rhythm monitor keeps of another lead's reports (plain JSON, a few dozen numbers). */
export interface OtherLeadState {
  /** The first second `usable` covers. */
  readonly from: number;
  /** Per second from `from`: `1` usable on the lead, else `0`. */
  readonly usable: string;
  /** The lead's R peaks, ascending (its own sample times), and each one's QRS energy. */
  readonly peaks: number[];
  readonly heights: number[];
}

/** Fewest detections of the other lead in a pause it vetoes: three beats in a row, two intervals to compare with the patient's. */
export const MIN_PAUSE_BEATS = 3;
/** Fewest recent detections of the other lead, confirmed by beats of the lead in use, that its QRS energy is judged against. */
export const MIN_REFERENCE_BEATS = 3;
/** A detection in the pause has at least this share of the smallest confirmed recent QRS energy of the lead (see the module). */
export const QRS_ENERGY_SHARE = 0.5;
/** The pause's median interval is within this factor of the patient's recent median RR interval. */
export const RATE_FACTOR = 1.5;
/** Seconds of usable flags and R peaks kept per other lead (a pause's report covers about 8). */
const SECONDS_KEPT = 16;
const PEAKS_KEPT = 40;

/**
 * Merges a second's report of another lead into what the monitor keeps of it: the report holds
 * every peak of the lead from its first second on (`OtherLeadPeaks`), so kept peaks before its
 * first one are older and stay.
 *
 * @example
 * kept[report.lead] = mergeOtherLead(kept[report.lead], report);
 */
export function mergeOtherLead(kept: OtherLeadState | undefined, report: OtherLeadPeaks): OtherLeadState {
  const firstNew = report.peaks[0] ?? Infinity;
  const peaks: number[] = [];
  const heights: number[] = [];
  if (kept !== undefined)
    kept.peaks.forEach((r, i) => {
      if (r >= firstNew) return;
      peaks.push(r);
      heights.push(kept.heights[i]);
    });
  peaks.push(...report.peaks);
  heights.push(...report.heights);
  // Seconds before the report's, when contiguous with it.
  let from = report.from;
  let usable = report.usable;
  if (kept !== undefined && kept.from < report.from && kept.from + kept.usable.length >= report.from) {
    usable = kept.usable.slice(0, report.from - kept.from) + usable;
    from = kept.from;
  }
  const drop = Math.max(0, usable.length - SECONDS_KEPT);
  const extra = Math.max(0, peaks.length - PEAKS_KEPT);
  return { from: from + drop, usable: usable.slice(drop), peaks: peaks.slice(extra), heights: heights.slice(extra) };
}

/** A pause of the lead in use, as {@link otherLeadShowsBeats} judges it (sample indices of the stream). */
export interface Pause {
  /** The last beat before the pause. */
  readonly lastR: number;
  /** Where the pause is judged (exclusive). */
  readonly end: number;
  /** Recent beats of the lead in use up to `lastR`, ascending. */
  readonly beats: readonly number[];
  readonly fs: number;
  /** Samples per judged second. */
  readonly block: number;
  /** The extreme-bradycardia rate (bpm): no interval of a vetoing rhythm is longer than its. */
  readonly bradyBpm: number;
}

/**
 * Whether another lead's own QRS detector found the heart beating through a pause of the lead in
 * use (every condition of the module's list). False whenever anything is unknown.
 *
 * @example
 * if (otherLeads.some((lead) => otherLeadShowsBeats(lead, pause))) vetoes++; // a detection failure, not asystole
 */
export function otherLeadShowsBeats(lead: OtherLeadState, pause: Pause): boolean {
  const { lastR, end, beats, fs, block } = pause;
  // Usable in every second of the pause.
  for (let q = Math.floor(lastR / block); q <= Math.floor((end - 1) / block); q++) {
    const k = q - lead.from;
    if (k < 0 || k >= lead.usable.length || lead.usable[k] !== '1') return false;
  }
  const tolerance = EC57_MATCH_WINDOW_SECONDS * fs;
  // The lead's recent QRS energy: its detections a beat of the lead in use confirmed.
  let smallest = Infinity;
  let confirmed = 0;
  lead.peaks.forEach((r, i) => {
    if (r > lastR + tolerance || !beats.some((b) => Math.abs(b - r) <= tolerance)) return;
    confirmed++;
    smallest = Math.min(smallest, lead.heights[i]);
  });
  if (confirmed < MIN_REFERENCE_BEATS || !(smallest > 0)) return false;
  const inPause = lead.peaks.map((r, i) => ({ r, h: lead.heights[i] })).filter((p) => p.r > lastR + tolerance && p.r < end);
  if (inPause.length < MIN_PAUSE_BEATS) return false;
  if (inPause.some((p) => !(p.h >= QRS_ENERGY_SHARE * smallest))) return false;
  // Covered: no interval longer than the extreme-bradycardia one.
  const longest = (60 / pause.bradyBpm) * fs;
  const times = [lastR, ...inPause.map((p) => p.r), end];
  for (let i = 1; i < times.length; i++) if (times[i] - times[i - 1] > longest) return false;
  // The patient's rate.
  const recent = intervals(beats.filter((b) => b <= lastR));
  if (recent.length === 0) return false;
  const ratio = median(intervals(inPause.map((p) => p.r))) / median(recent);
  return ratio >= 1 / RATE_FACTOR && ratio <= RATE_FACTOR;
}

function intervals(times: readonly number[]): number[] {
  const out: number[] = [];
  for (let i = 1; i < times.length; i++) out.push(times[i] - times[i - 1]);
  return out;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const m = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
}
