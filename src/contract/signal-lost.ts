/**
 * The timing of `signal-lost` (docs/ARCHITECTURE.md §3.3): what the detect function, the sweep
 * function and the stack agree on. A device that sent and then sends nothing has its
 * `signal-lost` alert out within the deadline (`SIGNAL_LOST_SECONDS`, default 60 s).
 *
 * Two things stand between the last record and the alert: how often somebody looks (the
 * detector at every batch of its shard, the sweep every `checkSeconds`), and how stale the
 * persisted last arrival is (it is written at most every `writeEveryMs`, not per record, because
 * each write costs money). A device is therefore declared lost once it has been silent for
 * `deadline - check` by the arrival its checker knows of: the sweep, which sees the persisted
 * arrival, then declares it between `deadline - check - write` and `deadline` seconds after the
 * real last record (defaults: 30 to 60 s); the detector, which sees exact arrival times,
 * between `deadline - check` and that plus one batch.
 */

/** Default deadline from a device's last record to its `signal-lost` alert, seconds. */
export const DEFAULT_SIGNAL_LOST_SECONDS = 60;

/**
 * Default seconds between two sweeps: the stack's sweep function runs every minute (EventBridge's
 * finest schedule) and sweeps every this many seconds within that minute.
 */
export const DEFAULT_SIGNAL_LOST_CHECK_SECONDS = 10;

/**
 * Period of the sweep function's schedule, seconds: EventBridge's finest (`rate(1 minute)`). Each
 * run sweeps every `checkSeconds` until the next run is due.
 */
export const SWEEP_SCHEDULE_SECONDS = 60;

/**
 * Longest time a device's persisted last arrival may lag its real one, seconds: the detector
 * writes it again once it moved by this much (one conditional update per device per 20 s of
 * streaming, not one per record or batch). Shorter means a tighter lower bound on the silence
 * that raises `signal-lost`, and proportionally more writes (README, cost per patient-month).
 */
export const PRESENCE_WRITE_SECONDS = 20;

/** The timing both checkers use (milliseconds). */
export interface SignalLostTiming {
  /** Deadline from the last record to the alert. */
  readonly deadlineMs: number;
  /** Between two sweeps. */
  readonly checkEveryMs: number;
  /** Silence (by the arrival the checker knows) after which a device is declared lost. */
  readonly lostAfterMs: number;
  /** The persisted last arrival is rewritten once the real one moved this far. */
  readonly writeEveryMs: number;
}

/**
 * The timing for a deadline and a sweep period; throws a `RangeError` when the sweep is not
 * shorter than the deadline. The write interval is at most half the declare threshold, so a
 * device that keeps sending is never declared lost for want of a write.
 *
 * @example
 * signalLostTiming(60, 10) // { deadlineMs: 60000, checkEveryMs: 10000, lostAfterMs: 50000, writeEveryMs: 20000 }
 */
export function signalLostTiming(
  deadlineSeconds = DEFAULT_SIGNAL_LOST_SECONDS,
  checkSeconds = DEFAULT_SIGNAL_LOST_CHECK_SECONDS,
): SignalLostTiming {
  if (!(deadlineSeconds > 0) || !Number.isFinite(deadlineSeconds))
    throw new RangeError(`signal-lost deadline must be a finite number of seconds > 0, got ${deadlineSeconds}`);
  if (!(checkSeconds > 0) || !(checkSeconds < deadlineSeconds))
    throw new RangeError(`signal-lost check period must be > 0 and below the deadline (${deadlineSeconds} s), got ${checkSeconds}`);
  const lostAfterMs = (deadlineSeconds - checkSeconds) * 1000;
  return {
    deadlineMs: deadlineSeconds * 1000,
    checkEveryMs: checkSeconds * 1000,
    lostAfterMs,
    writeEveryMs: Math.min(PRESENCE_WRITE_SECONDS * 1000, lostAfterMs / 2),
  };
}
