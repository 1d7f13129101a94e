/**
 * Wait between polls of an idle shard: starts at `minMs` and doubles per empty poll up to
 * `maxMs`; data resets it. Every GetRecords costs kinesis-local real CPU (tens of ms on a busy
 * machine), so idle shards polled at a fixed fast rate would starve the producers; Lambda itself
 * polls an idle shard about once a second.
 *
 * @example
 * const idle = new IdleBackoff(100, 1000);
 * if (records.length === 0) await sleep(idle.next()); else idle.reset();
 */
export class IdleBackoff {
  private current: number;

  constructor(
    private readonly minMs: number,
    private readonly maxMs: number,
  ) {
    if (!(minMs >= 0) || !(maxMs >= minMs)) throw new RangeError(`idle poll bounds must satisfy 0 <= min <= max, got ${minMs}, ${maxMs}`);
    this.current = minMs;
  }

  /** The wait before the next poll after an empty one. */
  next(): number {
    const wait = this.current;
    this.current = Math.min(this.maxMs, Math.max(1, this.current * 2));
    return wait;
  }

  /** Records arrived: poll fast again. */
  reset(): void {
    this.current = this.minMs;
  }
}
