/**
 * Why an alert fired, as data (docs/ARCHITECTURE.md §3.3, "Explanation"): for each flagged beat,
 * the model's reconstruction, the device's typical beat, the per-sample error and the part of the
 * beat it lies in (PR, QRS, ST segment, T wave), the RR context (prematurity, compensatory pause,
 * pause), whether the score came from the beat's shape or its timing, and the quality of the
 * signal around it. Pure: the detector computes it when the alert is raised and stores it in the
 * snippet beside the beats.
 */
import { isPoorQuality, type SecondQuality } from '../ecg';

/** Version of the {@link AlertExplanation} JSON. */
export const EXPLANATION_FORMAT_VERSION = 1;

/** A named part of a beat: seconds from the R peak, `[from, to)`. */
export interface BeatPart {
  readonly name: 'PR' | 'QRS' | 'ST' | 'T';
  readonly from: number;
  readonly to: number;
}

/**
 * Fixed offsets from R (seconds) for an adult at rest: QRS within ±50-60 ms of R, the ST segment
 * from the J point (about 60 ms after R) to the T wave's onset (about 200 ms), the T wave up to
 * 450 ms. Fixed rather than delineated per beat because a beat window is short and normalised:
 * a delineator would itself be a model to explain. At high heart rates T starts earlier, so the
 * split between ST and T is approximate there; QRS versus the rest is robust.
 */
export const BEAT_PARTS: readonly BeatPart[] = Object.freeze([
  { name: 'PR', from: -Infinity, to: -0.05 },
  { name: 'QRS', from: -0.05, to: 0.06 },
  { name: 'ST', from: 0.06, to: 0.2 },
  { name: 'T', from: 0.2, to: Infinity },
] as BeatPart[]);

/** The span of a beat window: seconds before and after R, and its sample count. */
export interface WindowSpan {
  readonly before: number;
  readonly after: number;
  readonly steps: number;
}

/** A beat as the explanation sees it: a kept beat of the device (window in model units). */
export interface ExplainBeat {
  readonly t: number;
  /** Relative score (1 = the device's threshold). */
  readonly score: number;
  /** The model's own score, when known (reconstruction error + timing term). */
  readonly modelScore?: number;
  readonly anomalous: boolean;
  readonly kind?: string;
  readonly rrPrev: number | null;
  readonly rrNext: number | null;
  readonly window: readonly number[];
}

/** What {@link explainAlert} needs. */
export interface ExplainInput {
  readonly modelVersion: string;
  /** The alert's max relative score and threshold (1 once relative). */
  readonly score: number;
  readonly threshold: number;
  /** The device's threshold in model units (profile or population). */
  readonly modelThreshold: number;
  readonly span: WindowSpan;
  /** The alert's beats (its window), oldest first; the anomalous ones are explained. */
  readonly beats: readonly ExplainBeat[];
  /** Reconstruction of each anomalous beat, in `beats` order of the anomalous ones (absent: the model cannot reconstruct). */
  readonly reconstructions?: readonly (ArrayLike<number> | null)[];
  /** The device's learned template (profile.features.template), if its adapter learns one. */
  readonly template?: ArrayLike<number> | null;
  /** Recent normal beats of the device: a typical beat and RR when there is no template. */
  readonly recent: readonly { readonly rrPrev: number | null; readonly anomalous: boolean; readonly window?: readonly number[] }[];
  /** Typical RR (s) from the profile, if it has one. */
  readonly typicalRr?: number | null;
  /**
   * Signal-quality verdicts of the seconds around the alert's beats (device timeline: each
   * second's start), oldest first; absent or empty when the detector judged none.
   */
  readonly quality?: readonly { readonly t: number; readonly quality: SecondQuality }[];
}

/** The quality of the signal an alert's beats came from (`src/ecg/signal-quality.ts`). */
export interface SignalQualitySummary {
  /** Seconds judged around the alert's beats. */
  readonly seconds: number;
  /** How many of them had each verdict. */
  readonly counts: Partial<Record<SecondQuality, number>>;
  /** Seconds that were flat, clipped or noisy (beats there are gated, never flagged). */
  readonly poorSeconds: number;
  /** The worst verdict among them (`good` < `wander` < `noisy` < `saturated` < `flat`). */
  readonly worst: SecondQuality;
}

