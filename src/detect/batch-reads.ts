/**
 * What a batch reads before it runs, in parallel: the learned profiles of devices new to this
 * environment (cold start, eviction, another container) and the devices' settings (snoozes,
 * label thresholds). A failed profile read fails the device's records (retried later) rather
 * than silently starting a new learning period; a failed settings read snoozes nothing.
 */
import type { BatchCounts } from './batch-result';
import type { DeviceRegistry } from './device-registry';
import { latestArrival, type DeviceWork } from './device-work';
import type { DeviceProfile, ProfileStore } from './patient-adaptation';
import type { DeviceSettings, SnoozeSource } from './ports';

/** Where {@link loadProfiles} reads: the store (none: nothing to load), whether the adapter learns, and the devices this environment holds. */
export interface ProfileSource {
  readonly store: ProfileStore | undefined;
  /** The adapter learns profiles (otherwise there is nothing to load). */
  readonly learns: boolean;
  readonly devices: Pick<DeviceRegistry, 'has' | 'hasRoom'>;
}

/**
 * Loads the profiles of the batch's devices that have no state here, in parallel. A device whose
 * load fails is removed from `byDevice` and its records added to `failed`.
 *
 * @example
 * const loaded = await loadProfiles({ store, learns: true, devices }, byDevice, failed, counts);
 */
export async function loadProfiles(
  source: ProfileSource,
  byDevice: Map<string, DeviceWork>,
  failed: Set<string>,
  counts: Pick<BatchCounts, 'profileLoads' | 'profilesFound' | 'profileFailures'>,
): Promise<Map<string, DeviceProfile>> {
  const loaded = new Map<string, DeviceProfile>();
  const { store, devices } = source;
  if (!store || !source.learns) return loaded;
  // A device memory has no room for is refused right after: no need to read its profile.
  const fresh = [...byDevice.values()].filter((w) => !devices.has(w.deviceId) && devices.hasRoom(latestArrival(w))).map((w) => w.deviceId);
  counts.profileLoads += fresh.length;
  await Promise.all(
    fresh.map(async (id) => {
      try {
        const profile = await store.load(id);
        if (profile !== null) {
          loaded.set(id, profile);
          counts.profilesFound++;
        }
      } catch {
        counts.profileFailures++;
        for (const r of (byDevice.get(id) as DeviceWork).records) failed.add(r.id);
        byDevice.delete(id);
      }
    }),
  );
  return loaded;
}

/**
 * Snoozes and label thresholds of the batch's devices. A failed read snoozes none (fail towards
 * alerting) and leaves each device the label threshold of its profile.
 *
 * @example
 * const settings = await loadSettings(snoozes, byDevice); // settings.get('dev-1')?.snoozedUntil
 */
export async function loadSettings(
  source: SnoozeSource | undefined,
  byDevice: ReadonlyMap<string, unknown>,
): Promise<ReadonlyMap<string, DeviceSettings>> {
  if (!source || byDevice.size === 0) return new Map();
  const ids = [...byDevice.keys()];
  try {
    if (source.deviceSettings) return await source.deviceSettings(ids);
    return new Map([...(await source.snoozedUntil(ids))].map(([id, until]) => [id, { snoozedUntil: until }]));
  } catch {
    return new Map();
  }
}
