/**
 * Ventricular tachycardia runs from the beats of one device: at least `runBeats` consecutive
 * ventricular-looking beats whose mean rate over the last `runBeats` beats is above `bpm` (the
 * issue's definition: 3 ventricular beats above 100 bpm), critical once the run reaches
 * `criticalBeats` (bedside monitors' V-tach alarm at 5).
 *
 * A run is judged as a whole, so a beat need not be flagged by the beat scorer on its own: inside
 * a fast run, a beat is ventricular-looking when the scorer flagged it ventricular, or its
 * relative score reaches `score` (half the alert threshold: the run is the other half of the
 * evidence), or its QRS differs from the patient's dominant QRS (correlation below `shape`). A
 * beat whose QRS matches the dominant one (correlation `dominant` or more) never is, whatever
 * its score: a normal beat after a long pause scores high on timing, not on shape. Beats in
 * poor-quality seconds (gated: no score) count by shape alone, so a VT run whose fast wide beats
 * look like noise to the quality index is still seen. During atrial fibrillation wide beats are
 * often aberrantly conducted supraventricular beats (Ashman phenomenon), so there a beat counts
 * only when its QRS clearly differs (correlation below `shapeInAf`). And during AF the conducted
 * QRS itself may shift for a while (MIT-BIH 203: runs of normal beats whose QRS correlates about
 * -0.8 with the dominant template), which the dominant template, learned over many beats, lags
 * behind: a beat whose QRS is like that of at least two of the last on-time beats
 * (`ShapeView.qrsOnTime` of `conductedInAf` or more, on the model's lead) is conducted like them, not
 * ventricular. Ventricular beats of a run come early, so they are not among the on-time beats
 * they would be compared with; outside AF a sustained VT run's beats become on-time and would
 * excuse the next run, so the check is kept to AF, where the run would otherwise be judged on
 * shape alone.
 *
 * Two leads: a ventricular beat's QRS differs from the dominant one on every lead, so a beat
 * whose second-lead QRS matches the dominant shape there (`dominant`) is no ventricular beat;
 * and a beat whose QRS differs from the dominant one on either lead (below `shape`) looks
 * ventricular (MIT-BIH 223: a VT beat whose MLII QRS resembles the sinus one at 0.91 is plainly
 * different on V1). A beat the model's lead lost (another lead's QRS detector found it, the model
 * lead's quality being poor there) is still compared on the model's lead, its window there never
 * learned (`BeatShape.lost`): MIT-BIH 203's fast wide runs during AF read as noise on MLII, yet
 * their MLII QRS plainly differs from the dominant one (below 0) while their V1 QRS resembles the
 * dominant V1 shape (0.8-0.9). Its window there being poor, such a beat counts only as a beat
 * the scorer judged noise does: where it resembles the run (below).
 *
 * Onset: a run is raised only once one of its beats came early, its RR interval shorter than
 * {@link ON_TIME_FRACTION} of the median of the `onsetIntervals` intervals before it (the sudden
 * onset criterion ICDs use to tell VT from sinus tachycardia, which speeds up gradually). Wide
 * beats none of which comes early (sinus beats whose QRS changes shape for a while, fusion beats
 * at the sinus rate) raise no run. A run that slows below the rate and begins another at once
 * carries its onset over.
 *
 * Where a run starts: a beat the beat scorer did not flag, and that only looks unlike the
 * dominant shape, may continue a run but does not begin one (`startFlagged`): the run's beats
 * count from the first the scorer flagged ventricular, or could not judge (gated). A sinus beat
 * whose QRS changed for a moment, or a fusion beat, before a ventricular couplet (MIT-BIH 106,
 * 208, 215) otherwise made it a "run" of three. The beats before it still give the run its onset
 * and rate: a VT whose first beat the scorer missed (205 at 299 s) is raised from the next.
 *
 * Beats the scorer judged noise: in muscle artefact the QRS detector finds "beats" of random
 * shapes at random, often fast, intervals, which shape alone would call a VT run (`eval noise`).
 * But fast wide ventricular beats look like noise to a scorer that learned narrow ones (MIT-BIH
 * 203). What tells them apart is that the beats of a VT run look alike (one ectopic focus, the
 * same path through the ventricles) and artefact "beats" do not: a beat judged noise counts only
 * when its QRS resembles the run's previous beat (correlation `noiseResemble` or more, on either
 * lead). A beat in flat or clipped seconds (`unreadable`) never counts: clipped beats look alike.
 */

