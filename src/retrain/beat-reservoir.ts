import type { Random } from '../nn';

/**
 * A uniform random sample of at most `capacity` beat windows out of all offered (reservoir
 * sampling, Vitter's algorithm R), stored packed in one Float32Array that grows by doubling up
 * to the capacity. The capacity can shrink later (more devices arrived): a uniform subset of a
 * uniform sample is still uniform, so the reservoir stays a fair sample of everything offered.
 *
 * @example
 * const r = new BeatReservoir(64, 2000, rng);
 * for (const beat of beats) r.offer(beat.window);
 * trainOn(r.windows(), r.count);
 */
export class BeatReservoir {
  private data: Float32Array;
  /** Windows held. */
  count = 0;
  /** Windows offered so far. */
  seen = 0;

  constructor(
    readonly width: number,
    private capacityValue: number,
    private readonly rng: Random,
  ) {
    if (!(Number.isInteger(width) && width >= 1)) throw new RangeError(`BeatReservoir: width must be an integer >= 1, got ${width}`);
    if (!(Number.isInteger(capacityValue) && capacityValue >= 0))
      throw new RangeError(`BeatReservoir: capacity must be an integer >= 0, got ${capacityValue}`);
    this.data = new Float32Array(Math.min(capacityValue, 16) * width);
  }

  /** Most windows held. */
  get capacity(): number {
    return this.capacityValue;
  }

  /** Bytes of window storage allocated. */
  get bytes(): number {
    return this.data.byteLength;
  }

  /** Offers one window (`width` values from `source[offset..]`). */
  offer(source: Float32Array, offset = 0): void {
    this.seen++;
    const w = this.width;
    let slot: number;
    if (this.count < this.capacityValue) {
      slot = this.count++;
      if (slot * w + w > this.data.length) this.grow();
    } else {
      // Item number `seen` replaces a random slot with probability capacity / seen.
      const j = this.rng.int(this.seen);
      if (j >= this.capacityValue) return;
      slot = j;
    }
    this.data.set(source.subarray(offset, offset + w), slot * w);
  }

  /** Lowers the capacity, keeping a uniform random subset of the windows held. */
  shrink(capacity: number): void {
    if (!(Number.isInteger(capacity) && capacity >= 0))
      throw new RangeError(`BeatReservoir.shrink: capacity must be an integer >= 0, got ${capacity}`);
    if (capacity >= this.capacityValue) return;
    this.capacityValue = capacity;
    const w = this.width;
    // Partial Fisher-Yates: move a random choice of `capacity` windows to the front.
    for (let i = 0; i < Math.min(capacity, this.count); i++) {
      const j = i + this.rng.int(this.count - i);
      if (j !== i) this.swap(i, j);
    }
    this.count = Math.min(this.count, capacity);
    if (this.data.length > 2 * this.count * w + 16 * w) this.data = this.data.slice(0, Math.max(this.count, 16) * w);
  }

  /** The windows held, packed [count, width] (a view: copy before offering more). */
  windows(): Float32Array {
    return this.data.subarray(0, this.count * this.width);
  }

  private grow(): void {
    const w = this.width;
    const next = new Float32Array(Math.min(this.capacityValue, Math.max(16, (this.data.length / w) * 2)) * w);
    next.set(this.data);
    this.data = next;
  }

  private swap(i: number, j: number): void {
    const w = this.width;
    const d = this.data;
    for (let k = 0; k < w; k++) {
      const t = d[i * w + k];
      d[i * w + k] = d[j * w + k];
      d[j * w + k] = t;
    }
  }
}
