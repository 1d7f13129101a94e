/**
 * Asystole and extreme bradycardia at the head of a multi-lead stream (issue 13: asystole raised
 * within 2 s of its definition being met). A multi-lead segmenter decides a second only once the chosen lead's QRS detector
 * has passed it (about 4 s, longer in a pause), so the pause rule run on decided seconds alone
 * raised asystole about 4.5 s after its definition was met, where one lead raises it within the
 * second. The head ({@link StreamHead}: the seconds every lead has judged, not decided yet) is
 * judged here as the one-lead monitor judges its stream: with the R peaks reported so far, the
 * quality of the lead in use in each second, and the same vetoes. A peak reported later (by
 * search-back) ends the episode when its second is decided, as a late peak does with one lead.
 *
 * The vetoes are those of the decided seconds, each on what is known at the head:
 * - a peak of the lead in use reported in the head after the last beat: the heart beat (the
 *   decided seconds will give that beat and judge the pause from it);
 * - a flat or clipped second of the lead in use in the pause: lead-off or saturation, not asystole;
 * - a technical episode the decided seconds' technical rule would open by then (the head's
 *   qualities appended to the decided ones): the signal is not readable, as with one lead;
 * - another lead's own QRS detector showing the heart beating through the pause
 *   (`asystole-veto.ts`), judged up to where that detector has looked (`HeadReport.horizon`):
 *   it cannot vouch for samples it has not judged yet, and it cannot silence what it has not
 *   seen either, since a pause it has seen no beat in is raised.
 * Each is judged again at every record, and the decided seconds judge the pause again as before
 * (and count a veto once), so what the head does not raise is raised there, later.
 *
 * Extreme bradycardia (`bradyBeats` RR intervals in a row longer than `60 / bradyBpm` s) is
 * counted on in the head the same way, from the decided beats' count, over the lead in use's
 * peaks reported so far: with one lead the rule runs on every peak as the detector reports it,
 * with two it waited for the second to be decided (up to one RR interval more, the detector
 * deciding a second once it has reported a later peak). The detector reports peaks in order,
 * a beat found by search-back before any later one, so the intervals counted are those the
 * decided seconds will count (but where a change of lead there takes another lead's peak for
 * the same heartbeat). A technical episode the head's qualities would open stops the count, as it
 * resets it there.
 */
import { isPoorQuality, poorStretchOnset, SECOND_QUALITY_CODE, type PoorStretchRule, type SecondQuality, type StreamHead } from '../ecg';
import { mergeOtherLead, otherLeadShowsBeats, type OtherLeadState } from './asystole-veto';

/** What the head's pause rule reads of a rhythm monitor (sample indices of the stream). */
export interface HeadPauseContext {
  /** The last beat of the decided seconds. */
  readonly lastR: number;
  /** Recent beats up to `lastR`, ascending. */
  readonly beats: readonly number[];
  readonly fs: number;
  /** Samples per judged second. */
  readonly block: number;
  readonly asystoleSeconds: number;
  readonly bradyBpm: number;
  /** Quality of a decided second (null: unknown). */
  readonly qualityOf: (second: number) => SecondQuality | null;
  /** The decided seconds' quality codes, oldest first, as the technical rule reads them. */
  readonly qualityCodes: string;
  readonly stretch: PoorStretchRule;
  /** What the monitor keeps of each other lead (`asystole-veto.ts`). */
  readonly otherLeads: Readonly<Record<number, OtherLeadState>> | undefined;
}

/** The decided beats' count of RR intervals below the extreme-bradycardia rate, for {@link headSlowRun}. */
export interface SlowRun {
  /** Whether any beat was decided yet (the first one has no interval). */
  readonly hasBeat: boolean;
  /** Slow intervals in a row up to `lastR`, and the beat that began them. */
  readonly slow: number;
  readonly slowStart: number;
  readonly bradyBeats: number;
}

/**
 * Where extreme bradycardia's definition is met in the head: the beat that began the slow
 * intervals and the peak that completes `bradyBeats` of them (sample indices), or null.
 *
 * @example
 * const run = headSlowRun(head, context, { hasBeat: true, slow: 2, slowStart, bradyBeats: 5 });
 * if (run !== null) openBrady(run.start, run.at);
 */
export function headSlowRun(head: StreamHead, c: HeadPauseContext, run: SlowRun): { start: number; at: number } | null {
  const longest = (60 / c.bradyBpm) * c.fs;
  let { slow, slowStart, hasBeat } = run;
  let last = c.lastR;
  let codes = c.qualityCodes;
  for (const second of head.seconds) {
    // As the decided seconds: a second's peaks, then its quality.
    for (const r of second.peaks) {
      if (r <= last) continue;
      if (hasBeat) {
        if (r - last > longest) {
          if (slow++ === 0) slowStart = last;
        } else slow = 0;
        if (slow >= run.bradyBeats) return { start: slowStart, at: r };
      }
      hasBeat = true;
      last = r;
    }
    codes += SECOND_QUALITY_CODE[second.quality];
    if (isPoorQuality(second.quality) && poorStretchOnset(codes, c.stretch) !== null) return null;
  }
  return null;
}

/**
 * Where asystole's definition is met in the head with nothing vetoing it: the end (exclusive
 * sample index) of the first such second, or null.
 *
 * @example
 * const end = headPauseEnd(head, context);
 * if (end !== null) openAsystole(lastR, end);
 */
export function headPauseEnd(head: StreamHead, c: HeadPauseContext): number | null {
  const first = head.seconds[0]?.index;
  if (first === undefined) return null;
  const qualityAt = (k: number) => (k < first ? c.qualityOf(k) : (head.seconds[k - first]?.quality ?? null));
  let codes = c.qualityCodes;
  for (const second of head.seconds) {
    if (second.peaks.some((r) => r > c.lastR)) return null;
    codes += SECOND_QUALITY_CODE[second.quality];
    if (isPoorQuality(second.quality) && poorStretchOnset(codes, c.stretch) !== null) return null;
    const end = (second.index + 1) * c.block;
    if (end - c.lastR < c.asystoleSeconds * c.fs) continue;
    if (leadOffInPause(c.lastR, end, c.block, qualityAt)) return null;
    if (!otherLeadsBeat(head, c, end)) return end;
  }
  return null;
}

/**
 * Whether the lead in use was flat or clipped in a second of the pause from `lastR` to `end`
 * (sample indices): a disconnected lead gives an exactly constant or saturated signal, which is
 * lead-off (the technical rule), not asystole. Noise does not count: when in doubt, asystole is raised.
 *
 * @example
 * if (leadOffInPause(lastR, end, 360, (k) => qualityOf(k))) return; // lead-off, not asystole
 */
export function leadOffInPause(lastR: number, end: number, block: number, qualityAt: (second: number) => SecondQuality | null): boolean {
  for (let k = Math.floor(lastR / block); k <= Math.floor((end - 1) / block); k++) {
    const q = qualityAt(k);
    if (q === 'flat' || q === 'saturated') return true;
  }
  return false;
}

/** Whether another lead's detector, as far as it has looked, shows the heart beating through the pause ending at `end`. */
function otherLeadsBeat(head: StreamHead, c: HeadPauseContext, end: number): boolean {
  return head.others.some((report) => {
    const lead = mergeOtherLead(c.otherLeads?.[report.lead], report);
    const seen = Math.min(end, report.horizon);
    return otherLeadShowsBeats(lead, { lastR: c.lastR, end: seen, beats: c.beats, fs: c.fs, block: c.block, bradyBpm: c.bradyBpm });
  });
}