import { correlation } from '../ecg';
import { ON_TIME_FRACTION } from './shape-tracker';

/** Thresholds of the VT rule. */
export interface VtOptions {
  readonly runBeats: number;
  readonly criticalBeats: number;
  readonly bpm: number;
  /** QRS correlation with the dominant template below which a beat is ventricular-looking. */
  readonly shape: number;
  /** Relative score (1 = the device's threshold) from which a beat in a fast run is ventricular-looking. */
  readonly score: number;
  /** QRS correlation from which a beat is the dominant shape (never ventricular-looking). */
  readonly dominant: number;
  /** During atrial fibrillation: QRS correlation below which a beat is ventricular-looking (shape alone). */
  readonly shapeInAf: number;
  /** During atrial fibrillation: QRS correlation with the last on-time beats from which a beat is conducted like them (above 1: never). */
  readonly conductedInAf: number;
  /** QRS correlation with the run's previous beat from which a beat the scorer judged noise counts in the run. */
  readonly noiseResemble: number;
  /** RR intervals before a run's first beat whose median it must come early against (0: any beat may begin a run). */
  readonly onsetIntervals: number;
  /** A run counts its beats from the first the scorer flagged ventricular or could not judge (gated); earlier ones only give it its onset (absent: false). */
  readonly startFlagged?: boolean;
}

/** One beat as the VT rule sees it. */
export interface VtBeat {
  readonly t: number;
  readonly rrPrev: number | null;
  readonly ventricular: boolean;
  /** Relative score; absent for a gated beat. */
  readonly score?: number;
  readonly gated: boolean;
  /** The beat scorer judged the beat noise: it counts only when it resembles the run's previous beat (absent: false). */
  readonly noise?: boolean;
  /** The model's lead lost the beat (`BeatShape.lost`): its shape there is poor, so it counts only as a beat judged noise does (absent: false). */
  readonly lost?: boolean;
  readonly qrsSimilarity: number | null;
  /** As `qrsSimilarity`, on the device's second lead (absent or null: no usable second lead). */
  readonly qrsSimilarity2?: number | null;
  /** How its QRS resembles the last on-time beats' (`ShapeView.qrsOnTime`; absent or null: unknown). */
  readonly qrsOnTime?: number | null;
  /** As `qrsOnTime`, on the second lead. */
  readonly qrsOnTime2?: number | null;
  /** Flat or clipped seconds, or near clipped samples: never ventricular-looking (absent: false). */
  readonly unreadable?: boolean;
  /** Its QRS (absent or null: no window). */
  readonly qrs?: ArrayLike<number> | null;
  /** Its QRS on the second lead (absent or null: none usable). */
  readonly qrs2?: ArrayLike<number> | null;
}

/** Plain-JSON state of a {@link VtRule}. */
export interface VtRuleState {
  /** Times of the current run's beats (at most `runBeats` kept) and its RR intervals (at most `runBeats - 1`). */
  readonly t: number[];
  readonly rr: number[];
  /** Beats in the current run. */
  readonly beats: number;
  /** QRS of the run's last beat on each lead (absent or null: unknown). */
  readonly qrs?: number[] | null;
  readonly qrs2?: number[] | null;
  /** The run's first beat was judged noise by the scorer. */
  readonly noiseFirst?: boolean;
  /** A beat of the run came early (or the run continues one): it may be raised (absent: true, as before the onset rule). */
  readonly sudden?: boolean;
  /** Beats at the run's start that do not count toward it (`startFlagged`; absent: none). */
  readonly lead?: number;
  /** Start of the open VT episode and beats in it (null: none open). */
  readonly episode: { start: number; beats: number; last: number } | null;
  /** The last `onsetIntervals` RR intervals, whatever their beats (absent in states saved before the onset rule: none yet). */
  readonly recentRr?: number[];
}

