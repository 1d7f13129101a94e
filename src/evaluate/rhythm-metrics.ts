/**
 * Rhythm and technical-alert figures of `eval mitdb` (issue 13), from the episode alerts the
 * detector raised on a record and the record's reference annotations.
 *
 * Definitions follow ANSI/AAMI EC57 as PhysioNet's reference comparators implement them
 * (`epicmp` for atrial fibrillation, `rxr` for ventricular runs):
 * - The comparison starts {@link EC57_LEARNING_SECONDS} into the record (both comparators'
 *   default): episodes that end before it are left out, episodes that straddle it are clipped.
 * - Episode sensitivity = reference episodes overlapped by a detection / reference episodes;
 *   episode positive predictivity = detections overlapping a reference episode / detections;
 *   duration sensitivity = reference time overlapped by detections / reference time; duration
 *   positive predictivity = detected time overlapping the reference / detected time.
 * - An AF episode runs from an `(AFIB` rhythm annotation to the next rhythm annotation that is
 *   not `(AFIB`. **Atrial flutter** (`(AFL`, record 203) is handled as `epicmp` does: it is not a
 *   reference AF episode (AF sensitivity does not ask for it), and reference-marked flutter time
 *   is cut out of detected episodes for the positive predictivity (a detection lying wholly in
 *   flutter is not counted; flutter time is in neither detected nor covered seconds). So a
 *   detector is neither credited nor penalised for calling flutter AF. The detector raises
 *   `AFIB` only: from RR intervals alone flutter with variable conduction looks like AF and
 *   flutter with fixed conduction like a regular rhythm.
 * - A reference VT run is a run of at least 3 consecutive ventricular beats (AAMI V: `V`, `E`)
 *   whose mean rate is above 100 bpm: the issue's definition, which the detector implements
 *   (`rxr` would also let a fusion beat continue a run, which this definition does not). A
 *   detected run matches a reference run when they overlap with EC57's 150 ms match window on
 *   either side (`rxr`'s window). A detection inside an annotated `(VT` episode, or inside
 *   ventricular flutter or fibrillation (`(VFL`, `[ ]`: `rxr` treats flutter as a run of
 *   maximal length), is a true one; such episodes are not reference runs themselves.
 * - A stricter figure is kept beside it (`vtWithVtEpisodes`): the same runs merged with every
 *   `(VT` episode, including those slower than 100 bpm or without 3 V beats, which no rule
 *   following the definition can detect (docs/ARCHITECTURE.md §6).
 */
import { EC57_LEARNING_SECONDS, EC57_MATCH_WINDOW_SECONDS, aamiClass, type MitdbRecord } from '../ecg';
import type { EpisodeAlertMessage } from '../detect';

/** An interval of device time, epoch ms. */
export interface Span {
  readonly from: number;
  readonly to: number;
}

/** Counts behind episode and duration Se/+P. */
export interface EpisodeCounts {
  readonly refEpisodes: number;
  readonly refDetected: number;
  readonly detEpisodes: number;
  readonly detTrue: number;
  readonly refSeconds: number;
  readonly refCovered: number;
  readonly detSeconds: number;
  readonly detCovered: number;
}

/** Rhythm figures of one record or a total. */
export interface RhythmFigures {
  readonly af: EpisodeCounts;
  /**
   * VT runs by the definition (3+ V beats above 100 bpm); a detection inside a `(VT`
   * episode slower than that still counts as true.
   */
  readonly vt: EpisodeCounts;
  /** VT runs against the stricter reference: the runs above merged with every `(VT` episode. */
  readonly vtWithVtEpisodes: EpisodeCounts;
  /** Ventricular bigeminy and trigeminy episodes against the reference's `(B` and `(T` (no target; alarm load). */
  readonly bigeminy: EpisodeCounts;
  readonly trigeminy: EpisodeCounts;
  /** Technical alert onsets whose start lies in stretches the reference does not mark noisy. */
  readonly technicalOnClean: number;
  readonly cleanHours: number;
  /** Every episode onset by label (rhythm or reason). */
  readonly onsets: Readonly<Record<string, number>>;
  readonly gatedBeats: number;
}

/** What the figures read of an episode alert (a replay of the rules makes only these). */
export type EpisodeMark = Pick<EpisodeAlertMessage, 'kind' | 'phase' | 'rhythm' | 'reason' | 'from' | 'to'>;

