/**
 * Rhythm and technical-alert figures of `eval mitdb` (issue 13), from the episode alerts the
 * detector raised on a record and the record's reference annotations.
 *
 * Definitions (ANSI/AAMI EC57, as PhysioNet's `epicmp` applies them): an episode is matched when
 * a detected episode overlaps it. Episode sensitivity = reference episodes overlapped by a
 * detection / reference episodes; episode positive predictivity = detected episodes overlapping a
 * reference episode / detected episodes; duration sensitivity = reference time overlapped by
 * detections / reference time; duration positive predictivity = detected time overlapping the
 * reference / detected time. Atrial flutter (`(AFL`) is neither AF nor not-AF here: detected time
 * inside it is left out of the duration +P, and detections lying only inside it are not counted.
 */
import type { MitdbRecord } from '../ecg/mitdb';
import type { EpisodeAlertMessage } from '../detect/ports';

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
  readonly vt: EpisodeCounts;
  /** Technical alert onsets whose start lies in stretches the reference does not mark noisy. */
  readonly technicalOnClean: number;
  readonly cleanHours: number;
  /** Every episode onset by label (rhythm or reason). */
  readonly onsets: Readonly<Record<string, number>>;
  readonly gatedBeats: number;
}

/** Episodes of one label rebuilt from onset/offset alerts; one still open ends at `end`. */
export function episodesOf(messages: readonly EpisodeAlertMessage[], label: string, end: number): Span[] {
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

const overlaps = (a: Span, b: Span, slack = 0): boolean => a.from - slack <= b.to && b.from - slack <= a.to;

/** EC57 episode and duration counts of detections against a reference, `ignore` spans left out. */
export function compareEpisodes(ref: readonly Span[], det: readonly Span[], ignore: readonly Span[] = [], slack = 0): EpisodeCounts {
  let refDetected = 0;
  let refSeconds = 0;
  let refCovered = 0;
  for (const r of ref) {
    if (det.some((d) => overlaps(r, d, slack))) refDetected++;
    refSeconds += (r.to - r.from) / 1000;
    for (const d of det) refCovered += overlap(r, d) / 1000;
  }
  let detEpisodes = 0;
  let detTrue = 0;
  let detSeconds = 0;
  let detCovered = 0;
  for (const d of det) {
    const ignored = ignore.reduce((n, s) => n + overlap(d, s), 0);
    const trueHit = ref.some((r) => overlaps(r, d, slack));
    if (!trueHit && ignored >= d.to - d.from) continue;
    detEpisodes++;
    if (trueHit) detTrue++;
    detSeconds += (d.to - d.from - ignored) / 1000;
    for (const r of ref) detCovered += overlap(r, d) / 1000;
  }
  return { refEpisodes: ref.length, refDetected, detEpisodes, detTrue, refSeconds, refCovered, detSeconds, detCovered };
}

/** Reference spans of a rhythm (`+` annotations) in device time. */
export function referenceRhythm(record: MitdbRecord, rhythm: string, toMs: (sample: number) => number): Span[] {
  const spans: Span[] = [];
  const changes = record.rhythms ?? [];
  for (let i = 0; i < changes.length; i++) {
    if (changes[i].rhythm !== rhythm) continue;
    const end = i + 1 < changes.length ? changes[i + 1].sample : record.signal.length;
    spans.push({ from: toMs(changes[i].sample), to: toMs(end) });
  }
  return spans;
}

/** Reference VT runs: 3 or more consecutive V beats whose mean rate is above `bpm`. */
export function referenceVtRuns(record: MitdbRecord, toMs: (sample: number) => number, bpm = 100): Span[] {
  const spans: Span[] = [];
  const s = record.beatSymbols;
  const at = record.beatSamples;
  for (let k = 0; k < s.length;) {
    if (s[k] !== 'V') {
      k++;
      continue;
    }
    let end = k;
    while (end + 1 < s.length && s[end + 1] === 'V') end++;
    const beats = end - k + 1;
    if (beats >= 3 && (at[end] - at[k]) / record.fs / (beats - 1) < 60 / bpm) spans.push({ from: toMs(at[k]), to: toMs(at[end]) });
    k = end + 1;
  }
  return spans;
}

/**
 * Rhythm figures of one record.
 *
 * @example
 * const f = rhythmFigures(record, run.episodes, run.gatedBeats, (s) => EVAL_EPOCH + (s * 1000) / record.fs);
 */
export function rhythmFigures(
  record: MitdbRecord,
  episodes: readonly EpisodeAlertMessage[],
  gatedBeats: number,
  toMs: (sample: number) => number,
): RhythmFigures {
  const end = toMs(record.signal.length);
  const af = compareEpisodes(
    referenceRhythm(record, 'AFIB', toMs),
    episodesOf(episodes, 'AFIB', end),
    referenceRhythm(record, 'AFL', toMs),
  );
  // A detected VT run inside an annotated VT or flutter rhythm is a true one even when the
  // reference beat labels there do not form a run (flutter waves carry no beat labels).
  const vtRef = referenceVtRuns(record, toMs);
  const vtDet = episodesOf(episodes, 'VT', end);
  const vtContext = [...referenceRhythm(record, 'VT', toMs), ...referenceRhythm(record, 'VFL', toMs)];
  const vt = compareEpisodes(vtRef, vtDet, [], 150);
  const vtTrueExtra = vtDet.filter((d) => !vtRef.some((r) => overlaps(r, d, 150)) && vtContext.some((c) => overlaps(c, d))).length;

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
    vt: { ...vt, detTrue: vt.detTrue + vtTrueExtra },
    technicalOnClean,
    cleanHours: (end - toMs(0) - noisyMs) / 3_600_000,
    onsets,
    gatedBeats,
  };
}

