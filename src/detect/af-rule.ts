/**
 * Atrial fibrillation from the beats of one device: RR irregularity (an established statistic
 * with its published threshold) over the intervals of the patient's own dominant rhythm, plus
 * the absence of a P wave that repeats from beat to beat, with onset and offset hysteresis.
 *
 * Why each part:
 * - **Dominant rhythm only.** Ectopic beats make any rhythm irregular. An interval counts only
 *   when both of its beats have the patient's dominant QRS shape (correlation with the dominant
 *   template at least `dominant`) and neither was flagged ventricular: a ventricular beat the
 *   scorer missed still differs in shape, and leaves the irregularity statistic alone.
 * - **Irregularity**: Dash et al. 2009's normalized RMSSD above 0.1 (see
 *   `src/ecg/rr-irregularity.ts`), with their turning-point ratio as a guard against
 *   alternation (bigeminy-like patterns have a ratio near 1, a random series about 2/3).
 * - **No repeating P wave**: in sinus rhythm, with or without ectopy, the stretch before each
 *   QRS holds the same P wave; in AF it holds fibrillatory waves that do not repeat. Each
 *   beat's P-wave stretch in the window is correlated with the window's mean stretch; a median
 *   below `pWave` means no P wave repeats. With a second lead, a P wave that repeats on either
 *   lead counts: sinus P waves can be all but invisible in MLII and plain in V1 (MIT-BIH 200,
 *   ventricular bigeminy whose irregular sinus intervals read as AF on MLII alone). RR irregularity combined with
 *   P-wave absence is the approach of e.g. Babaeizadeh et al. ("Improvements in atrial
 *   fibrillation detection for real-time monitoring", J Electrocardiol 42(6):522-526, 2009).
 * - **Hysteresis**: `onsetBeats` AF windows in a row lasting `minSeconds` (the clinical
 *   definition's 30 s) open an episode; `offsetBeats` non-AF windows in a row close it.
 */
import { rrIrregularity, correlation } from '../ecg';

/** Thresholds of the AF rule. */
export interface AfOptions {
  /** RR intervals in a window. */
  readonly window: number;
  /** Normalized RMSSD above which a window is irregular (Dash et al. 2009: 0.1). */
  readonly rmssd: number;
  /** Turning-point ratio at or above which a window is alternation, not AF. */
  readonly maxTurningPoints: number;
  /** Median P-wave correlation below which no P wave repeats (above: the window is not AF). */
  readonly pWave: number;
  /** QRS correlation with the dominant template at which a beat belongs to the dominant rhythm. */
  readonly dominant: number;
  /** Consecutive AF windows that open an episode... */
  readonly onsetBeats: number;
  /** ...lasting at least this long from its estimated start, s. */
  readonly minSeconds: number;
  /** Consecutive non-AF windows that close it. */
  readonly offsetBeats: number;
}

/** One beat as the AF rule sees it. */
export interface AfBeat {
  readonly t: number;
  readonly rrPrev: number | null;
  /** Flagged ventricular by the scorer. */
  readonly ventricular: boolean;
  /** Correlation of its QRS with the dominant template (null: unknown). */
  readonly qrsSimilarity: number | null;
  /** The stretch of its window where a P wave would be (null: no window). */
  readonly pWave: ArrayLike<number> | null;
  /** The same stretch on the device's second lead (absent or null: none usable). */
  readonly pWave2?: ArrayLike<number> | null;
}

/** Plain-JSON state of an {@link AfRule}. */
export interface AfRuleState {
  readonly nn: number[];
  readonly nnT: number[];
  /** Per interval of `nn`: its beat's P-wave stretch (null: unknown). */
  readonly p: (number[] | null)[];
  /** As `p`, on the second lead (absent in states saved before it was kept). */
  readonly p2?: (number[] | null)[];
  readonly prevDominant: boolean;
  /** Beats with a known QRS similarity have been seen: from then on a beat without one does not count. */
  readonly shaped?: boolean;
  readonly pos: number;
  readonly neg: number;
  readonly candidate: number | null;
  readonly negStart: number | null;
}

/**
 * Whether a window is AF, from its RR intervals (oldest first) and the median P-wave correlation
 * of its beats (null: unknown). The shipped judge is {@link afWindowStatistic}; another (e.g. a
 * learned RR-sequence model, as `scripts/compare-af-rr-model.ts` measures) can be put in its place.
 */
export type AfWindowJudge = (rr: readonly number[], pWave: number | null, o: AfOptions) => boolean;

/**
 * The shipped judge: irregular (normalized RMSSD above `rmssd`), not alternation (turning-point
 * ratio below `maxTurningPoints`), and no repeating P wave (median below `pWave`, when known).
 *
 * @example
 * afWindowStatistic(rr, 0.3, DEFAULT_AF_OPTIONS) // true for an irregular window without P waves
 */
export const afWindowStatistic: AfWindowJudge = (rr, pWave, o) => {
  if (rr.length < 4) return false;
  const { normalizedRmssd, turningPointRatio } = rrIrregularity(rr);
  if (!(normalizedRmssd > o.rmssd && turningPointRatio < o.maxTurningPoints)) return false;
  // Without the shape of most beats, the RR statistic decides alone.
  return pWave === null || pWave < o.pWave;
};