/** Episodes of one label rebuilt from onset/offset alerts; one still open ends at `end`. */
export function episodesOf(messages: readonly EpisodeMark[], label: string, end: number): Span[] {
  const open = new Map<number, number>();
  const spans: Span[] = [];
  for (const m of messages) {
    if ((m.rhythm ?? m.reason) !== label) continue;
    if (m.phase === 'onset') {
      if (!open.has(m.from)) open.set(m.from, m.from);
    } else if (open.delete(m.from)) spans.push({ from: m.from, to: m.to });
  }
  for (const from of open.keys()) spans.push({ from, to: Math.max(from, end) });
  return spans.sort((a, b) => a.from - b.from);
}

function overlap(a: Span, b: Span): number {
  return Math.max(0, Math.min(a.to, b.to) - Math.max(a.from, b.from));
}

/** Whether two spans match: a positive overlap, or with `slack` ms, overlap once each is widened by it. */
function matches(a: Span, b: Span, slack: number): boolean {
  return slack > 0 ? a.from - slack <= b.to && b.from - slack <= a.to : overlap(a, b) > 0;
}

/**
 * Spans clipped to the compared period: those ending by `from` (or starting at `to` or later)
 * are dropped, since nothing of them lies in the period; those straddling a bound are cut at it.
 *
 * @example
 * clipSpans([{ from: 0, to: 10 }, { from: 20, to: 30 }], { from: 5, to: 25 }) // [{5,10}, {20,25}]
 */
export function clipSpans(spans: readonly Span[], period: Span): Span[] {
  const out: Span[] = [];
  for (const s of spans) {
    if (s.to <= period.from || s.from >= period.to) continue;
    out.push({ from: Math.max(s.from, period.from), to: Math.min(s.to, period.to) });
  }
  return out;
}

/** How {@link compareEpisodes} treats detections. */
export interface CompareOptions {
  /** Reference time cut out of detections for the positive predictivity (AF: atrial flutter). */
  readonly exclude?: readonly Span[];
  /** Match window, ms, on each side (VT runs: EC57's 150 ms); 0 = a positive overlap is needed. */
  readonly slack?: number;
  /** Reference spans a detection may overlap to be a true one without being reference episodes (VT: flutter). */
  readonly alsoTrue?: readonly Span[];
}

/**
 * EC57 episode and duration counts of detections against a reference (both already clipped to
 * the compared period).
 *
 * @example
 * compareEpisodes([{ from: 0, to: 100 }], [{ from: 50, to: 150 }]) // refDetected 1, detTrue 1, refCovered 0.05 s
 */
export function compareEpisodes(ref: readonly Span[], det: readonly Span[], options: CompareOptions = {}): EpisodeCounts {
  const { exclude = [], slack = 0, alsoTrue = [] } = options;
  let refDetected = 0;
  let refSeconds = 0;
  let refCovered = 0;
  for (const r of ref) {
    if (det.some((d) => matches(r, d, slack))) refDetected++;
    refSeconds += (r.to - r.from) / 1000;
    for (const d of det) refCovered += overlap(r, d) / 1000;
  }
  let detEpisodes = 0;
  let detTrue = 0;
  let detSeconds = 0;
  let detCovered = 0;
  for (const d of det) {
    const excluded = exclude.reduce((n, s) => n + overlap(d, s), 0);
    const length = d.to - d.from;
    // Wholly inside excluded time (a detection of flutter): neither a true nor a false episode.
    if (excluded > 0 && excluded >= length) continue;
    detEpisodes++;
    if (ref.some((r) => matches(r, d, slack)) || alsoTrue.some((c) => matches(c, d, slack))) detTrue++;
    detSeconds += (length - excluded) / 1000;
    for (const r of ref) detCovered += overlap(r, d) / 1000;
  }
  return { refEpisodes: ref.length, refDetected, detEpisodes, detTrue, refSeconds, refCovered, detSeconds, detCovered };
}

/**
 * Reference spans of a rhythm (`+` annotations) in device time: from an annotation of the
 * rhythm to the next annotation of another rhythm (a repeated label continues the episode, as
 * in `epicmp`).
 *
 * @example
 * referenceRhythm(record203, 'AFL', (s) => (s * 1000) / 360) // the flutter spans of 203
 */
export function referenceRhythm(record: MitdbRecord, rhythm: string, toMs: (sample: number) => number): Span[] {
  const spans: Span[] = [];
  const changes = record.rhythms ?? [];
  for (let i = 0; i < changes.length; i++) {
    if (changes[i].rhythm !== rhythm || (i > 0 && changes[i - 1].rhythm === rhythm)) continue;
    let j = i + 1;
    while (j < changes.length && changes[j].rhythm === rhythm) j++;
    const end = j < changes.length ? changes[j].sample : record.signal.length;
    spans.push({ from: toMs(changes[i].sample), to: toMs(end) });
  }
  return spans;
}

