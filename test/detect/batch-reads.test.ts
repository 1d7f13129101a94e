import { describe, expect, it } from 'vitest';
import { loadProfiles, loadSettings } from '../../src/detect/batch-reads';
import { emptyCounts } from '../../src/detect/batch-result';
import { newDeviceWork, type DeviceWork } from '../../src/detect/device-work';
import type { ProfileStore } from '../../src/detect/patient-adaptation';
import type { SnoozeSource } from '../../src/detect/ports';
import { stubProfile } from './fakes';

const profile = stubProfile();

function devices(...ids: string[]): Map<string, DeviceWork> {
  return new Map(
    ids.map((id) => {
      const w = newDeviceWork(id);
      w.records.push({
        id: `${id}-r`,
        record: { deviceId: id, seq: 0, t0: 0, fs: 10, samples: new Float32Array(1) },
        item: { id: `${id}-r`, data: new Uint8Array(), arrivedAt: 1 },
      });
      return [id, w];
    }),
  );
}

describe('loadProfiles', () => {
  it('reads the profiles of devices new here with room for them; a failed read fails the device', async () => {
    const read: string[] = [];
    const store: ProfileStore = {
      load: async (id) => {
        read.push(id);
        if (id === 'broken') throw new Error('S3 down');
        return id === 'known' ? profile : null;
      },
      save: async () => undefined,
    };
    const byDevice = devices('held', 'known', 'unknown', 'broken');
    const failed = new Set<string>();
    const counts = emptyCounts(4);
    const registry = { has: (id: string) => id === 'held', hasRoom: () => true };
    const loaded = await loadProfiles({ store, learns: true, devices: registry }, byDevice, failed, counts);
    expect(read).toEqual(['known', 'unknown', 'broken']);
    expect([...loaded]).toEqual([['known', profile]]);
    expect([counts.profileLoads, counts.profilesFound, counts.profileFailures]).toEqual([3, 1, 1]);
    expect([...failed]).toEqual(['broken-r']);
    expect([...byDevice.keys()]).toEqual(['held', 'known', 'unknown']);
  });

  it('reads nothing without a store, for an adapter that does not learn, or for devices memory has no room for', async () => {
    const store: ProfileStore = { load: async () => profile, save: async () => undefined };
    const counts = emptyCounts(1);
    const room = { has: () => false, hasRoom: () => true };
    expect((await loadProfiles({ store: undefined, learns: true, devices: room }, devices('a'), new Set(), counts)).size).toBe(0);
    expect((await loadProfiles({ store, learns: false, devices: room }, devices('a'), new Set(), counts)).size).toBe(0);
    expect(
      (await loadProfiles({ store, learns: true, devices: { ...room, hasRoom: () => false } }, devices('a'), new Set(), counts)).size,
    ).toBe(0);
    expect(counts.profileLoads).toBe(0);
  });
});

describe('loadSettings', () => {
  it('reads settings in one read when the source can, else the snoozes alone', async () => {
    const both: SnoozeSource = {
      snoozedUntil: async () => new Map([['a', 5]]),
      deviceSettings: async () => new Map([['a', { snoozedUntil: 7, threshold: 1.4 }]]),
    };
    expect(await loadSettings(both, devices('a'))).toEqual(new Map([['a', { snoozedUntil: 7, threshold: 1.4 }]]));
    const snoozes: SnoozeSource = { snoozedUntil: async (ids) => new Map(ids.map((id) => [id, 5])) };
    expect(await loadSettings(snoozes, devices('a', 'b'))).toEqual(
      new Map([
        ['a', { snoozedUntil: 5 }],
        ['b', { snoozedUntil: 5 }],
      ]),
    );
  });

  it('snoozes nothing when the read fails (better an alert too many than one silenced)', async () => {
    const down: SnoozeSource = {
      snoozedUntil: async () => {
        throw new Error('DynamoDB down');
      },
    };
    expect(await loadSettings(down, devices('a'))).toEqual(new Map());
    expect(await loadSettings(undefined, devices('a'))).toEqual(new Map());
  });
});