/** What a beat did: an onset (warning or critical), an escalation to critical, an offset. */
export type VtEvent =
  | { readonly kind: 'onset'; readonly start: number; readonly critical: boolean }
  | { readonly kind: 'critical'; readonly start: number }
  | { readonly kind: 'offset'; readonly start: number; readonly end: number };

/** A beat the scorer judged noise, or whose model lead lost it: it counts in a run only when it resembles the run. */
function doubtful(b: VtBeat): boolean {
  return b.noise === true || b.lost === true;
}

/**
 * The VT rule of one device.
 *
 * @example
 * const rule = new VtRule(options);
 * for (const e of rule.beat(beat, inAf)) publish(e);
 */
export class VtRule {
  private s: { -readonly [K in keyof VtRuleState]: VtRuleState[K] };
  /** Kept apart from the run's state, which a run's end resets. */
  private recentRr: number[];

  constructor(
    private readonly o: VtOptions,
    state?: VtRuleState,
  ) {
    this.s = state ? structuredClone(state) : { t: [], rr: [], beats: 0, episode: null };
    this.recentRr = state?.recentRr ? [...state.recentRr] : [];
  }

  /** Whether a beat is ventricular-looking (see the module comment). */
  ventricularLike(b: VtBeat, inAf: boolean): boolean {
    // A run begun by a beat judged noise goes on only with a beat that resembles it.
    const mustResemble = doubtful(b) || (this.s.beats === 1 && this.s.noiseFirst === true);
    return this.looksVentricular(b, inAf) && (!mustResemble || this.resemblesRun(b));
  }

  /** Ventricular-looking by the shape and score alone, whatever the scorer judged noise. */
  private looksVentricular(b: VtBeat, inAf: boolean): boolean {
    const r2 = b.qrsSimilarity2 ?? null;
    const r = b.qrsSimilarity ?? r2;
    if (b.unreadable === true || (r !== null && r >= this.o.dominant) || (r2 !== null && r2 >= this.o.dominant)) return false;
    if (inAf) return r !== null && r < this.o.shapeInAf && !this.conducted(b);
    const differs = (x: number | null) => x !== null && x < this.o.shape;
    if (b.gated || doubtful(b)) return differs(r) || differs(r2);
    return b.ventricular || (b.score ?? 0) >= this.o.score || differs(r) || differs(r2);
  }

  /**
   * Whether a beat counts toward a run from its start: with `startFlagged`, a run's beats count
   * from the first the scorer itself flagged ventricular, or could not judge (gated: shape is all
   * there is). The ones before it still set the run's onset and rate.
   */
  private flagged(b: VtBeat): boolean {
    return this.o.startFlagged !== true || b.ventricular || b.gated;
  }

  /**
   * Its QRS is like the last on-time beats' on the model's lead (the second lead when the first
   * has no view, or lost the beat: a poor window there is unlike any beat).
   */
  private conducted(b: VtBeat): boolean {
    const r = (b.lost === true ? null : b.qrsOnTime) ?? b.qrsOnTime2 ?? null;
    return r !== null && r >= this.o.conductedInAf;
  }

  /**
   * Whether a beat gives a run its sudden onset: it follows a run that had one (`inRun`), or it is premature
   * against the intervals before it (unknown, as after a gap: it does).
   */
  private sudden(b: VtBeat, before: readonly number[], inRun: boolean): boolean {
    if (inRun || this.o.onsetIntervals === 0 || b.rrPrev === null || before.length === 0) return true;
    const sorted = [...before].sort((x, y) => x - y);
    return b.rrPrev < ON_TIME_FRACTION * sorted[sorted.length >> 1];
  }

  /** Keeps the last `onsetIntervals` RR intervals (a beat without one starts afresh). */
  private remember(rrPrev: number | null): void {
    if (rrPrev === null) {
      this.recentRr = [];
      return;
    }
    this.recentRr.push(rrPrev);
    if (this.recentRr.length > this.o.onsetIntervals) this.recentRr.shift();
  }