/** Mean rate above which a run of ventricular beats is a VT run, bpm (the definition). */
export const VT_RUN_BPM = 100;

/**
 * Reference VT runs: runs of 3 or more consecutive ventricular beats (AAMI V) whose mean rate
 * is above `bpm`, merged with the `(VT` rhythm episodes (unless `withRhythm` is false).
 *
 * @example
 * referenceVtRuns(record, (s) => EVAL_EPOCH + (s * 1000) / record.fs).length // 4 for record 223
 */
export function referenceVtRuns(record: MitdbRecord, toMs: (sample: number) => number, bpm = VT_RUN_BPM, withRhythm = true): Span[] {
  const runs: Span[] = [];
  const s = record.beatSymbols;
  const at = record.beatSamples;
  const ventricular = (k: number) => aamiClass(s[k]) === 'V';
  for (let k = 0; k < s.length;) {
    if (!ventricular(k)) {
      k++;
      continue;
    }
    let end = k;
    while (end + 1 < s.length && ventricular(end + 1)) end++;
    const beats = end - k + 1;
    if (beats >= 3 && (at[end] - at[k]) / record.fs / (beats - 1) < 60 / bpm) runs.push({ from: toMs(at[k]), to: toMs(at[end]) });
    k = end + 1;
  }
  const all = [...runs, ...(withRhythm ? referenceRhythm(record, 'VT', toMs) : [])].sort((a, b) => a.from - b.from);
  const merged: Span[] = [];
  for (const span of all) {
    const last = merged[merged.length - 1];
    if (last && span.from <= last.to) merged[merged.length - 1] = { from: last.from, to: Math.max(last.to, span.to) };
    else merged.push(span);
  }
  return merged;
}

/**
 * Rhythm figures of one record.
 *
 * @example
 * const f = rhythmFigures(record, run.episodes, run.gatedBeats, (s) => EVAL_EPOCH + (s * 1000) / record.fs);
 */
export function rhythmFigures(
  record: MitdbRecord,
  episodes: readonly EpisodeMark[],
  gatedBeats: number,
  toMs: (sample: number) => number,
): RhythmFigures {
  const end = toMs(record.signal.length);
  const period: Span = { from: toMs(Math.round(EC57_LEARNING_SECONDS * record.fs)), to: end };
  const compared = (spans: readonly Span[]) => clipSpans(spans, period);
  const af = compareEpisodes(compared(referenceRhythm(record, 'AFIB', toMs)), compared(episodesOf(episodes, 'AFIB', end)), {
    exclude: compared(referenceRhythm(record, 'AFL', toMs)),
  });
  const flutter = [...referenceRhythm(record, 'VFL', toMs), ...record.excluded.map(([from, to]) => ({ from: toMs(from), to: toMs(to) }))];
  const vtDet = compared(episodesOf(episodes, 'VT', end));
  const vt = compareEpisodes(compared(referenceVtRuns(record, toMs, VT_RUN_BPM, false)), vtDet, {
    slack: EC57_MATCH_WINDOW_SECONDS * 1000,
    alsoTrue: compared([...flutter, ...referenceRhythm(record, 'VT', toMs)]),
  });
  const vtWithVtEpisodes = compareEpisodes(compared(referenceVtRuns(record, toMs)), vtDet, {
    slack: EC57_MATCH_WINDOW_SECONDS * 1000,
    alsoTrue: compared(flutter),
  });

  const bigeminy = compareEpisodes(compared(referenceRhythm(record, 'B', toMs)), compared(episodesOf(episodes, 'BIGEMINY', end)));
  const trigeminy = compareEpisodes(compared(referenceRhythm(record, 'T', toMs)), compared(episodesOf(episodes, 'TRIGEMINY', end)));

  // Clean stretches: outside `~` marks of a noisy or unreadable first channel.
  const noisy: Span[] = [];
  let from: number | null = null;
  for (const q of record.quality ?? []) {
    if (q.noisy && from === null) from = toMs(q.sample);
    else if (!q.noisy && from !== null) {
      noisy.push({ from, to: toMs(q.sample) });
      from = null;
    }
  }
  if (from !== null) noisy.push({ from, to: end });
  const noisyMs = noisy.reduce((n, s) => n + (s.to - s.from), 0);
  const onsets: Record<string, number> = {};
  let technicalOnClean = 0;
  for (const m of episodes) {
    if (m.phase !== 'onset') continue;
    const label = (m.rhythm ?? m.reason) as string;
    onsets[label] = (onsets[label] ?? 0) + 1;
    if (m.kind === 'technical' && !noisy.some((s) => m.from >= s.from && m.from <= s.to)) technicalOnClean++;
  }
  return {
    af,
    vt,
    vtWithVtEpisodes,
    bigeminy,
    trigeminy,
    technicalOnClean,
    cleanHours: (end - toMs(0) - noisyMs) / 3_600_000,
    onsets,
    gatedBeats,
  };
}

