/**
 * Step 3 of a batch: the beats of all devices scored in one batched model call (one call
 * amortizes the model's cost over the batch), the second-lead windows of multi-lead beats after
 * them; then each beat's scores looked up by device and position.
 */
import { reconstructionErrorOf } from '../model';
import type { LeadScore } from './beat-verdict';
import type { DeviceState, TimedBeat } from './device-state';
import type { DeviceWork } from './device-work';
import type { BeatModel, SegmentedBeat } from './ports';
import { secondLeadBeat } from './second-lead';

/**
 * Whether a device's second-lead scores can be read in this batch. Not for a device that has
 * learned its profile for this model and adapter without a second lead (too few usable beats on
 * it): a learned device's verdicts read the second lead only through its second-lead profile,
 * and nothing in a batch gives it one (the model is the batch's, so it does not relearn). Any
 * other device (learning, no state yet, a profile of another model) has them scored.
 *
 * @example
 * const needed = (w: DeviceWork) => secondLeadScoresRead(w.state, model.version, adapter.name);
 */
export function secondLeadScoresRead(state: DeviceState | null, modelVersion: string, adapterName: string): boolean {
  if (state === null || state.phase !== 'learned' || state.modelVersion !== modelVersion) return true;
  const profile = state.profile;
  const current = profile !== null && profile.modelVersion === modelVersion && profile.adapter === adapterName;
  return !current || state.second !== null;
}

/**
 * The second-lead windows to score after the batch's `firstCount` beats: each device's usable
 * second-lead windows, in order; sets each work's `second` (per beat, the window's index in the
 * batched scores, or -1). `enabled` false (second-lead scoring off, or an adapter that does not
 * learn): none; nor for a device whose scores would not be read (`needed`, e.g.
 * {@link secondLeadScoresRead}).
 *
 * @example
 * const secondBeats = secondLeadWindows(byDevice.values(), allBeats.length, true);
 */
export function secondLeadWindows(
  works: Iterable<DeviceWork>,
  firstCount: number,
  enabled: boolean,
  needed: (work: DeviceWork) => boolean = () => true,
): SegmentedBeat[] {
  const secondBeats: SegmentedBeat[] = [];
  for (const work of works) {
    const scored = enabled && needed(work);
    work.second = work.beats.map((beat) => {
      const second = scored ? secondLeadBeat(beat) : null;
      if (second === null) return -1;
      secondBeats.push(second);
      return firstCount + secondBeats.length - 1;
    });
  }
  return secondBeats;
}

/**
 * The model's scores of the batch's beats, then of its second-lead windows, in one call. Throws
 * when the model fails or returns a score per beat too few or too many.
 *
 * @example
 * const scores = scoreAll(model, allBeats, secondBeats); // scores.length === allBeats.length + secondBeats.length
 */
export function scoreAll(
  model: Pick<BeatModel, 'scoreBeats'>,
  allBeats: readonly TimedBeat[],
  secondBeats: readonly SegmentedBeat[],
): Float32Array {
  const toScore = secondBeats.length > 0 ? [...allBeats, ...secondBeats] : allBeats;
  const scores = toScore.length > 0 ? model.scoreBeats(toScore) : new Float32Array(0);
  if (scores.length !== toScore.length) throw new Error(`model returned ${scores.length} scores for ${toScore.length} beats`);
  return scores;
}

/**
 * A batch's scores, looked up per device and beat.
 *
 * @example
 * const scores = new BatchScores(scoreAll(model, allBeats, secondBeats), allBeats.length, secondBeats, model.scoring);
 * const { modelScore } = scores.first(work, 0);
 */
export class BatchScores {
  constructor(
    private readonly scores: Float32Array,
    /** Beats scored before the second-lead windows. */
    private readonly firstCount: number,
    private readonly secondBeats: readonly SegmentedBeat[],
    private readonly scoring: BeatModel['scoring'],
  ) {}

  /** The device's `i`-th beat on the model's lead, with its model score and reconstruction error. */
  first(work: DeviceWork, i: number): LeadScore {
    const beat = work.beats[i];
    const modelScore = this.scores[work.firstScore + i];
    return { beat, modelScore, reconstruction: reconstructionErrorOf(modelScore, beat, this.scoring) };
  }

  /** The device's `i`-th beat on its second lead, scored; null when that window was not scored. */
  second(work: DeviceWork, i: number): LeadScore | null {
    const at = work.second[i];
    const beat = at < 0 ? null : this.secondBeats[at - this.firstCount];
    if (beat === null) return null;
    const modelScore = this.scores[at];
    return { beat, modelScore, reconstruction: reconstructionErrorOf(modelScore, beat, this.scoring) };
  }
}
