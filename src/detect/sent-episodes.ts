/**
 * The episode alert ids a detector environment has published, per device: a rollback replays a
 * device's records and raises the same (deterministic) ids, which are then not sent again, as
 * beat alerts are not. Bounded: the last few ids per device, the least recently active devices
 * forgotten first.
 */

/** Devices whose published episode alert ids are remembered (the least recently active forgotten first). */
export const MAX_EPISODE_DEVICES = 100_000;

/** Episode alert ids remembered per device against re-sending after a rollback. */
export const EPISODES_REMEMBERED = 16;

/**
 * Published episode alert ids, per device.
 *
 * @example
 * const sent = new SentEpisodes();
 * if (!sent.has('dev-1', message.id)) {
 *   await publish(message);
 *   sent.add('dev-1', message.id);
 * }
 */
export class SentEpisodes {
  private readonly byDevice = new Map<string, string[]>();

  constructor(
    private readonly perDevice = EPISODES_REMEMBERED,
    private readonly maxDevices = MAX_EPISODE_DEVICES,
  ) {}

  /** Whether the episode alert `id` of a device was published. */
  has(deviceId: string, id: string): boolean {
    return this.byDevice.get(deviceId)?.includes(id) ?? false;
  }

  /** Remembers a published episode alert; the device becomes the most recently active. */
  add(deviceId: string, id: string): void {
    const ids = this.byDevice.get(deviceId) ?? [];
    ids.push(id);
    if (ids.length > this.perDevice) ids.splice(0, ids.length - this.perDevice);
    this.byDevice.delete(deviceId);
    this.byDevice.set(deviceId, ids);
    while (this.byDevice.size > this.maxDevices) this.byDevice.delete(this.byDevice.keys().next().value as string);
  }
}
