import { DeviceState, type DeviceStateJson } from './device-state';
import type { PatientAdapter } from './patient-adaptation';
import type { SegmenterFactory } from './ports';

/** Options of a {@link DeviceRegistry}. */
export interface DeviceRegistryOptions {
  /**
   * Most devices kept in memory (default {@link DEFAULT_MAX_DEVICES}, the cap of a 1,769 MB
   * function; {@link maxDevicesFor} sizes it from another memory size).
   */
  readonly maxDevices?: number;
  /**
   * How long (stream-clock ms) the least recently active device must have been silent before a
   * new device may take its place when the registry is full (default {@link DEFAULT_EVICT_IDLE_MS}).
   * Until then the new device is refused (counted), so a fleet just above the cap keeps the
   * devices it has instead of restarting every device on every record.
   */
  readonly evictIdleMs?: number;
}

/**
 * Memory one device's state takes, measured with the default model (360 Hz, learned, a full
 * snippet window, the patient profile and the rhythm monitor): 106 KiB of live heap after its
 * 330 s with one lead, 137 KiB with two (`scripts/measure-device-memory.ts` prints it, on Node
 * 24), times 1.5 for garbage between collections, rounded up to a multiple of 8 KiB. (It was
 * 160 KiB, sized when two leads took 102 KiB; the state has grown since.)
 */
export const DEVICE_MEMORY_BYTES = 208 * 1024;
/** Share of the function's memory given to device state (the rest: runtime, model, a 6 MB batch, scoring). */
export const DEVICE_MEMORY_SHARE = 0.4;

/**
 * The device cap for a function of `memoryMb`: {@link DEVICE_MEMORY_SHARE} of it divided by
 * {@link DEVICE_MEMORY_BYTES}.
 *
 * @example
 * maxDevicesFor(1769) // 3_483
 */
export function maxDevicesFor(memoryMb: number): number {
  return Math.max(1, Math.floor((memoryMb * 1024 * 1024 * DEVICE_MEMORY_SHARE) / DEVICE_MEMORY_BYTES));
}

/** Default device cap: sized for the detect function's default 1,769 MB. */
export const DEFAULT_MAX_DEVICES = maxDevicesFor(1769);

/** Default idle time before a device may be evicted for a new one: five minutes without a record. */
export const DEFAULT_EVICT_IDLE_MS = 5 * 60_000;

/** Publish watermarks kept per device slot (they outlive evicted states). */
const PUBLISHED_PER_DEVICE = 8;

/** Plain-JSON form of a whole registry. */
export interface DeviceRegistryJson {
  readonly devices: readonly { id: string; state: DeviceStateJson; publishedThrough: number }[];
}

/**
 * Per-device streaming state in memory, keyed by deviceId, bounded so memory stays bounded
 * whatever the number of devices: beyond the cap, the least recently active device gives way to
 * a new one once it has been silent `evictIdleMs`, and a new device is refused until then (see
 * {@link DeviceRegistry.acquire}). Besides each device's state it keeps a publish watermark per
 * device that survives rollbacks and evictions: the `from` (device timeline) of the last alert
 * whose publication succeeded, so a retried batch re-raises a failed alert but never one that
 * went out.
 *
 * @example
 * const devices = new DeviceRegistry(model.segmenters);
 * const state = devices.get('dev-7f3a');
 */
export class DeviceRegistry {
  private readonly states = new Map<string, DeviceState>();
  private readonly published = new Map<string, number>();
  /** Stream-clock ms each device in memory was last active. */
  private readonly activeAt = new Map<string, number>();
  private readonly maxDevices: number;
  private readonly evictIdleMs: number;
  /** Devices dropped to honour the cap, since creation. */
  evictions = 0;
  /** Times a device was refused because the registry was full of active devices, since creation. */
  refusals = 0;

  constructor(
    private segmenters: SegmenterFactory,
    options: DeviceRegistryOptions = {},
    /** Restores the learners of snapshotted device states (null: no adapter learns). */
    private readonly adapter: PatientAdapter | null = null,
  ) {
    this.maxDevices = options.maxDevices ?? DEFAULT_MAX_DEVICES;
    if (!Number.isInteger(this.maxDevices) || this.maxDevices < 1)
      throw new RangeError(`maxDevices must be an integer >= 1, got ${this.maxDevices}`);
    this.evictIdleMs = options.evictIdleMs ?? DEFAULT_EVICT_IDLE_MS;
    if (!(this.evictIdleMs >= 0)) throw new RangeError(`evictIdleMs must be >= 0, got ${this.evictIdleMs}`);
  }

