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
 * only when its QRS clearly differs (correlation below `shapeInAf`). A beat the scorer itself
 * judged noise never counts: in muscle artefact the QRS detector finds "beats" of random shapes
 * at random, often fast, intervals, which shape alone would call a VT run (`eval noise`).
 */

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
}

/** One beat as the VT rule sees it. */
export interface VtBeat {
  readonly t: number;
  readonly rrPrev: number | null;
  readonly ventricular: boolean;
  /** Relative score; absent for a gated beat. */
  readonly score?: number;
  readonly gated: boolean;
  /** The beat scorer judged the beat noise: never ventricular-looking (absent: false). */
  readonly noise?: boolean;
  readonly qrsSimilarity: number | null;
  /** As `qrsSimilarity`, on the device's second lead (absent or null: no usable second lead). */
  readonly qrsSimilarity2?: number | null;
}

/** Plain-JSON state of a {@link VtRule}. */
export interface VtRuleState {
  /** Times of the current run's beats (at most `runBeats` kept) and its RR intervals (at most `runBeats - 1`). */
  readonly t: number[];
  readonly rr: number[];
  /** Beats in the current run. */
  readonly beats: number;
  /** Start of the open VT episode and beats in it (null: none open). */
  readonly episode: { start: number; beats: number; last: number } | null;
}

/** What a beat did: an onset (warning or critical), an escalation to critical, an offset. */
export type VtEvent =
  | { readonly kind: 'onset'; readonly start: number; readonly critical: boolean }
  | { readonly kind: 'critical'; readonly start: number }
  | { readonly kind: 'offset'; readonly start: number; readonly end: number };

/**
 * The VT rule of one device.
 *
 * @example
 * const rule = new VtRule(options);
 * for (const e of rule.beat(beat, inAf)) publish(e);
 */
export class VtRule {
  private s: { -readonly [K in keyof VtRuleState]: VtRuleState[K] };

  constructor(
    private readonly o: VtOptions,
    state?: VtRuleState,
  ) {
    this.s = state ? structuredClone(state) : { t: [], rr: [], beats: 0, episode: null };
  }

  /** Whether a beat is ventricular-looking (see the module comment). */
  ventricularLike(b: VtBeat, inAf: boolean): boolean {
    const r = b.qrsSimilarity;
    if (b.noise === true || (r !== null && r >= this.o.dominant)) return false;
    if (inAf) return r !== null && r < this.o.shapeInAf;
    if (b.gated) return r !== null && r < this.o.shape;
    return b.ventricular || (b.score ?? 0) >= this.o.score || (r !== null && r < this.o.shape);
  }

  /** One beat; `inAf`: an atrial fibrillation episode is open. */
  beat(b: VtBeat, inAf: boolean): VtEvent[] {
    const out: VtEvent[] = [];
    const s = this.s;
    if (!this.ventricularLike(b, inAf) || b.rrPrev === null) {
      this.end(out);
      if (this.ventricularLike(b, inAf)) this.begin(b.t);
      return out;
    }
    if (s.beats === 0) {
      this.begin(b.t);
      return out;
    }
    s.beats++;
    s.t.push(b.t);
    s.rr.push(b.rrPrev);
    if (s.t.length > this.o.runBeats) s.t.shift();
    if (s.rr.length > this.o.runBeats - 1) s.rr.shift();
    const fast = s.rr.length >= this.o.runBeats - 1 && s.rr.reduce((a, x) => a + x, 0) / s.rr.length < 60 / this.o.bpm;
    if (s.episode === null) {
      if (s.beats >= this.o.runBeats && fast) {
        const beats = Math.min(s.beats, this.o.runBeats);
        s.episode = { start: s.t[s.t.length - beats], beats, last: b.t };
        out.push({ kind: 'onset', start: s.episode.start, critical: beats >= this.o.criticalBeats });
      }
      return out;
    }
    if (!fast) {
      // The run slowed below the rate: the episode ended at the previous beat; this beat may begin another.
      this.end(out);
      this.begin(b.t);
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

  private begin(t: number): void {
    this.s = { t: [t], rr: [], beats: 1, episode: null };
  }

  /** Plain-JSON state. */
  toJSON(): VtRuleState {
    return structuredClone(this.s);
  }
}