  /** Whether a beat's QRS resembles the run's previous beat on a lead both have. */
  private resemblesRun(b: VtBeat): boolean {
    if (this.s.beats === 0) return false;
    const alike = (qrs: ArrayLike<number> | null | undefined, last: number[] | null | undefined) =>
      !!qrs && !!last && qrs.length === last.length && correlation(qrs, last) >= this.o.noiseResemble;
    return alike(b.qrs, this.s.qrs) || alike(b.qrs2, this.s.qrs2);
  }

  /** One beat; `inAf`: an atrial fibrillation episode is open. */
  beat(b: VtBeat, inAf: boolean): VtEvent[] {
    const out: VtEvent[] = [];
    const s = this.s;
    const before = [...this.recentRr];
    this.remember(b.rrPrev);
    // A run carries its onset over to the run that a beat breaking it begins.
    const inRun = s.beats > 0 && s.sudden !== false;
    if (!this.ventricularLike(b, inAf) || b.rrPrev === null) {
      this.end(out);
      // A beat that looks ventricular may begin a run; one judged noise then needs the next to resemble it.
      if (this.looksVentricular(b, inAf)) this.begin(b, this.sudden(b, before, inRun));
      return out;
    }
    if (s.beats === 0) {
      this.begin(b, this.sudden(b, before, false));
      return out;
    }
    if (s.sudden === false && this.sudden(b, before, false)) s.sudden = true;
    s.qrs = b.qrs ? Array.from(b.qrs) : null;
    s.qrs2 = b.qrs2 ? Array.from(b.qrs2) : null;
    s.beats++;
    if (s.lead === s.beats - 1 && !this.flagged(b)) s.lead = s.beats;
    s.t.push(b.t);
    s.rr.push(b.rrPrev);
    if (s.t.length > this.o.runBeats) s.t.shift();
    if (s.rr.length > this.o.runBeats - 1) s.rr.shift();
    const fast = s.rr.length >= this.o.runBeats - 1 && s.rr.reduce((a, x) => a + x, 0) / s.rr.length < 60 / this.o.bpm;
    if (s.episode === null) {
      const counted = s.beats - (s.lead ?? 0);
      if (counted >= this.o.runBeats && fast && s.sudden !== false) {
        const beats = Math.min(counted, this.o.runBeats);
        s.episode = { start: s.t[s.t.length - beats], beats, last: b.t };
        out.push({ kind: 'onset', start: s.episode.start, critical: beats >= this.o.criticalBeats });
      }
      return out;
    }
    if (!fast) {
      // The run slowed below the rate: the episode ended at the previous beat; this beat may begin another.
      this.end(out);
      this.begin(b, true);
      return out;
    }
    s.episode.beats++;
    s.episode.last = b.t;
    if (s.episode.beats === this.o.criticalBeats && this.o.criticalBeats > this.o.runBeats)
      out.push({ kind: 'critical', start: s.episode.start });
    return out;
  }

  /** Ends the current run (a beat that cannot be judged, or the signal went bad). */
  end(out: VtEvent[] = []): VtEvent[] {
    const e = this.s.episode;
    if (e !== null) out.push({ kind: 'offset', start: e.start, end: e.last });
    this.s = { t: [], rr: [], beats: 0, episode: null };
    return out;
  }

  private begin(b: VtBeat, sudden: boolean): void {
    const qrs = b.qrs ? Array.from(b.qrs) : null;
    const qrs2 = b.qrs2 ? Array.from(b.qrs2) : null;
    const lead = this.flagged(b) ? 0 : 1;
    this.s = { t: [b.t], rr: [], beats: 1, lead, qrs, qrs2, noiseFirst: doubtful(b), sudden, episode: null };
  }

  /** Plain-JSON state. */
  toJSON(): VtRuleState {
    return structuredClone({ ...this.s, recentRr: this.recentRr });
  }
}
