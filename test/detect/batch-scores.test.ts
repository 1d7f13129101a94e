import { describe, expect, it } from 'vitest';
import { BatchScores, scoreAll, secondLeadScoresRead, secondLeadWindows } from '../../src/detect/batch-scores';
import type { DeviceState, TimedBeat } from '../../src/detect/device-state';
import { newDeviceWork } from '../../src/detect/device-work';
import type { BeatModel } from '../../src/detect/ports';

/** A beat whose window holds its score; `second` adds a usable (or not) second-lead window holding that score. */
const beat = (score: number, second?: { score: number; usable: boolean }): TimedBeat =>
  ({
    t: 0,
    rIndex: 0,
    rrPrev: null,
    rrNext: null,
    window: Float32Array.of(score),
    ...(second
      ? {
          leads: [
            { window: Float32Array.of(score), scale: 1, offset: 0, usable: true },
            { window: Float32Array.of(second.score), scale: 1, offset: 0, usable: second.usable },
          ],
        }
      : {}),
  }) as unknown as TimedBeat;

const model: Pick<BeatModel, 'scoreBeats'> = { scoreBeats: (beats) => Float32Array.from(beats, (b) => b.window[0]) };

describe('the batch scores', () => {
  it('scores each device’s beats, then the usable second-lead windows after all of them, and finds them again', () => {
    const a = newDeviceWork('a');
    a.beats = [beat(1, { score: 10, usable: true }), beat(2, { score: 20, usable: false })];
    const b = newDeviceWork('b');
    b.beats = [beat(3, { score: 30, usable: true })];
    b.firstScore = 2;
    const allBeats = [...a.beats, ...b.beats];
    const secondBeats = secondLeadWindows([a, b], allBeats.length, true);
    expect(a.second).toEqual([3, -1]);
    expect(b.second).toEqual([4]);
    const scores = new BatchScores(scoreAll(model, allBeats, secondBeats), allBeats.length, secondBeats, undefined);
    expect([scores.first(a, 0).modelScore, scores.first(a, 1).modelScore, scores.first(b, 0).modelScore]).toEqual([1, 2, 3]);
    expect(scores.second(a, 0)?.modelScore).toBe(10);
    expect(scores.second(a, 1)).toBeNull();
    expect(scores.second(b, 0)?.modelScore).toBe(30);
    // Without a timing term the reconstruction error is the model score.
    expect(scores.first(b, 0).reconstruction).toBe(3);
  });

  it('scores no second-lead window when second-lead scoring is off', () => {
    const a = newDeviceWork('a');
    a.beats = [beat(1, { score: 10, usable: true })];
    expect(secondLeadWindows([a], 1, false)).toEqual([]);
    expect(a.second).toEqual([-1]);
  });

  it('scores no second-lead window of a device learned for this model without a second-lead profile, and every other device’s', () => {
    const profile = { modelVersion: 'm1', adapter: 'patient-profile' };
    const state = (phase: string, second: unknown, modelVersion = 'm1', p: unknown = profile) =>
      ({ phase, modelVersion, profile: p, second }) as unknown as DeviceState;
    const read = (s: DeviceState | null) => secondLeadScoresRead(s, 'm1', 'patient-profile');
    expect(read(state('learned', null))).toBe(false);
    expect(read(state('learned', { lead: 'V1' }))).toBe(true);
    expect(read(state('learning', null, 'm1', null))).toBe(true);
    expect(read(state('learned', null, 'm0'))).toBe(true);
    expect(read(state('learned', null, 'm1', { modelVersion: 'm0', adapter: 'patient-profile' }))).toBe(true);
    expect(read(null)).toBe(true);
    const a = newDeviceWork('a');
    a.beats = [beat(1, { score: 10, usable: true })];
    const b = newDeviceWork('b');
    b.beats = [beat(2, { score: 20, usable: true })];
    const windows = secondLeadWindows([a, b], 2, true, (w) => w.deviceId === 'b');
    expect(windows).toHaveLength(1);
    expect([a.second, b.second]).toEqual([[-1], [2]]);
  });

  it('throws when the model returns a score per beat too few', () => {
    const short: Pick<BeatModel, 'scoreBeats'> = { scoreBeats: () => new Float32Array(1) };
    expect(() => scoreAll(short, [beat(1), beat(2)], [])).toThrow('model returned 1 scores for 2 beats');
  });
});
