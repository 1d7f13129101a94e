import { describe, expect, it } from 'vitest';
import { DeviceState, type TimedBeat } from '../../src/detect/device-state';
import { newDeviceWork } from '../../src/detect/device-work';
import type { ProfileTracker } from '../../src/detect/patient-adaptation';
import { trackProfileDrift } from '../../src/detect/profile-drift';
import type { SecondLead } from '../../src/detect/second-lead';
import { spikeSegmenters, stubProfile } from './fakes';

const profile = stubProfile({ features: { v: 1 }, secondLead: { lead: 'V1', beatsLearned: 40, threshold: 1, features: { w: 1 } } });

/** A tracker (or second lead) that reports moved features `moved` when asked at any t, recording the t asked. */
const mover = (moved: Record<string, unknown> | null, asked: number[]) => ({ update: (t: number) => (asked.push(t), moved) });

function device(moved: Record<string, unknown> | null, secondMoved: Record<string, unknown> | null, asked: number[]) {
  const state = new DeviceState(spikeSegmenters);
  state.profile = profile;
  state.tracker = mover(moved, asked) as unknown as ProfileTracker;
  state.second = mover(secondMoved, asked) as unknown as SecondLead;
  const work = newDeviceWork('a');
  work.beats = [{ t: 5_000 }, { t: 6_000 }] as TimedBeat[];
  return { state, work };
}

describe('trackProfileDrift', () => {
  it('takes the features that moved by the last beat of the batch, to save again', () => {
    const asked: number[] = [];
    const { state, work } = device({ v: 2 }, null, asked);
    trackProfileDrift(work, state);
    expect(asked).toEqual([6_000, 6_000]);
    expect(work.updated).toEqual({ ...profile, features: { v: 2 }, updatedAt: 6_000 });
    expect(state.profile).toBe(work.updated);
  });

  it('moves the second lead’s profile the same way', () => {
    const { state, work } = device(null, { w: 3 }, []);
    trackProfileDrift(work, state);
    expect(work.updated).toEqual({
      ...profile,
      secondLead: { lead: 'V1', beatsLearned: 40, threshold: 1, features: { w: 3 } },
      updatedAt: 6_000,
    });
  });

  it('leaves a profile that did not move, one learned in this batch, or a device without beats', () => {
    const still = device(null, null, []);
    trackProfileDrift(still.work, still.state);
    expect(still.work.updated).toBeNull();
    const asked: number[] = [];
    const fresh = device({ v: 2 }, { w: 3 }, asked);
    fresh.work.learned = profile;
    trackProfileDrift(fresh.work, fresh.state);
    const idle = device({ v: 2 }, { w: 3 }, asked);
    idle.work.beats = [];
    trackProfileDrift(idle.work, idle.state);
    expect([fresh.work.updated, idle.work.updated, asked]).toEqual([null, null, []]);
  });
});
