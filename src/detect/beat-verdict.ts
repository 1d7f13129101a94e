/**
 * A beat's verdict from the device's adaptation, on the lead it can be judged on
 * (docs/ARCHITECTURE.md §3.2): while the device learns, the population model's (and the beat
 * feeds the learners); once learned, the device profile's on the model's lead, or on the second
 * lead where the model's lead was unusable over the beat (second-lead scoring). A beat that can
 * be judged on no lead is `gated`.
 */
import type { DeviceState } from './device-state';
import {
  populationVerdict,
  type BeatContext,
  type BeatVerdict,
  type DeviceProfile,
  type LearnerContext,
  type PatientAdapter,
} from './patient-adaptation';
import type { SegmentedBeat } from './ports';
import { firstLeadUsable, fuseVerdicts, SecondLead, secondLeadConfirms } from './second-lead';

/** A beat's window on one lead, scored by the model. */
export interface LeadScore {
  readonly beat: SegmentedBeat;
  readonly modelScore: number;
  /** The model score less the artifact's timing term. */
  readonly reconstruction: number;
}

/** What {@link beatVerdict} judges a beat with. */
export interface VerdictInput {
  readonly adapter: PatientAdapter;
  readonly state: DeviceState;
  readonly phase: 'learning' | 'learned';
  /** The population model's threshold for the device. */
  readonly population: number;
  /** The profile non-learning adapters score against (null for adapters that learn). */
  readonly populationProfile: DeviceProfile | null;
  /** The beat on the model's lead. */
  readonly first: LeadScore;
  /** Its second-lead window, scored (null: none, not usable, or second-lead scoring off). */
  readonly second: LeadScore | null;
  /** What a second-lead learner is told when it starts. */
  readonly context: LearnerContext;
  /** The signal-quality index calls the beat's second noisy (see {@link BeatContext}); absent: false. */
  readonly noisySignal?: boolean;
}

/**
 * The verdict of one beat and the lead it was judged on (0 = the model's). Moves the device's
 * learners and trackers past the beat, as scoring a beat always has.
 *
 * @example
 * const { verdict, lead } = beatVerdict({ adapter, state, phase, population, populationProfile: null, first, second: null, context });
 */
export function beatVerdict(input: VerdictInput): { verdict: BeatVerdict; lead: 0 | 1 } {
  const { adapter, state, first, second } = input;
  // A model lead the quality index called unusable for noise only (the detector has already gated
  // flat and clipped seconds and technical episodes) is still judged, strictly (`noisySignal`), by
  // a learned adapter that gates noise beat by beat: wide ventricular beats make a second look
  // noisy. When it gates the beat, the second lead takes over as before.
  const judgesNoise = input.phase === 'learned' && adapter.gatesNoise === true && input.noisySignal === true;
  const firstUsable = firstLeadUsable(first.beat) || judgesNoise;
  const secondLead = state.leadNames?.[1] ?? null;
  if (input.phase === 'learning') {
    if (firstUsable) (state.learner as NonNullable<DeviceState['learner']>).add(first.beat, first.modelScore, first.reconstruction);
    if (second !== null && secondLead !== null) {
      // A device that sends a second lead learns it in the same period (from its first beat on it).
      if (state.second?.lead !== secondLead || !state.second.isLearning)
        state.second = SecondLead.learning(adapter, secondLead, input.context);
      state.second.add(second.beat, second.modelScore, second.reconstruction);
    }
    return { verdict: firstUsable ? populationVerdict(first.modelScore, input.population) : { score: 0, kind: 'gated' }, lead: 0 };
  }
  // The model lead's verdict: none where its window is unusable.
  const beatContext: BeatContext = { noisySignal: input.noisySignal === true };
  let onFirst: BeatVerdict | null = null;
  if (firstUsable && adapter.track !== undefined && state.profile !== null) {
    // A profile that moves with the beats (template drift, RR history): its live state is part of
    // the device state, so a rollback replays the same updates.
    state.tracker ??= adapter.track(state.profile, null);
    onFirst = state.tracker.score(first.beat, first.modelScore, first.reconstruction, beatContext);
  } else if (firstUsable) {
    onFirst = adapter.score(
      state.profile ?? (input.populationProfile as DeviceProfile),
      first.beat,
      first.modelScore,
      first.reconstruction,
      beatContext,
    );
  }
  // Where the model's lead was unusable over the beat, the beat's time may come from a detection
  // in noise: the second-lead window is judged only if that lead's own detector confirms the beat
  // (cut at a time only the noisy lead vouches for, its QRS is misplaced and looks ventricular).
  // A usable model lead placed the beat reliably: a ventricular beat's R peaks may lie further
  // apart on two leads than a normal one's.
  const onSecond =
    second !== null &&
    (firstLeadUsable(first.beat) || secondLeadConfirms(first.beat)) &&
    state.second !== null &&
    state.profile !== null &&
    state.second.lead === secondLead
      ? state.second.score(adapter, state.profile, second.beat, second.modelScore, second.reconstruction)
      : null;
  return fuseVerdicts(onFirst, onSecond);
}
