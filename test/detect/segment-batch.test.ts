import { describe, expect, it } from 'vitest';
import { emptyCounts } from '../../src/detect/batch-result';
import { decodeBatch } from '../../src/detect/decode-batch';
import { DeviceRegistry } from '../../src/detect/device-registry';
import { DEFAULT_LEAD_PLAN } from '../../src/detect/device-state';
import type { DeviceProfile } from '../../src/detect/patient-adaptation';
import type { Rejection } from '../../src/detect/ports';
import { DEFAULT_RHYTHM_OPTIONS } from '../../src/detect/rhythm-monitor';
import { ARTIFACT_MARGIN_MS, leadPlanOf, segmentDevices, type SegmentContext } from '../../src/detect/segment-batch';
import { MAX_ABS_MV } from '../../src/contract/signal-bounds';
import type { InputRecord } from '../../src/detect/batch-result';
import { rec, spikeSegmenters, stubProfile, testDecoder } from './fakes';

const profile = stubProfile({ threshold: 1.2 });

function segment(input: InputRecord[], registry = new DeviceRegistry(spikeSegmenters), loaded = new Map<string, DeviceProfile>()) {
  const counts = emptyCounts(input.length);
  const { byDevice, rejections, clipped } = decodeBatch(input, testDecoder, undefined, counts);
  const context: SegmentContext = { devices: registry, plan: DEFAULT_LEAD_PLAN, loaded, clipped, rejections, counts, rhythm: null };
  const allBeats = segmentDevices(byDevice, context);
  return { allBeats, byDevice, counts, rejections: rejections as Rejection[], registry };
}

describe('leadPlanOf', () => {
  it('cuts beats on the model’s lead by name, with the signal-quality index when the rhythm monitor is on', () => {
    expect(leadPlanOf('V5', 1, null)).toEqual({ lead: 'V5', leads: 1 });
    expect(leadPlanOf(undefined, 2, null).lead).toBe(DEFAULT_LEAD_PLAN.lead);
    expect(leadPlanOf(undefined, 2, DEFAULT_RHYTHM_OPTIONS).sqi).toBe(DEFAULT_RHYTHM_OPTIONS.sqi);
  });
});

describe('segmentDevices', () => {
  it('cuts every device’s beats in the device’s order, device after device, and says where each device’s start', () => {
    const { allBeats, byDevice, counts } = segment([
      rec('a', 1, { 4: 2 }),
      rec('b', 0, { 1: 3 }),
      rec('a', 0, { 2: 1 }),
      rec('a', 0, { 2: 1 }),
    ]);
    expect(allBeats.map((b) => b.window[0])).toEqual([1, 2, 3]);
    expect(allBeats.map((b) => b.t)).toEqual([1_000_200, 1_001_400, 1_000_100]);
    expect([byDevice.get('a')?.firstScore, byDevice.get('b')?.firstScore]).toEqual([0, 2]);
    expect(counts.duplicates).toBe(1);
  });

  it('refuses a device memory has no room for, visibly, and drops its records', () => {
    const registry = new DeviceRegistry(spikeSegmenters, { maxDevices: 1 });
    const { allBeats, byDevice, counts } = segment([rec('a', 0, { 1: 1 }), rec('b', 0, { 1: 1 }), rec('b', 1)], registry);
    expect([...byDevice.keys()]).toEqual(['a']);
    expect([counts.refusedDevices, counts.refusedRecords, allBeats.length]).toEqual([1, 2, 1]);
  });

  it('marks the span around a clipped record as artefact and gives a device its loaded profile', () => {
    const { byDevice } = segment([rec('a', 0), rec('a', 1, { 5: MAX_ABS_MV * 2 })], undefined, new Map([['a', profile]]));
    const state = byDevice.get('a')?.state;
    expect(state?.artifact).toEqual([1_001_000 - ARTIFACT_MARGIN_MS, 1_002_000 + ARTIFACT_MARGIN_MS]);
    expect(state?.profile).toBe(profile);
  });

  it('quarantines a record the device’s stream refuses as implausible', () => {
    const { rejections, counts } = segment([rec('a', 0), rec('a', 5_000_000)]);
    expect(counts.implausibleRecords).toBe(1);
    expect(rejections.map((r) => r.reason)).toEqual([expect.stringMatching(/^implausible record: /)]);
  });
});
