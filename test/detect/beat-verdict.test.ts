import { describe, expect, it } from 'vitest';
import { beatVerdict, type VerdictInput } from '../../src/detect/beat-verdict';
import type { DeviceState } from '../../src/detect/device-state';
import type { BeatContext, PatientAdapter } from '../../src/detect/patient-adaptation';
import type { SegmentedBeat } from '../../src/detect/ports';
import { stubProfile } from './fakes';

const profile = stubProfile();

/** A beat whose model lead the quality index called unusable (noisy seconds). */
const beat = {
  rIndex: 1000,
  window: new Float32Array(64),
  rrPrev: 0.8,
  rrNext: 0.8,
  leads: [{ window: new Float32Array(64), scale: 1, offset: 0, usable: false }],
} as unknown as SegmentedBeat;

function input(gatesNoise: boolean, noisySignal: boolean, seen: (BeatContext | undefined)[]): VerdictInput {
  const adapter: PatientAdapter = {
    name: 'stub',
    learns: true,
    separatesKinds: true,
    gatesNoise,
    newLearner: () => {
      throw new Error('not learning');
    },
    restoreLearner: () => {
      throw new Error('not learning');
    },
    score: (_p, _b, _m, _r, context) => {
      seen.push(context);
      return { score: 2, kind: 'ventricular' };
    },
  };
  return {
    adapter,
    state: { profile, tracker: null, leadNames: null, second: null } as unknown as DeviceState,
    phase: 'learned',
    population: 1,
    populationProfile: null,
    first: { beat, modelScore: 0.1, reconstruction: 0.1 },
    second: null,
    context: { fs: 360, window: { before: 0.25, after: 0.45, steps: 64 }, modelVersion: 'm' },
    noisySignal,
  };
}

describe('beatVerdict on a model lead unusable for noise', () => {
  it('an adapter that gates noise itself judges the beat, told the signal is noisy; otherwise the beat is gated', () => {
    const seen: (BeatContext | undefined)[] = [];
    expect(beatVerdict(input(true, true, seen)).verdict).toEqual({ score: 2, kind: 'ventricular' });
    expect(seen).toEqual([{ noisySignal: true }]);
    // Unusable for another reason than noisy seconds (a poor stretch of the lead): gated, as before.
    expect(beatVerdict(input(true, false, seen)).verdict.kind).toBe('gated');
    // An adapter that does not judge noise never sees the beat.
    expect(beatVerdict(input(false, true, seen)).verdict.kind).toBe('gated');
    expect(seen).toHaveLength(1);
  });
});