  /**
   * The state of a device active at `now` (stream-clock ms), or null when the registry is full
   * of devices active within `evictIdleMs`: a new device takes the place of the least recently
   * active one only once that one has been silent that long (counted in `evictions`); otherwise
   * it is refused (counted in `refusals`) and the caller drops its records, visibly. No thrash:
   * the devices in memory keep their state, and a refused device is admitted as soon as one
   * goes quiet.
   */
  acquire(deviceId: string, now: number): DeviceState | null {
    if (!this.states.has(deviceId) && !this.hasRoom(now)) {
      this.refusals++;
      return null;
    }
    const state = this.get(deviceId);
    this.activeAt.set(deviceId, Math.max(now, this.activeAt.get(deviceId) ?? -Infinity));
    return state;
  }

  /** Devices in memory. */
  get size(): number {
    return this.states.size;
  }

  /** The state of a device (created fresh if unknown), marked most recently used. */
  get(deviceId: string): DeviceState {
    let state = this.states.get(deviceId);
    if (state) {
      this.states.delete(deviceId);
    } else {
      state = new DeviceState(this.segmenters);
      this.evictIfFull();
    }
    this.states.set(deviceId, state);
    return state;
  }

  /** Whether a new device active at `now` would be admitted (room left, or a device idle long enough to give way). */
  hasRoom(now: number): boolean {
    if (this.states.size < this.maxDevices) return true;
    const oldest = this.states.keys().next().value as string;
    return now - (this.activeAt.get(oldest) ?? -Infinity) >= this.evictIdleMs;
  }

  /** Whether a device has state in memory. */
  has(deviceId: string): boolean {
    return this.states.has(deviceId);
  }

  /** A deep snapshot of a device's state, or null if it has none. */
  snapshot(deviceId: string): DeviceStateJson | null {
    const state = this.states.get(deviceId);
    return state ? state.toJSON() : null;
  }

  /** Puts a device back to a snapshot (null: forget the device, as before it was first seen). */
  restore(deviceId: string, snapshot: DeviceStateJson | null): void {
    if (snapshot === null) {
      this.states.delete(deviceId);
      this.activeAt.delete(deviceId);
      return;
    }
    if (!this.states.has(deviceId)) this.evictIfFull();
    this.states.set(deviceId, DeviceState.fromJSON(snapshot, this.segmenters, this.adapter));
  }

  /** `from` of the last published alert of a device (-Infinity if none). */
  publishedThrough(deviceId: string): number {
    return this.published.get(deviceId) ?? -Infinity;
  }

  /** Records that an alert of the device went out. */
  markPublished(deviceId: string, from: number): void {
    if (!(from > this.publishedThrough(deviceId))) return;
    this.published.delete(deviceId);
    this.published.set(deviceId, from);
    if (this.published.size > PUBLISHED_PER_DEVICE * this.maxDevices) this.published.delete(this.published.keys().next().value as string);
  }

  /**
   * Switches to another segmenter factory (a new model with a different beat window): every
   * device restarts, because windows cut for the old model mean nothing to the new one.
   */
  resetSegmenters(segmenters: SegmenterFactory): void {
    this.segmenters = segmenters;
    for (const [id, state] of this.states) {
      const fresh = new DeviceState(segmenters);
      // Keep lastSeq so duplicates stay duplicates; the next record restarts the segmenter.
      fresh.lastSeq = state.lastSeq;
      fresh.clock = state.clock;
      fresh.policy = state.policy;
      // What the device learned is not warm-up state: a model change relearns it, not a new window.
      fresh.phase = state.phase;
      fresh.modelVersion = state.modelVersion;
      fresh.learnFrom = state.learnFrom;
      fresh.learner = state.learner;
      fresh.profile = state.profile;
      fresh.second = state.second;
      this.states.set(id, fresh);
    }
  }

  /** Plain-JSON form of every device (for durable storage). */
  toJSON(): DeviceRegistryJson {
    return {
      devices: [...this.states].map(([id, state]) => ({ id, state: state.toJSON(), publishedThrough: this.publishedThrough(id) })),
    };
  }

  /** Rebuilds a registry from {@link DeviceRegistry.toJSON} output. */
  static fromJSON(
    json: DeviceRegistryJson,
    segmenters: SegmenterFactory,
    options: DeviceRegistryOptions = {},
    adapter: PatientAdapter | null = null,
  ): DeviceRegistry {
    const registry = new DeviceRegistry(segmenters, options, adapter);
    for (const { id, state, publishedThrough } of json.devices) {
      registry.restore(id, state);
      if (publishedThrough !== null && Number.isFinite(publishedThrough)) registry.markPublished(id, publishedThrough);
    }
    return registry;
  }

  private evictIfFull(): void {
    while (this.states.size >= this.maxDevices) {
      const oldest = this.states.keys().next().value as string;
      this.states.delete(oldest);
      this.activeAt.delete(oldest);
      this.evictions++;
    }
  }
}
