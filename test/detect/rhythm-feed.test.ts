import { describe, expect, it } from 'vitest';
import { DeviceState, type TimedBeat } from '../../src/detect/device-state';
import { monitorRecord, shapeOf } from '../../src/detect/rhythm-feed';
import { DEFAULT_RHYTHM_OPTIONS } from '../../src/detect/rhythm-monitor';
import { spikeSegmenters } from './fakes';

const first = Float32Array.of(1, 2, 3);
const second = Float32Array.of(4, 5, 6);
const span = { before: 0.25, after: 0.45 };
/** A beat found on lead `lead`, with its second-lead window `usable` or not. */
const beat = (lead: 0 | 1, usable: boolean | null): TimedBeat =>
  ({
    t: 0,
    rIndex: 100,
    rrPrev: 0.8,
    rrNext: 0.8,
    window: first,
    lead,
    ...(usable === null
      ? {}
      : {
          leads: [
            { window: first, scale: 1, offset: 0, usable: lead === 0 },
            { window: second, scale: 1, offset: 0, usable },
          ],
        }),
  }) as unknown as TimedBeat;

describe('shapeOf', () => {
  it('gives the model lead’s window, and the second lead’s where usable', () => {
    expect(shapeOf(beat(0, null), span)).toEqual({ shape: { window: first, ...span } });
    expect(shapeOf(beat(0, true), span)).toEqual({ shape: { window: first, ...span, second } });
    expect(shapeOf(beat(0, false), span)).toEqual({ shape: { window: first, ...span } });
  });

  it('gives the model lead’s window of a beat another lead found as lost (poor there) beside the second lead’s; none where no lead is usable', () => {
    expect(shapeOf(beat(1, true), span)).toEqual({ shape: { lost: first, ...span, second } });
    expect(shapeOf(beat(1, false), span)).toEqual({});
  });

  it('gives no lost window where the model lead was flat or clipped over it (lead-off, saturation): it shows nothing of the beat', () => {
    const flat = beat(1, true);
    const leads = (flat as unknown as { leads: object[] }).leads;
    const unreadable = { ...flat, leads: [{ ...leads[0], readable: false }, leads[1]] } as unknown as TimedBeat;
    expect(shapeOf(unreadable, span)).toEqual({ shape: { ...span, second } });
  });
});

describe('monitorRecord', () => {
  it('feeds no monitor without rhythm options or with a segmenter that reports no R peaks', () => {
    const state = new DeviceState(spikeSegmenters);
    const record = { deviceId: 'a', seq: 0, t0: 0, fs: 10, samples: new Float32Array(10) };
    const admitted = state.admit(record);
    expect(monitorRecord(null, state, record, admitted)).toEqual([]);
    expect(monitorRecord(DEFAULT_RHYTHM_OPTIONS, state, record, admitted)).toEqual([]);
    expect(state.monitor).toBeNull();
  });
});
