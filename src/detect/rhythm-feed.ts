/**
 * What the detector gives a device's rhythm monitor: each admitted record (its samples or the
 * segmenter's per-second verdicts, and its R peaks) and each beat's shape. The rules themselves
 * live in `rhythm-monitor.ts`.
 */
import type { Admitted, DeviceState, TimedBeat } from './device-state';
import type { DecodedRecord } from './ports';
import { RhythmMonitor, type BeatShape, type EpisodeEvent, type RhythmOptions } from './rhythm-monitor';
import { secondLeadBeat } from './second-lead';

/**
 * Feeds a record to the device's signal-quality and rhythm monitor (created at its first record,
 * restarted when the device's stream restarts); returns its episode events. `rhythm` null: no
 * monitor at all.
 *
 * @example
 * work.events.push(...monitorRecord(rhythmOptions, state, record, state.admit(record, arrivedAt, plan)));
 */
export function monitorRecord(rhythm: RhythmOptions | null, state: DeviceState, record: DecodedRecord, admitted: Admitted): EpisodeEvent[] {
  // The monitor needs the segmenter's R peaks as they are found (asystole, rate rules): a
  // segmenter that cannot report them (a toy one in tests) runs without it.
  if (rhythm === null || !state.reportsPeaks) return [];
  if (state.monitor === null) state.monitor = new RhythmMonitor(record.fs, rhythm);
  else {
    // A restored device follows the configured options, not the ones its state was saved with.
    state.monitor = state.monitor.withOptions(rhythm);
    if (admitted.admission === 'restarted' || admitted.admission === 'reset') state.monitor.restart(record.fs);
  }
  const peaks = admitted.beats.map((b) => b.rIndex);
  for (const p of state.pendingPeaks()) peaks.push(p);
  const timeOf = (i: number) => state.timeOf(i);
  // A multi-lead segmenter judged each second on its leads: the monitor takes its verdicts
  // (the lead used there), so one lead lost is neither lead-off nor asystole.
  // The seconds it has not decided yet are judged for asystole at once, as one lead's are.
  if (admitted.seconds !== undefined) return state.monitor.judged(admitted.seconds, peaks, timeOf, admitted.head);
  return state.monitor.samples(admitted.samples ?? record.samples, peaks, timeOf);
}

/**
 * A beat's shape for the rhythm rules: its window on the model's lead; where another lead's QRS
 * detector found the beat (the model's lead lost it), that window is given as `lost`: poor, but
 * a ventricular beat's QRS may still plainly differ from the dominant one there; not where that
 * lead was flat or clipped over the window (lead-off, saturation), which shows nothing. A window the
 * quality index calls noisy is still given: fast wide beats read as noise, and the rules know
 * the beat is gated. The second lead's window comes along where that lead was usable, also for
 * a beat the model's lead lost.
 *
 * @example
 * monitor.beat({ t, rIndex, rrPrev, ventricular: false, gated: false, ...shapeOf(beat, { before: 0.25, after: 0.45 }) });
 */
export function shapeOf(beat: TimedBeat, span: { before: number; after: number }): { shape?: BeatShape } {
  const second = secondLeadBeat(beat);
  const found = (beat.lead ?? 0) === 0;
  // A beat no lead can show usably has no shape to judge.
  if (!found && second === null) return {};
  // A model-lead window lost to a flat or clipped signal shows nothing of the beat (a flat window is "unlike" every shape).
  const first = found ? { window: beat.window } : beat.leads?.[0]?.readable === false ? {} : { lost: beat.window };
  return { shape: { ...first, before: span.before, after: span.after, ...(second === null ? {} : { second: second.window }) } };
}
