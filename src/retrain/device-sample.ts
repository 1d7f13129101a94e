/**
 * A seeded bottom-k sample of device ids: the `capacity` devices whose hash is smallest. It
 * bounds how many devices a retraining holds state for, whatever the fleet size, without
 * remembering the devices it turned away: the admission bar only drops, so a device refused or
 * evicted once is refused for the rest of the run.
 *
 * @example
 * const sample = new DeviceSample(1000, seed);
 * const { admitted, evicted } = sample.admit(record.deviceId);
 */
export class DeviceSample {
  private readonly hashes = new Map<string, number>();
  private maxId: string | null = null;
  private maxHash = -1;

  constructor(
    readonly capacity: number,
    private readonly seed: number,
  ) {
    if (!(Number.isInteger(capacity) && capacity >= 1))
      throw new RangeError(`DeviceSample: capacity must be an integer >= 1, got ${capacity}`);
  }

  /** Devices currently admitted. */
  get size(): number {
    return this.hashes.size;
  }

  /** Whether `deviceId` is admitted now. */
  has(deviceId: string): boolean {
    return this.hashes.has(deviceId);
  }

  /**
   * Admits a device if it is already in, there is room, or its hash beats the largest admitted
   * one (which is then evicted and returned).
   */
  admit(deviceId: string): { admitted: boolean; evicted?: string } {
    if (this.hashes.has(deviceId)) return { admitted: true };
    const h = deviceHash(deviceId, this.seed);
    if (this.hashes.size < this.capacity) {
      this.hashes.set(deviceId, h);
      if (h > this.maxHash) {
        this.maxHash = h;
        this.maxId = deviceId;
      }
      return { admitted: true };
    }
    if (h >= this.maxHash) return { admitted: false };
    const evicted = this.maxId as string;
    this.hashes.delete(evicted);
    this.hashes.set(deviceId, h);
    this.maxHash = -1;
    for (const [id, v] of this.hashes) {
      if (v > this.maxHash) {
        this.maxHash = v;
        this.maxId = id;
      }
    }
    return { admitted: true, evicted };
  }
}

/** 32-bit FNV-1a of the id's UTF-16 code units, seeded and finalised with a murmur3 mix. */
export function deviceHash(deviceId: string, seed: number): number {
  let h = (0x811c9dc5 ^ Math.imul(seed | 0, 0x9e3779b1)) >>> 0;
  for (let i = 0; i < deviceId.length; i++) {
    h ^= deviceId.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