/** What a beat did to the AF episode. */
export type AfDecision = { readonly onset: number } | { readonly offset: number } | null;

/**
 * The AF rule of one device.
 *
 * @example
 * const rule = new AfRule(options);
 * const d = rule.beat(beat, isOpen, mayOpen); // { onset: start } when an episode opens
 */
export class AfRule {
  private s: { -readonly [K in keyof AfRuleState]: AfRuleState[K] };

  constructor(
    private readonly o: AfOptions,
    state?: AfRuleState,
    private readonly judge: AfWindowJudge = afWindowStatistic,
  ) {
    this.s = state
      ? structuredClone(state)
      : { nn: [], nnT: [], p: [], prevDominant: false, pos: 0, neg: 0, candidate: null, negStart: null };
  }

  /** A beat that cannot be judged (poor signal): the next interval does not start from it. */
  skip(): void {
    this.s.prevDominant = false;
  }

  /**
   * One beat. `open`: an AF episode is open; `mayOpen`: a new one may open now (no technical
   * episode). Returns an onset (with the episode's estimated start) or an offset (with its end).
   */
  beat(b: AfBeat, open: boolean, mayOpen: boolean): AfDecision {
    const s = this.s;
    // Once the device's beats have shapes, a beat without one (found on another lead where the
    // model's lead lost it, or before a dominant shape exists) cannot be told apart from an ectopic
    // or a noise detection: it breaks the chain of intervals. A stream without shapes at all is
    // judged on its RR intervals alone.
    if (b.qrsSimilarity !== null) s.shaped = true;
    const dominant = !b.ventricular && (b.qrsSimilarity === null ? !s.shaped : b.qrsSimilarity >= this.o.dominant);
    const counts = dominant && s.prevDominant && b.rrPrev !== null;
    s.prevDominant = dominant;
    if (!counts) return null;
    s.nn.push(b.rrPrev as number);
    s.nnT.push(b.t);
    s.p.push(b.pWave === null ? null : Array.from(b.pWave));
    s.p2 ??= s.p.map(() => null);
    s.p2.push(b.pWave2 === undefined || b.pWave2 === null ? null : Array.from(b.pWave2));
    while (s.p2.length > s.p.length) s.p2.shift();
    // `while`: a window made shorter (options changed on a restored device) takes effect at once.
    while (s.nn.length > this.o.window) {
      s.nn.shift();
      s.nnT.shift();
      s.p.shift();
      s.p2.shift();
    }
    if (s.nn.length < this.o.window) return null;
    const af = this.windowIsAf();
    // A statistic over a window turns once about half the window is AF: the change sits near its middle.
    const middle = s.nnT[s.nnT.length >> 1];
    if (af) {
      s.pos++;
      s.neg = 0;
      s.negStart = null;
      s.candidate ??= middle;
      if (!open && mayOpen && s.pos >= this.o.onsetBeats && b.t - s.candidate >= this.o.minSeconds * 1000) return { onset: s.candidate };
      return null;
    }
    s.neg++;
    s.pos = 0;
    s.negStart ??= middle;
    if (!open) {
      s.candidate = null;
      return null;
    }
    if (s.neg >= this.o.offsetBeats) {
      s.candidate = null;
      return { offset: s.negStart };
    }
    return null;
  }

  /** Whether the current (full) window is AF, as the judge says. */
  windowIsAf(): boolean {
    const s = this.s;
    return s.nn.length >= Math.max(4, this.o.window) && this.judge(s.nn, this.pWaveConsistency(), this.o);
  }

  /** The current window's RR intervals and their beats' times (oldest first). */
  window(): { readonly rr: readonly number[]; readonly t: readonly number[] } {
    return { rr: this.s.nn, t: this.s.nnT };
  }

  /**
   * Median correlation of the window's P-wave stretches with their mean (null: fewer than half
   * known). With a second lead, the larger of the two leads' medians: a P wave that repeats on
   * either lead is a P wave (sinus P waves are often flat in one lead and plain in another).
   */
  pWaveConsistency(): number | null {
    const first = medianConsistency(this.s.p);
    const second = medianConsistency(this.s.p2 ?? []);
    return first === null ? second : second === null ? first : Math.max(first, second);
  }

  /** Plain-JSON state. */
  toJSON(): AfRuleState {
    return structuredClone(this.s);
  }
}

/** Median correlation of P-wave stretches with their mean (null: fewer than half of them known). */
function medianConsistency(stretches: readonly (number[] | null)[]): number | null {
  const length = stretches.find((q) => q !== null)?.length;
  const known = stretches.filter((p): p is number[] => p !== null && p.length === length);
  if (known.length < Math.max(4, stretches.length / 2)) return null;
  const mean = new Float64Array(known[0].length);
  for (const p of known) for (let i = 0; i < mean.length; i++) mean[i] += p[i] / known.length;
  const r = known.map((p) => correlation(p, mean)).sort((a, b) => a - b);
  return r.length % 2 === 1 ? r[r.length >> 1] : (r[r.length / 2 - 1] + r[r.length / 2]) / 2;
}