const NO_EPISODES: EpisodeCounts = Object.freeze({
  refEpisodes: 0,
  refDetected: 0,
  detEpisodes: 0,
  detTrue: 0,
  refSeconds: 0,
  refCovered: 0,
  detSeconds: 0,
  detCovered: 0,
});

/**
 * Sums episode counts (of records, or of folds).
 *
 * @example
 * const total = sumEpisodeCounts(records.map((r) => r.af));
 */
export function sumEpisodeCounts(all: readonly EpisodeCounts[]): EpisodeCounts {
  return all.reduce(
    (a, b) => ({
      refEpisodes: a.refEpisodes + b.refEpisodes,
      refDetected: a.refDetected + b.refDetected,
      detEpisodes: a.detEpisodes + b.detEpisodes,
      detTrue: a.detTrue + b.detTrue,
      refSeconds: a.refSeconds + b.refSeconds,
      refCovered: a.refCovered + b.refCovered,
      detSeconds: a.detSeconds + b.detSeconds,
      detCovered: a.detCovered + b.detCovered,
    }),
    NO_EPISODES,
  );
}

/** Sums figures over records. */
export function totalRhythmFigures(all: readonly RhythmFigures[]): RhythmFigures {
  const onsets: Record<string, number> = {};
  for (const f of all) for (const [k, v] of Object.entries(f.onsets)) onsets[k] = (onsets[k] ?? 0) + v;
  return {
    af: sumEpisodeCounts(all.map((f) => f.af)),
    vt: sumEpisodeCounts(all.map((f) => f.vt)),
    vtWithVtEpisodes: sumEpisodeCounts(all.map((f) => f.vtWithVtEpisodes)),
    bigeminy: sumEpisodeCounts(all.map((f) => f.bigeminy)),
    trigeminy: sumEpisodeCounts(all.map((f) => f.trigeminy)),
    technicalOnClean: all.reduce((n, f) => n + f.technicalOnClean, 0),
    cleanHours: all.reduce((n, f) => n + f.cleanHours, 0),
    onsets,
    gatedBeats: all.reduce((n, f) => n + f.gatedBeats, 0),
  };
}

const ratio = (a: number, b: number): number | null => (b > 0 ? Number((a / b).toFixed(4)) : null);

/**
 * EC57's episode and duration sensitivity and positive predictivity of episode counts (null
 * where undefined), with the counts they come from.
 *
 * @example
 * const { episodeSe, durationPpv } = episodeFigures(figures.af);
 */
export function episodeFigures(c: EpisodeCounts) {
  return {
    episodeSe: ratio(c.refDetected, c.refEpisodes),
    episodePpv: ratio(c.detTrue, c.detEpisodes),
    durationSe: ratio(c.refCovered, c.refSeconds),
    durationPpv: ratio(c.detCovered, c.detSeconds),
    refEpisodes: c.refEpisodes,
    detEpisodes: c.detEpisodes,
    refSeconds: Number(c.refSeconds.toFixed(1)),
    detSeconds: Number(c.detSeconds.toFixed(1)),
  };
}

/** As printed in `eval mitdb --json` under `rhythm`. */
export function rhythmJson(f: RhythmFigures) {
  const { durationSe: _s, durationPpv: _p, ...vt } = episodeFigures(f.vt);
  return {
    af: episodeFigures(f.af),
    vtRuns: { se: vt.episodeSe, ppv: vt.episodePpv, refRuns: vt.refEpisodes, detRuns: vt.detEpisodes },
    vtRunsWithVtEpisodes: {
      se: ratio(f.vtWithVtEpisodes.refDetected, f.vtWithVtEpisodes.refEpisodes),
      ppv: ratio(f.vtWithVtEpisodes.detTrue, f.vtWithVtEpisodes.detEpisodes),
      refRuns: f.vtWithVtEpisodes.refEpisodes,
      detRuns: f.vtWithVtEpisodes.detEpisodes,
    },
    bigeminy: episodeFigures(f.bigeminy),
    trigeminy: episodeFigures(f.trigeminy),
    technicalOnClean: f.technicalOnClean,
    cleanHours: Number(f.cleanHours.toFixed(3)),
    technicalPerCleanHour: f.cleanHours > 0 ? Number((f.technicalOnClean / f.cleanHours).toFixed(3)) : null,
    onsets: f.onsets,
    gatedBeats: f.gatedBeats,
  };
}