/** The RR context of a beat. */
export interface RrContext {
  readonly prev: number | null;
  readonly next: number | null;
  /** The device's typical RR (s) the beat is compared with, null when unknown. */
  readonly typical: number | null;
  /** How early the beat came: `1 - prev / typical` (0.3 = 30 % early; negative = late); null when unknown. */
  readonly prematurity: number | null;
  /** Premature: at least {@link PREMATURE_FRACTION} early. */
  readonly premature: boolean;
  /** The interval after is longer than typical by {@link COMPENSATORY_FRACTION} or more (a compensatory pause after an early beat). */
  readonly compensatoryPause: boolean;
  /** An interval of {@link PAUSE_SECONDS} or more around the beat (a pause or a missed detection). */
  readonly pause: boolean;
}

/** One part's share of a flagged beat's error, and how it departs from the typical beat. */
export interface PartError {
  readonly name: BeatPart['name'];
  /** Fraction of the beat's summed squared error in this part (the shares add up to 1). */
  readonly share: number;
  /** Mean squared error over the part's samples. */
  readonly meanError: number;
  /** Mean of (beat - typical) over the part, in the window's units (z-scored beats: SDs), null without a typical beat. */
  readonly offsetFromTypical: number | null;
}

/** The explanation of one flagged beat. */
export interface BeatExplanation {
  readonly t: number;
  readonly score: number;
  readonly modelScore: number | null;
  readonly kind?: string;
  /** What the per-sample error was measured against. */
  readonly reference: 'reconstruction' | 'typical' | 'none';
  readonly window: number[];
  readonly reconstruction: number[] | null;
  /** Squared error per sample against `reference`. */
  readonly error: number[];
  /** Mean of `error`: the model's reconstruction error when the reference is the reconstruction. */
  readonly shapeError: number;
  /** The part of the model score that is not shape (the timing term), null when the model score is unknown. */
  readonly timingTerm: number | null;
  readonly parts: PartError[];
  readonly worstPart: BeatPart['name'] | null;
  readonly rr: RrContext;
  /** Shape, timing, or both: which of the two made the score. */
  readonly cause: 'shape' | 'timing' | 'shape+timing';
  /** Verdict of the second the beat lies in; null when that second was not judged (absent in snippets before it was added). */
  readonly quality?: SecondQuality | null;
  /** One sentence, for people. */
  readonly summary: string;
}

/** The explanation stored with an alert (snippet `explanation`). */
export interface AlertExplanation {
  readonly formatVersion: typeof EXPLANATION_FORMAT_VERSION;
  readonly modelVersion: string;
  readonly score: number;
  readonly threshold: number;
  readonly modelThreshold: number;
  readonly span: WindowSpan;
  readonly parts: readonly { name: BeatPart['name']; from: number; to: number }[];
  readonly typical: { readonly source: 'profile' | 'recent-median'; readonly beats: number; readonly window: number[] } | null;
  readonly typicalRr: number | null;
  readonly flagged: BeatExplanation[];
  /** Quality of the signal around the alert; null when no second was judged (absent in snippets before it was added). */
  readonly signalQuality?: SignalQualitySummary | null;
  /** A few sentences for the console and the report. */
  readonly summary: string;
}

/** A beat this much earlier than typical is premature (EC57-style timing; SVEB criteria use 10-20 %). */
export const PREMATURE_FRACTION = 0.15;
/** An interval after the beat this much longer than typical is a compensatory pause. */
export const COMPENSATORY_FRACTION = 0.15;
/** An RR interval this long (s) is a pause. */
export const PAUSE_SECONDS = 2;
/** A share of the model score above this is "mostly" one cause. */
const DOMINANT_SHARE = 2 / 3;
/** Fewest recent normal beats a median typical beat is made from. */
const MIN_TYPICAL_BEATS = 3;

/** Time (s from R) of sample `k` of a window. */
function sampleTime(k: number, span: WindowSpan): number {
  return -span.before + (k * (span.before + span.after)) / (span.steps - 1);
}

/**
 * The part of the beat a sample of the window lies in.
 *
 * @example
 * partOf(32, { before: 0.25, after: 0.45, steps: 64 }) // 'ST' (about 0.106 s after R)
 */
