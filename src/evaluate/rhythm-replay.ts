/**
 * The rhythm rules replayed over a record the detector has already scored, for choosing their
 * constants and comparing AF judges without running the whole detector once per candidate: the
 * beats exactly as the detector gave them to its rhythm rules (`ProductRun.monitored`, with
 * `keepMonitoredBeats`), or, for one lead, the beats the detector reported (kind, score) joined
 * with the beat windows of the same segmenter ({@link monitoredBeatsOf}), are fed to a fresh
 * {@link RhythmMonitor}. Only the per-beat rules run: no samples reach the monitor, so there are no
 * technical episodes (rare on the MIT-BIH records, 5 in 12.8 clean hours) and no pause or rate
 * rules; `eval mitdb` remains the measure of the product.
 */
import { streamBeats, type WindowSpan, type MitdbRecord } from '../ecg';
import {
  RhythmMonitor,
  DEFAULT_RHYTHM_OPTIONS,
  afOptions,
  type MonitoredBeat,
  type RhythmOptions,
  AfRule,
  afWindowStatistic,
  type AfWindowJudge,
  ShapeTracker,
} from '../detect';
import { EVAL_EPOCH, type ProductRun } from './mitdb-product';
import type { EpisodeMark, Span } from './rhythm-metrics';

/**
 * The beats of a detector run as the rhythm monitor saw them (beats the detector did not report,
 * e.g. the last ones of the record, are left out).
 *
 * @example
 * const beats = monitoredBeatsOf(record, run, model.window ?? DEFAULT_BEAT_WINDOW);
 */
export function monitoredBeatsOf(record: MitdbRecord, run: ProductRun, span: WindowSpan): MonitoredBeat[] {
  const scored = new Map(run.beats.map((b) => [b.t, b]));
  const out: MonitoredBeat[] = [];
  for (const beat of streamBeats(record.signal, record.fs, 1)) {
    const t = Math.round(EVAL_EPOCH + (beat.rIndex * 1000) / record.fs);
    const b = scored.get(t) ?? scored.get(t - 1) ?? scored.get(t + 1);
    if (!b) continue;
    const gated = b.kind === 'gated';
    out.push({
      t: b.t,
      rIndex: beat.rIndex,
      rrPrev: beat.rrPrev,
      ventricular: b.anomalous && b.kind === 'ventricular',
      gated,
      ...(gated ? {} : { score: b.score }),
      shape: { window: beat.window, before: span.before, after: span.after },
    });
  }
  return out;
}

/**
 * Rhythm episode alerts (as marks) the monitor raises over `beats` with `options` over the defaults.
 *
 * @example
 * const marks = replayRhythm(beats, { afPWave: 0.6 });
 */
export function replayRhythm(beats: readonly MonitoredBeat[], options: Partial<RhythmOptions> = {}, fs = 360): EpisodeMark[] {
  const monitor = new RhythmMonitor(fs, { ...DEFAULT_RHYTHM_OPTIONS, ...options });
  const marks: EpisodeMark[] = [];
  for (const b of beats)
    for (const e of monitor.beat(b)) {
      const label = e.kind === 'rhythm' ? { rhythm: e.label as EpisodeMark['rhythm'] } : { reason: e.label as EpisodeMark['reason'] };
      marks.push({ kind: e.kind, phase: e.phase, from: e.start, to: e.at, ...label });
    }
  return marks;
}

/** One full AF window the rule judged: its RR intervals, their beats' times, its P-wave consistency. */
export interface AfWindowSample {
  readonly rr: readonly number[];
  readonly t: readonly number[];
  readonly pWave: number | null;
}

/**
 * The AF rule alone replayed over a detector run's beats with a given window judge (default: the
 * shipped statistic): the AF episodes it opens and closes, and every window it judged.
 *
 * @example
 * const { episodes, windows } = replayAf(beats, (rr, p, o) => model.isAf(rr) && (p === null || p < o.pWave));
 */
export function replayAf(
  beats: readonly MonitoredBeat[],
  judge: AfWindowJudge = afWindowStatistic,
  options: RhythmOptions = DEFAULT_RHYTHM_OPTIONS,
): { episodes: Span[]; windows: AfWindowSample[] } {
  const windows: AfWindowSample[] = [];
  const shapes = new ShapeTracker();
  const o = afOptions(options);
  const rule: AfRule = new AfRule(o, undefined, (rr, pWave, opts) => {
    windows.push({ rr: [...rr], t: [...rule.window().t], pWave });
    return judge(rr, pWave, opts);
  });
  const episodes: Span[] = [];
  let open: number | null = null;
  for (const b of beats) {
    const { qrsSimilarity, pWave } = shapes.observe(b.shape, b.rrPrev, b.gated);
    if (b.gated || (b.rrPrev !== null && b.rrPrev < 0.2)) {
      rule.skip();
      continue;
    }
    const d = rule.beat({ t: b.t, rrPrev: b.rrPrev, ventricular: b.ventricular, qrsSimilarity, pWave }, open !== null, true);
    if (d !== null && 'onset' in d) open = d.onset;
    else if (d !== null && open !== null) {
      episodes.push({ from: open, to: Math.max(open, d.offset) });
      open = null;
    }
  }
  if (open !== null && beats.length > 0) episodes.push({ from: open, to: beats[beats.length - 1].t });
  return { episodes, windows };
}
