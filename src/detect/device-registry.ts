import { DeviceState, type DeviceStateJson } from './device-state';
import type { PatientAdapter } from './patient-adaptation';
import type { SegmenterFactory } from './ports';

/** Options of a {@link DeviceRegistry}. */
export interface DeviceRegistryOptions {
  /**
   * Most devices kept in memory (default {@link DEFAULT_MAX_DEVICES}). Beyond it the least
   * recently seen device is dropped; if it comes back it pays one warm-up (a counted restart).
   */
  readonly maxDevices?: number;
}

/**
 * Default device cap: 10,000 devices of a few KB each (segmenter buffers plus the last beats)
 * is some tens of MB, well inside a 1 GB Lambda, and far more devices than one shard carries.
 */
export const DEFAULT_MAX_DEVICES = 10_000;

/** Plain-JSON form of a whole registry. */
export interface DeviceRegistryJson {
  readonly devices: readonly { id: string; state: DeviceStateJson; publishedThrough: number }[];
}

/**
 * Per-device streaming state in memory, keyed by deviceId, least-recently-used first out so
 * memory stays bounded whatever the number of devices. Besides each device's state it keeps a
 * publish watermark per device that survives rollbacks: the `from` of the last alert whose
 * publication succeeded, so a retried batch re-raises a failed alert but never one that went out.
 *
 * @example
 * const devices = new DeviceRegistry(model.segmenters);
 * const state = devices.get('dev-7f3a');
 */
export class DeviceRegistry {
  private readonly states = new Map<string, DeviceState>();
  private readonly published = new Map<string, number>();
  private readonly maxDevices: number;
  /** Devices dropped to honour the cap, since creation. */
  evictions = 0;

  constructor(
    private segmenters: SegmenterFactory,
    options: DeviceRegistryOptions = {},
    /** Restores the learners of snapshotted device states (null: no adapter learns). */
    private readonly adapter: PatientAdapter | null = null,
  ) {
    this.maxDevices = options.maxDevices ?? DEFAULT_MAX_DEVICES;
    if (!Number.isInteger(this.maxDevices) || this.maxDevices < 1)
      throw new RangeError(`maxDevices must be an integer >= 1, got ${this.maxDevices}`);
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
    if (from > this.publishedThrough(deviceId)) this.published.set(deviceId, from);
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
      fresh.policy = state.policy;
      // What the device learned is not warm-up state: a model change relearns it, not a new window.
      fresh.phase = state.phase;
      fresh.modelVersion = state.modelVersion;
      fresh.learnFrom = state.learnFrom;
      fresh.learner = state.learner;
      fresh.profile = state.profile;
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
      this.published.delete(oldest);
      this.evictions++;
    }
  }
}
