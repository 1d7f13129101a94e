import { describe, expect, it } from 'vitest';
import { beatVerdict, type VerdictInput } from '../../src/detect/beat-verdict';
import type { DeviceState } from '../../src/detect/device-state';
import type { BeatContext, PatientAdapter } from '../../src/detect/patient-adaptation';
import type { SegmentedBeat } from '../../src/detect/ports';
import { SecondLead } from '../../src/detect/second-lead';
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

describe('beatVerdict on the second lead', () => {
  /**
   * A learned two-lead device's beat: its model-lead window usable or not (usable, the adapter
   * gates it as noise), V1's window usable and confirmed by V1's own detector or not.
   */
  function onV1(firstUsable: boolean, confirmed: boolean | undefined): ReturnType<typeof beatVerdict> {
    const window = { window: new Float32Array(64), scale: 1, offset: 0 };
    const leads = [
      { ...window, usable: firstUsable },
      { ...window, usable: true, ...(confirmed === undefined ? {} : { confirmed }) },
    ];
    const first = { ...beat, leads } as unknown as SegmentedBeat;
    const second = { ...beat } as unknown as SegmentedBeat;
    const state = {
      profile: stubProfile({ secondLead: { lead: 'V1', beatsLearned: 300, threshold: 1, features: {} } }),
      tracker: null,
      leadNames: ['MLII', 'V1'],
      second: SecondLead.learned('V1'),
    } as unknown as DeviceState;
    const base = input(false, false, []);
    const adapter: PatientAdapter = {
      ...base.adapter,
      score: (_p, b) => (b === first ? { score: 0, kind: 'gated' } : { score: 2, kind: 'ventricular' }),
    };
    return beatVerdict({
      ...base,
      adapter,
      state,
      first: { ...base.first, beat: first },
      second: { beat: second, modelScore: 0.1, reconstruction: 0.1 },
    });
  }

  it("judges V1's window where V1's own QRS detector confirms the beat, and gates a beat only an unusable model lead placed", () => {
    const onV1Verdict = { verdict: { score: 2, kind: 'ventricular' }, lead: 1 };
    expect(onV1(false, true)).toEqual(onV1Verdict);
    // Beats of segmenters that do not say (older states, one lead) count as confirmed.
    expect(onV1(false, undefined)).toEqual(onV1Verdict);
    // Unconfirmed, where the model lead was unusable: the beat's time came from a noisy signal, and
    // V1's window cut there has its QRS misplaced, so it is not judged.
    expect(onV1(false, false)).toEqual({ verdict: { score: 0, kind: 'gated' }, lead: 0 });
    // A usable model lead placed the beat reliably (a ventricular beat's R peaks may lie far apart on
    // two leads): where its verdict gates the beat as noise, V1 judges it, confirmed or not.
    expect(onV1(true, false)).toEqual(onV1Verdict);
  });
});