export function partOf(k: number, span: WindowSpan): BeatPart['name'] {
  const s = sampleTime(k, span);
  for (const p of BEAT_PARTS) if (s >= p.from && s < p.to) return p.name;
  return 'T';
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 === 1 ? s[n >> 1] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/**
 * The device's typical beat: the learned template when its profile has one of the right length,
 * else the per-sample median of its recent normal beats (at least 3), else null.
 *
 * @example
 * typicalBeat(null, recentNormalBeats, 64) // { source: 'recent-median', beats: 7, window: [...] }
 */
export function typicalBeat(
  template: ArrayLike<number> | null | undefined,
  recent: ExplainInput['recent'],
  steps: number,
): AlertExplanation['typical'] {
  if (template && template.length === steps) return { source: 'profile', beats: 0, window: Array.from(template, round4) };
  const normal = recent.filter((b) => !b.anomalous && b.window && b.window.length === steps).map((b) => b.window as readonly number[]);
  if (normal.length < MIN_TYPICAL_BEATS) return null;
  const window: number[] = [];
  for (let k = 0; k < steps; k++) window.push(round4(median(normal.map((w) => w[k])) as number));
  return { source: 'recent-median', beats: normal.length, window };
}

/**
 * The RR context of a beat against the device's typical RR.
 *
 * @example
 * rrContext(0.5, 1.1, 0.8) // { premature: true (37.5 % early), compensatoryPause: true, pause: false, ... }
 */
export function rrContext(prev: number | null, next: number | null, typical: number | null): RrContext {
  const prematurity = prev !== null && typical !== null && typical > 0 ? 1 - prev / typical : null;
  const premature = prematurity !== null && prematurity >= PREMATURE_FRACTION;
  const compensatoryPause = next !== null && typical !== null && next >= typical * (1 + COMPENSATORY_FRACTION);
  const pause = (prev !== null && prev >= PAUSE_SECONDS) || (next !== null && next >= PAUSE_SECONDS);
  return {
    prev,
    next,
    typical: typical === null ? null : round4(typical),
    prematurity: prematurity === null ? null : round4(prematurity),
    premature,
    compensatoryPause,
    pause,
  };
}

const round4 = (x: number) => Math.round(x * 1e4) / 1e4;
const pct = (x: number) => `${Math.round(x * 100)} %`;
const PART_WORDS: Record<BeatPart['name'], string> = {
  PR: 'the P wave / PR segment',
  QRS: 'the QRS complex',
  ST: 'the ST segment',
  T: 'the T wave',
};

/** Verdicts from best to worst. */
const QUALITY_ORDER: readonly SecondQuality[] = ['good', 'wander', 'noisy', 'saturated', 'flat'];
const QUALITY_WORDS: Record<SecondQuality, string> = {
  good: 'good',
  wander: 'baseline wander',
  noisy: 'noise',
  saturated: 'clipping',
  flat: 'a flat line (lead off?)',
};

/**
 * Summarizes the verdicts of the seconds around an alert; null when there are none.
 *
 * @example
 * signalQualityOf([{ t: 0, quality: 'good' }, { t: 1000, quality: 'wander' }]) // { seconds: 2, counts: { good: 1, wander: 1 }, poorSeconds: 0, worst: 'wander' }
 */
export function signalQualityOf(seconds: readonly { readonly quality: SecondQuality }[] | undefined): SignalQualitySummary | null {
  if (!seconds || seconds.length === 0) return null;
  const counts: Partial<Record<SecondQuality, number>> = {};
  let worst: SecondQuality = 'good';
  let poorSeconds = 0;
  for (const { quality } of seconds) {
    counts[quality] = (counts[quality] ?? 0) + 1;
    if (QUALITY_ORDER.indexOf(quality) > QUALITY_ORDER.indexOf(worst)) worst = quality;
    if (isPoorQuality(quality)) poorSeconds++;
  }
  return { seconds: seconds.length, counts, poorSeconds, worst };
}

/** The verdict of the second holding `t`, or null. */
function qualityAt(seconds: ExplainInput['quality'], t: number): SecondQuality | null {
  for (const s of seconds ?? []) if (t >= s.t && t < s.t + 1000) return s.quality;
  return null;
}

/** One sentence on the signal around the alert. */
function qualitySentence(q: SignalQualitySummary | null, flagged: readonly BeatExplanation[]): string {
  if (q === null) return 'Signal quality: not judged yet around these beats.';
  if (q.worst === 'good') return `Signal quality good in all ${q.seconds} s around the alert.`;
  const issues = QUALITY_ORDER.filter((v) => v !== 'good' && (q.counts[v] ?? 0) > 0)
    .reverse()
    .map((v) => `${QUALITY_WORDS[v]} in ${q.counts[v]} s`);
  const atFlagged = flagged.filter((f) => f.quality && f.quality !== 'good').length;
  return `Signal quality: ${issues.join(', ')} of ${q.seconds} s around the alert${
    atFlagged > 0
      ? `, ${atFlagged} of the flagged beats in such a second (an artefact is possible)`
      : '; the flagged beats lie in good seconds'
  }.`;
}

/** Explains one flagged beat. */
function explainBeat(
  beat: ExplainBeat,
  reconstruction: ArrayLike<number> | null,
  typical: AlertExplanation['typical'],
  typicalRr: number | null,
  span: WindowSpan,
  threshold: number,
): BeatExplanation {
  const steps = beat.window.length;
  const reference: BeatExplanation['reference'] = reconstruction ? 'reconstruction' : typical ? 'typical' : 'none';
  const ref = reconstruction ?? typical?.window ?? null;
  const error = new Array<number>(steps).fill(0);
  if (ref) for (let k = 0; k < steps; k++) error[k] = (beat.window[k] - ref[k]) ** 2;
  const total = error.reduce((a, b) => a + b, 0);
  const shapeError = steps > 0 ? total / steps : 0;
  const parts: PartError[] = BEAT_PARTS.map((p) => {
    let sum = 0;
    let offset = 0;
    let n = 0;
    for (let k = 0; k < steps; k++) {
      if (partOf(k, span) !== p.name) continue;
      sum += error[k];
      if (typical) offset += beat.window[k] - typical.window[k];
      n++;
    }
    return {
      name: p.name,
      share: total > 0 ? round4(sum / total) : 0,
      meanError: n > 0 ? round4(sum / n) : 0,
      offsetFromTypical: typical && n > 0 ? round4(offset / n) : null,
    };
  });
  const worst = total > 0 ? parts.reduce((a, b) => (b.share > a.share ? b : a)) : null;
  const rr = rrContext(beat.rrPrev, beat.rrNext, typicalRr);
  const modelScore = beat.modelScore ?? null;
  // The model score is shape (reconstruction error) plus a timing term (prematurity, per the
  // artifact's scoring): what is not shape is timing. Without a reconstruction the shape error is
  // against the typical beat, another scale, so the split falls back to the RR context alone.
  const timingTerm = modelScore !== null && reference === 'reconstruction' ? round4(Math.max(0, modelScore - shapeError)) : null;
  let cause: BeatExplanation['cause'];
  if (timingTerm !== null && modelScore !== null && modelScore > 0) {
    const shapeShare = shapeError / modelScore;
    cause =
      shapeShare >= DOMINANT_SHARE ? 'shape' : shapeShare <= 1 - DOMINANT_SHARE && (rr.premature || rr.pause) ? 'timing' : 'shape+timing';
    if (cause === 'shape+timing' && !(rr.premature || rr.pause || rr.compensatoryPause)) cause = 'shape';
  } else cause = rr.premature || rr.pause ? 'shape+timing' : 'shape';

  const words: string[] = [];
  if (cause !== 'timing' && worst)
    words.push(
      `shape differs ${reference === 'reconstruction' ? "from the model's reconstruction" : 'from the typical beat'} mostly in ${PART_WORDS[worst.name]} (${pct(worst.share)} of the error${
        worst.offsetFromTypical !== null && Math.abs(worst.offsetFromTypical) >= 0.2
          ? `, ${worst.offsetFromTypical > 0 ? 'above' : 'below'} the typical beat by ${Math.abs(worst.offsetFromTypical).toFixed(1)} SD`
          : ''
      })`,
    );
  if (cause === 'timing') words.push('shape is close to normal');
  if (rr.premature && rr.prematurity !== null)
    words.push(
      `it came ${pct(rr.prematurity)} early (RR ${rr.prev?.toFixed(2)} s vs typical ${rr.typical?.toFixed(2)} s)${rr.compensatoryPause ? ' and was followed by a compensatory pause' : ''}`,
    );
  if (rr.pause) words.push(`a pause of ${Math.max(rr.prev ?? 0, rr.next ?? 0).toFixed(1)} s surrounds it`);
  const because = cause === 'timing' ? 'timing' : cause === 'shape' ? 'shape' : 'shape and timing';
  const summary = `Flagged for its ${because} (score ${(beat.score / threshold).toFixed(2)}x the threshold): ${words.join('; ')}.`;
  return {
    t: beat.t,
    score: round4(beat.score),
    modelScore: modelScore === null ? null : round4(modelScore),
    ...(beat.kind === undefined ? {} : { kind: beat.kind }),
    reference,
    window: beat.window.map(round4),
    reconstruction: reconstruction ? Array.from(reconstruction, round4) : null,
    error: error.map(round4),
    shapeError: round4(shapeError),
    timingTerm,
    parts,
    worstPart: worst?.name ?? null,
    rr,
    cause,
    summary,
  };
}

/**
 * The explanation of an alert: every anomalous beat of its window explained against its
 * reconstruction and the device's typical beat, with the RR context, and a summary in words.
 *
 * @example
 * const explanation = explainAlert({
 *   modelVersion: 'v1', score: 2.4, threshold: 1, modelThreshold: 0.55,
 *   span: { before: 0.25, after: 0.45, steps: 64 },
 *   beats: snippet.beats, reconstructions, recent: keptBeats,
 * });
 * explanation.flagged[0].worstPart // 'ST'
 */
export function explainAlert(input: ExplainInput): AlertExplanation {
  const typical = typicalBeat(input.template, input.recent, input.span.steps);
  const typicalRr =
    input.typicalRr ?? median(input.recent.filter((b) => !b.anomalous && b.rrPrev !== null).map((b) => b.rrPrev as number)) ?? null;
  const flaggedBeats = input.beats.filter((b) => b.anomalous);
  const flagged = flaggedBeats.map((b, i) => ({
    ...explainBeat(b, input.reconstructions?.[i] ?? null, typical, typicalRr, input.span, input.threshold > 0 ? input.threshold : 1),
    quality: qualityAt(input.quality, b.t),
  }));
  const signalQuality = signalQualityOf(input.quality);
  const counts = { shape: 0, timing: 0, 'shape+timing': 0 };
  for (const f of flagged) counts[f.cause]++;
  const parts = new Map<string, number>();
  for (const f of flagged) if (f.worstPart && f.cause !== 'timing') parts.set(f.worstPart, (parts.get(f.worstPart) ?? 0) + 1);
  const topPart = [...parts.entries()].sort((a, b) => b[1] - a[1])[0];
  const lines = [
    `${flagged.length} beat${flagged.length === 1 ? '' : 's'} flagged, max score ${(input.score / (input.threshold > 0 ? input.threshold : 1)).toFixed(2)}x the device's threshold${input.threshold > 1 ? ` (raised to ${input.threshold.toFixed(2)} by false-alarm labels)` : ''} (model ${input.modelVersion}).`,
  ];
  if (counts.shape + counts['shape+timing'] > 0 && topPart) lines.push(`Shape: mostly ${PART_WORDS[topPart[0] as BeatPart['name']]}.`);
  if (counts.timing + counts['shape+timing'] > 0)
    lines.push(
      `Timing: ${counts.timing + counts['shape+timing']} of them early or around a pause${counts.timing > 0 ? `; ${counts.timing} by timing alone` : ''}.`,
    );
  if (!typical) lines.push('No typical beat yet (too few recent normal beats).');
  lines.push(qualitySentence(signalQuality, flagged));
  return {
    formatVersion: EXPLANATION_FORMAT_VERSION,
    modelVersion: input.modelVersion,
    score: round4(input.score),
    threshold: input.threshold,
    modelThreshold: round4(input.modelThreshold),
    span: input.span,
    parts: BEAT_PARTS.map((p) => ({
      name: p.name,
      from: Number.isFinite(p.from) ? p.from : -input.span.before,
      to: Number.isFinite(p.to) ? p.to : input.span.after,
    })),
    typical,
    typicalRr: typicalRr === null ? null : round4(typicalRr),
    flagged,
    signalQuality,
    summary: lines.join(' '),
  };
}