/** Sums figures over records. */
export function totalRhythmFigures(all: readonly RhythmFigures[]): RhythmFigures {
  const add = (a: EpisodeCounts, b: EpisodeCounts): EpisodeCounts => ({
    refEpisodes: a.refEpisodes + b.refEpisodes,
    refDetected: a.refDetected + b.refDetected,
    detEpisodes: a.detEpisodes + b.detEpisodes,
    detTrue: a.detTrue + b.detTrue,
    refSeconds: a.refSeconds + b.refSeconds,
    refCovered: a.refCovered + b.refCovered,
    detSeconds: a.detSeconds + b.detSeconds,
    detCovered: a.detCovered + b.detCovered,
  });
  const zero: EpisodeCounts = {
    refEpisodes: 0,
    refDetected: 0,
    detEpisodes: 0,
    detTrue: 0,
    refSeconds: 0,
    refCovered: 0,
    detSeconds: 0,
    detCovered: 0,
  };
  const onsets: Record<string, number> = {};
  for (const f of all) for (const [k, v] of Object.entries(f.onsets)) onsets[k] = (onsets[k] ?? 0) + v;
  return {
    af: all.reduce((n, f) => add(n, f.af), zero),
    vt: all.reduce((n, f) => add(n, f.vt), zero),
    technicalOnClean: all.reduce((n, f) => n + f.technicalOnClean, 0),
    cleanHours: all.reduce((n, f) => n + f.cleanHours, 0),
    onsets,
    gatedBeats: all.reduce((n, f) => n + f.gatedBeats, 0),
  };
}

const ratio = (a: number, b: number): number | null => (b > 0 ? Number((a / b).toFixed(4)) : null);

/** As printed in `eval mitdb --json` under `rhythm`. */
export function rhythmJson(f: RhythmFigures) {
  const ep = (c: EpisodeCounts) => ({
    episodeSe: ratio(c.refDetected, c.refEpisodes),
    episodePpv: ratio(c.detTrue, c.detEpisodes),
    durationSe: ratio(c.refCovered, c.refSeconds),
    durationPpv: ratio(c.detCovered, c.detSeconds),
    refEpisodes: c.refEpisodes,
    detEpisodes: c.detEpisodes,
    refSeconds: Number(c.refSeconds.toFixed(1)),
    detSeconds: Number(c.detSeconds.toFixed(1)),
  });
  const { durationSe: _s, durationPpv: _p, ...vt } = ep(f.vt);
  return {
    af: ep(f.af),
    vtRuns: { se: vt.episodeSe, ppv: vt.episodePpv, refRuns: vt.refEpisodes, detRuns: vt.detEpisodes },
    technicalOnClean: f.technicalOnClean,
    cleanHours: Number(f.cleanHours.toFixed(3)),
    technicalPerCleanHour: f.cleanHours > 0 ? Number((f.technicalOnClean / f.cleanHours).toFixed(3)) : null,
    onsets: f.onsets,
    gatedBeats: f.gatedBeats,
  };
}
