/**
 * A wall-time budget on a monotonic clock (default `performance.now`, immune to wall-clock
 * steps): the run's deadline and its parts.
 *
 * @example
 * const budget = new TimeBudget(20_000);
 * if (budget.remainingMs() < reserveMs) skipTraining();
 */
export class TimeBudget {
  readonly startedAt: number;

  constructor(
    readonly totalMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.startedAt = now();
  }

  /** Milliseconds since the start. */
  elapsedMs(): number {
    return this.now() - this.startedAt;
  }

  /** Milliseconds left until the deadline (negative once past it). */
  remainingMs(): number {
    return this.totalMs - this.elapsedMs();
  }

  /** Whether `share` (0..1) of the budget has been used. */
  used(share: number): boolean {
    return this.elapsedMs() >= share * this.totalMs;
  }
}
