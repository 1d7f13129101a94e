/**
 * A device's learning phase (docs/ARCHITECTURE.md §3.2, "How a device learns" in README.md):
 * `learning` after first sight and after a model change, `learned` once `learningSeconds` of
 * its signal have passed and its learner is ready; plus what its learners are told and the
 * profile a non-learning adapter scores against.
 */
import { DEFAULT_BEAT_WINDOW } from '../ecg';
import type { DeviceState } from './device-state';
import {
  MAX_LEARNING_EXTENSION,
  PROFILE_FORMAT_VERSION,
  type DevicePhase,
  type DeviceProfile,
  type LearnerContext,
  type PatientAdapter,
} from './patient-adaptation';
import type { BeatModel } from './ports';
import { SecondLead } from './second-lead';

/** How devices learn: the adapter and the learning period (ms of device-clock time). */
export interface LearningSetup {
  readonly adapter: PatientAdapter;
  readonly learningMs: number;
}

/**
 * Moves a device's adaptation to the beat at `t` and returns the phase the beat is scored in,
 * and the profile learned by this beat (null unless the learning period ended here).
 * A device learns after first sight and after a model change (its profile, or its learner,
 * belongs to another model or adapter); the learning period ends at the first beat
 * `learningSeconds` after it began, which is scored against the new profile.
 *
 * @example
 * const { phase, learned } = advanceLearning({ adapter, learningMs: 300_000 }, state, model, beat.t, population);
 * if (learned !== null) work.learned = learned; // to save before any alert goes out
 */
export function advanceLearning(
  setup: LearningSetup,
  state: DeviceState,
  model: BeatModel,
  t: number,
  population: number,
): { phase: DevicePhase; learned: DeviceProfile | null } {
  const { adapter, learningMs } = setup;
  if (!adapter.learns) return { phase: 'learned', learned: null };
  const current = (p: DeviceProfile | null) => p !== null && p.modelVersion === model.version && p.adapter === adapter.name;
  if (state.modelVersion !== model.version || (state.phase === 'learned' && !current(state.profile))) {
    if (current(state.profile)) {
      state.phase = 'learned';
      state.learner = null;
      state.tracker = null;
      const second = (state.profile as DeviceProfile).secondLead;
      state.second = second ? SecondLead.learned(second.lead) : null;
    } else {
      // First sight counts from the first record's t0; a model change from this beat.
      state.learnFrom = state.modelVersion === null && state.learnFrom !== null ? state.learnFrom : t;
      state.phase = 'learning';
      state.learner = adapter.newLearner(learnerContext(state, model));
      state.profile = null;
      state.tracker = null;
      // A second lead starts learning at its first usable beat of the period.
      state.second = null;
    }
    state.modelVersion = model.version;
  }
  if (state.phase !== 'learning') return { phase: state.phase, learned: null };
  const learner = state.learner as NonNullable<DeviceState['learner']>;
  const elapsed = t - (state.learnFrom as number);
  // A learner that is not ready (no dominant beat yet) extends the period, within a bound.
  if (elapsed >= learningMs && ((learner.ready?.() ?? true) || elapsed >= learningMs * (1 + MAX_LEARNING_EXTENSION))) {
    const { threshold, features } = learner.finish(population);
    const secondLead = state.second?.isLearning ? state.second.finish(population) : undefined;
    state.profile = {
      formatVersion: PROFILE_FORMAT_VERSION,
      adapter: adapter.name,
      modelVersion: model.version,
      learnedAt: t,
      learningSeconds: learningMs / 1000,
      beatsLearned: learner.beats,
      threshold,
      features,
      ...(secondLead === undefined ? {} : { secondLead }),
    };
    state.phase = 'learned';
    state.learner = null;
    state.tracker = null;
    state.second = secondLead === undefined ? null : SecondLead.learned(secondLead.lead);
    // The policy's window held population-scale scores: start it afresh on the device's scale.
    state.policy = { recent: [], lastAlert: state.policy.lastAlert };
    return { phase: state.phase, learned: state.profile };
  }
  return { phase: state.phase, learned: null };
}

/**
 * What a device's learners are told: its rate, the model's window (default: `src/ecg`'s) and version.
 *
 * @example
 * const learner = adapter.newLearner(learnerContext(state, model));
 */
export function learnerContext(state: Pick<DeviceState, 'fs'>, model: Pick<BeatModel, 'window' | 'version'>): LearnerContext {
  return { fs: state.fs, window: model.window ?? DEFAULT_BEAT_WINDOW, modelVersion: model.version };
}

/**
 * The profile a non-learning adapter (`off`) scores against: the model's threshold for the device.
 *
 * @example
 * const profile = populationProfile(OFF_ADAPTER.name, model.version, model.threshold);
 */
export function populationProfile(adapterName: string, modelVersion: string, threshold: number): DeviceProfile {
  return {
    formatVersion: PROFILE_FORMAT_VERSION,
    adapter: adapterName,
    modelVersion,
    learnedAt: 0,
    learningSeconds: 0,
    beatsLearned: 0,
    threshold,
    features: {},
  };
}
