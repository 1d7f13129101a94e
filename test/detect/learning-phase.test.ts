import { describe, expect, it } from 'vitest';
import { OFF_ADAPTER } from '../../src/detect/adapters';
import { DeviceState } from '../../src/detect/device-state';
import { advanceLearning, learnerContext, populationProfile } from '../../src/detect/learning-phase';
import {
  MAX_LEARNING_EXTENSION,
  PROFILE_FORMAT_VERSION,
  type LearnerContext,
  type PatientAdapter,
} from '../../src/detect/patient-adaptation';
import { DEFAULT_BEAT_WINDOW } from '../../src/ecg/beat-window-spec';
import { fakeModel, spikeSegmenters } from './fakes';

/** An adapter whose learner is ready when `ready.now` says so and learns threshold 1.5 from any beats. */
function learningAdapter(ready = { now: true }, contexts: (LearnerContext | undefined)[] = []): PatientAdapter {
  return {
    name: 'stub',
    learns: true,
    separatesKinds: false,
    newLearner: (context) => {
      contexts.push(context);
      return {
        beats: 7,
        add: () => undefined,
        ready: () => ready.now,
        finish: () => ({ threshold: 1.5, features: { k: 1 } }),
        toJSON: () => ({}),
      };
    },
    restoreLearner: () => {
      throw new Error('not restored here');
    },
    score: () => ({ score: 0, kind: 'normal' }),
  };
}

const LEARNING_MS = 10_000;

describe('advanceLearning', () => {
  it('an adapter that does not learn scores every beat as learned', () => {
    const state = new DeviceState(spikeSegmenters);
    expect(advanceLearning({ adapter: OFF_ADAPTER, learningMs: LEARNING_MS }, state, fakeModel(), 0, 2)).toEqual({
      phase: 'learned',
      learned: null,
    });
  });

  it('learns from first sight and ends at the first beat a learning period later, with the profile learned', () => {
    const contexts: (LearnerContext | undefined)[] = [];
    const setup = { adapter: learningAdapter({ now: true }, contexts), learningMs: LEARNING_MS };
    const state = new DeviceState(spikeSegmenters);
    state.fs = 360;
    state.learnFrom = 1_000; // the first record's t0
    const model = fakeModel();
    expect(advanceLearning(setup, state, model, 1_500, 2)).toEqual({ phase: 'learning', learned: null });
    expect(contexts).toEqual([{ fs: 360, window: DEFAULT_BEAT_WINDOW, modelVersion: model.version }]);
    expect(advanceLearning(setup, state, model, 10_999, 2).phase).toBe('learning');
    const end = advanceLearning(setup, state, model, 11_000, 2);
    expect(end.phase).toBe('learned');
    expect(end.learned).toEqual({
      formatVersion: PROFILE_FORMAT_VERSION,
      adapter: 'stub',
      modelVersion: model.version,
      learnedAt: 11_000,
      learningSeconds: 10,
      beatsLearned: 7,
      threshold: 1.5,
      features: { k: 1 },
    });
    expect(state.profile).toBe(end.learned);
    // Learned once: later beats are scored against it, nothing learned again.
    expect(advanceLearning(setup, state, model, 12_000, 2)).toEqual({ phase: 'learned', learned: null });
  });

  it('extends the period while the learner is not ready, within the bound', () => {
    const ready = { now: false };
    const setup = { adapter: learningAdapter(ready), learningMs: LEARNING_MS };
    const state = new DeviceState(spikeSegmenters);
    state.learnFrom = 0;
    const model = fakeModel();
    expect(advanceLearning(setup, state, model, LEARNING_MS, 2).phase).toBe('learning');
    expect(advanceLearning(setup, state, model, LEARNING_MS * (1 + MAX_LEARNING_EXTENSION) - 1, 2).phase).toBe('learning');
    expect(advanceLearning(setup, state, model, LEARNING_MS * (1 + MAX_LEARNING_EXTENSION), 2).phase).toBe('learned');
  });

  it('relearns from the beat after a model change', () => {
    const setup = { adapter: learningAdapter(), learningMs: LEARNING_MS };
    const state = new DeviceState(spikeSegmenters);
    state.learnFrom = 0;
    advanceLearning(setup, state, fakeModel(), 0, 2);
    expect(advanceLearning(setup, state, fakeModel(), LEARNING_MS, 2).phase).toBe('learned');
    const next = { ...fakeModel(), version: 'test-v2' };
    expect(advanceLearning(setup, state, next, 50_000, 2).phase).toBe('learning');
    expect(state.learnFrom).toBe(50_000);
    expect(advanceLearning(setup, state, next, 50_000 + LEARNING_MS, 2).learned?.modelVersion).toBe('test-v2');
  });
});

describe('learnerContext and populationProfile', () => {
  it('tell learners the model window and score the off adapter against the population threshold', () => {
    const window = { before: 0.2, after: 0.4, steps: 32 };
    expect(learnerContext({ fs: 250 }, { version: 'v', window })).toEqual({ fs: 250, window, modelVersion: 'v' });
    expect(populationProfile('off', 'v', 2.5)).toMatchObject({
      adapter: 'off',
      modelVersion: 'v',
      threshold: 2.5,
      beatsLearned: 0,
      features: {},
    });
  });
});
