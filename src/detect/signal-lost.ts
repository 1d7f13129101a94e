/**
 * `signal-lost` (docs/ARCHITECTURE.md §3.3): a device that sent and then sends nothing raises a
 * technical alert within the deadline, and clears it when data returns.
 *
 * Lambda is not invoked when no records arrive, so two checkers share one persisted state (a
 * {@link PresenceStore}: the alert state table in AWS and in the local stack, memory in tests and
 * the evaluation):
 * - the detector ({@link SignalLostMonitor}), after every batch: it knows the exact arrival of
 *   its devices' records and catches a silent device while other devices of its shard are active;
 * - the sweep ({@link sweepSilentDevices}), on a schedule: it reads the persisted last arrivals and
 *   catches devices of shards that went quiet altogether, and devices whose environment is gone.
 *
 * Neither can double the other's alert: an episode is opened by a conditional write
 * ({@link PresenceStore.openLost}) that only one caller wins, and only the winner publishes the
 * onset; the offset is published by whoever sees the device's next record, with the id of the
 * episode the store holds.
 */
import type { SignalLostTiming } from '../contract';
import { toEpisodeMessage } from './alert-message';
import type { DevicePhase } from './patient-adaptation';
import type { AnyAlertMessage, EpisodeAlertMessage, SnoozeSource } from './ports';

/** An open `signal-lost` episode: since when (the device's last known arrival), and whether its onset was silenced by a snooze. */
export interface LostEpisode {
  readonly from: number;
  /** A snoozed device's episode: its onset was not sent, so neither is its offset. */
  readonly silenced: boolean;
}

/** What a sweep reads: each device without an open episode, and the detector's latest write. */
export interface LastArrivals {
  readonly open: { readonly deviceId: string; readonly arrivedAt: number }[];
  /** The write with the latest wall-clock time, of any device (null: none recorded one). */
  readonly latest: { readonly arrivedAt: number; readonly writtenAt: number } | null;
}

/** What the detector records about a device after a batch. */
export interface Sighting {
  /** Arrival (epoch ms, the stream's approximate arrival time) of the device's latest record. */
  readonly arrivedAt: number;
  /** Device-clock time of its latest scored beat and its learning phase (the console shows them). */
  readonly lastBeat?: { readonly t: number; readonly phase: DevicePhase };
  /**
   * Wall-clock time of the write (set by the monitor): with `arrivedAt` it tells a sweep how far
   * behind the stream the detector is.
   */
  readonly writtenAt?: number;
}

/** Persisted per-device presence: last arrival and the open `signal-lost` episode, if any. */
export interface PresenceStore {
  /**
   * Records a device's latest arrival (never moved back) and returns the open episode, if any,
   * which the caller then ends ({@link PresenceStore.closeLost}) once its offset is out.
   */
  arrived(deviceId: string, sighting: Sighting): Promise<LostEpisode | null>;
  /** Every device's recorded arrival (those with no open episode), and the latest write of all. */
  lastArrivals(): Promise<LastArrivals>;
  /**
   * Opens the device's episode unless one is open or a later arrival than `episode.from` is
   * recorded: true only for the one caller that opened it (a conditional write in DynamoDB).
   */
  openLost(deviceId: string, episode: LostEpisode): Promise<boolean>;
  /** Ends the episode that began at `from` (its offset went out, or its onset could not be sent); no-op otherwise. */
  closeLost(deviceId: string, from: number): Promise<void>;
}

/** Devices a {@link MemoryPresenceStore} or a {@link SignalLostMonitor} remembers (about 100 bytes each); the silent longest are forgotten first. */
export const MAX_PRESENCE_DEVICES = 100_000;

/**
 * A {@link PresenceStore} in memory: one process's view (the detector's default, the evaluation
 * and tests). Bounded to {@link MAX_PRESENCE_DEVICES}.
 *
 * @example
 * const presence = new MemoryPresenceStore();
 * const detector = new Detector(sinks, decodeRecord, { presence });
 */
export class MemoryPresenceStore implements PresenceStore {
  private readonly devices = new Map<string, { arrivedAt: number; writtenAt: number | null; lost: LostEpisode | null }>();

  async arrived(deviceId: string, sighting: Sighting): Promise<LostEpisode | null> {
    const d = this.devices.get(deviceId);
    if (d && d.arrivedAt >= sighting.arrivedAt) return d.lost;
    this.devices.delete(deviceId);
    this.devices.set(deviceId, { arrivedAt: sighting.arrivedAt, writtenAt: sighting.writtenAt ?? null, lost: d?.lost ?? null });
    while (this.devices.size > MAX_PRESENCE_DEVICES) this.devices.delete(this.devices.keys().next().value as string);
    return d?.lost ?? null;
  }

  async lastArrivals(): Promise<LastArrivals> {
    let latest: LastArrivals['latest'] = null;
    const open: { deviceId: string; arrivedAt: number }[] = [];
    for (const [deviceId, d] of this.devices) {
      if (d.writtenAt !== null && d.writtenAt > (latest?.writtenAt ?? -Infinity))
        latest = { arrivedAt: d.arrivedAt, writtenAt: d.writtenAt };
      if (d.lost === null) open.push({ deviceId, arrivedAt: d.arrivedAt });
    }
    return { open, latest };
  }

  async openLost(deviceId: string, episode: LostEpisode): Promise<boolean> {
    const d = this.devices.get(deviceId);
    if (!d || d.lost !== null || d.arrivedAt > episode.from) return false;
    d.lost = episode;
    return true;
  }

  async closeLost(deviceId: string, from: number): Promise<void> {
    const d = this.devices.get(deviceId);
    if (d?.lost?.from === from) d.lost = null;
  }
}

/** What declaring and clearing `signal-lost` needs. */
export interface SignalLostDeps {
  readonly presence: PresenceStore;
  readonly publish: (message: AnyAlertMessage) => Promise<void>;
  /** Snoozes: `signal-lost` is a warning, so a snoozed device's is silenced (and so is its offset). A failed read silences nothing. */
  readonly snoozes?: SnoozeSource;
  /** Wall clock the snoozes are compared with (default `Date.now`). */
  readonly now?: () => number;
}

/** Result of a sweep or a check: alerts sent, episodes opened silently (snoozed), claims lost to another checker. */
export interface SweepResult {
  readonly raised: EpisodeAlertMessage[];
  readonly silenced: number;
  /** Devices another checker (or a later record) got to first. */
  readonly taken: number;
  /** Devices whose onset could not be published: their episode was reopened for the next check. */
  readonly failed: string[];
}

/**
 * The time a sweep measures silence to: the wall clock, less how far the detector is behind the
 * stream. The persisted arrivals are the detector's view of the stream; after an outage, or in a
 * burst, it processes records minutes after they arrived, and without this a backlog would read
 * as every device falling silent. The lag is that of the latest write (wall clock of the write
 * less the arrival it recorded), trusted while that write is recent (within a write interval:
 * the detector is at work); once nothing has been written for longer, the fleet went quiet or
 * detection stopped, and silence is measured to the wall clock, so every device is declared.
 *
 * @example
 * sweepReference(100_000, { arrivedAt: 59_000, writtenAt: 99_000 }, signalLostTiming()) // 60000: 40 s behind
 */
export function sweepReference(now: number, latest: LastArrivals['latest'], timing: SignalLostTiming): number {
  if (latest === null || now - latest.writtenAt >= timing.writeEveryMs) return now;
  return now - Math.max(0, latest.writtenAt - latest.arrivedAt);
}

/**
 * One sweep over the persisted last arrivals: every device silent for `timing.lostAfterMs` (to
 * {@link sweepReference}) with no open episode gets its `signal-lost` onset, unless another
 * checker opens it first. A publish that fails reopens the way for the next sweep. Runs in the
 * sweep function (AWS), on a timer in the local stack, and in `eval noise`.
 *
 * @example
 * const { raised } = await sweepSilentDevices({ presence: store, publish }, Date.now(), signalLostTiming());
 */
export async function sweepSilentDevices(deps: SignalLostDeps, now: number, timing: SignalLostTiming): Promise<SweepResult> {
  const { open, latest } = await deps.presence.lastArrivals();
  const reference = sweepReference(now, latest, timing);
  return declareLost(
    deps,
    open.filter((d) => reference - d.arrivedAt >= timing.lostAfterMs).map((d) => ({ deviceId: d.deviceId, from: d.arrivedAt })),
    now,
  );
}

/** Opens and announces the episodes of `due` (one conditional write each; the winners publish). */
async function declareLost(deps: SignalLostDeps, due: { deviceId: string; from: number }[], now: number): Promise<SweepResult> {
  const raised: EpisodeAlertMessage[] = [];
  const failed: string[] = [];
  let silenced = 0;
  let taken = 0;
  if (due.length === 0) return { raised, silenced, taken, failed };
  let snoozed: ReadonlyMap<string, number> = new Map();
  try {
    snoozed = deps.snoozes ? await deps.snoozes.snoozedUntil(due.map((d) => d.deviceId)) : snoozed;
  } catch {
    // Fail towards alerting: a snooze that cannot be read silences nothing.
  }
  const wall = (deps.now ?? Date.now)();
  for (const { deviceId, from } of due) {
    const quiet = (snoozed.get(deviceId) ?? 0) > wall;
    if (!(await deps.presence.openLost(deviceId, { from, silenced: quiet }))) {
      taken++;
      continue;
    }
    if (quiet) {
      silenced++;
      continue;
    }
    const message = toEpisodeMessage(
      deviceId,
      { kind: 'technical', label: 'signal-lost', phase: 'onset', severity: 'warning', start: from, at: now },
      null,
    );
    try {
      await deps.publish(message);
      raised.push(message);
    } catch {
      failed.push(deviceId);
      await deps.presence.closeLost(deviceId, from).catch(() => undefined); // the next check tries again
    }
  }
  return { raised, silenced, taken, failed };
}

/** What a batch tells the monitor about one device. */
export interface DeviceArrival {
  readonly deviceId: string;
  readonly sighting: Sighting;
}

/** What the monitor did after a batch. */
export interface ArrivalResult {
  /** Offsets of episodes that the devices' return ended, and onsets of devices found silent. */
  readonly alerts: EpisodeAlertMessage[];
  /** Persisted sightings written, and writes that failed (retried at the next batch; never fail a batch). */
  readonly writes: number;
  readonly writeFailures: number;
}

/**
 * The detector's side of `signal-lost`: after each batch it records its devices' arrivals (in the
 * store, at most once per `timing.writeEveryMs` per device, or at once while an episode may be
 * open), publishes the offset of an episode a device's return ends, and checks the devices it
 * knows for silence at the batch's latest arrival.
 *
 * @example
 * const monitor = new SignalLostMonitor({ presence, publish: sinks.publishAlert }, signalLostTiming());
 * const { alerts } = await monitor.afterBatch(arrivals, latestArrival);
 */
export class SignalLostMonitor {
  /** Per device: exact latest arrival, the arrival last persisted, the phase last persisted, whether an episode may be open. */
  private readonly devices = new Map<string, { at: number; written: number; phase: DevicePhase | null; lost: boolean }>();

  constructor(
    private readonly deps: SignalLostDeps,
    readonly timing: SignalLostTiming,
  ) {}

  /** Records the batch's arrivals, ends episodes they end, then checks for silence at `now`. */
  async afterBatch(arrivals: readonly DeviceArrival[], now: number): Promise<ArrivalResult> {
    const alerts: EpisodeAlertMessage[] = [];
    let writes = 0;
    let writeFailures = 0;
    for (const { deviceId, sighting } of arrivals) {
      const known = this.devices.get(deviceId);
      const at = Math.max(sighting.arrivedAt, known?.at ?? -Infinity);
      const entry = { at, written: known?.written ?? -Infinity, phase: known?.phase ?? null, lost: known?.lost ?? true };
      // First sight here (the store may hold an episode another checker opened), a possible
      // episode, a stale persisted arrival, or a new phase: write. Otherwise nothing to pay for.
      const due =
        known === undefined ||
        entry.lost ||
        at - entry.written >= this.timing.writeEveryMs ||
        (sighting.lastBeat !== undefined && sighting.lastBeat.phase !== entry.phase);
      if (due) {
        try {
          const episode = await this.deps.presence.arrived(deviceId, {
            ...sighting,
            arrivedAt: at,
            writtenAt: (this.deps.now ?? Date.now)(),
          });
          writes++;
          entry.written = at;
          if (sighting.lastBeat) entry.phase = sighting.lastBeat.phase;
          entry.lost = episode !== null && !(await this.endEpisode(deviceId, episode, at, alerts));
        } catch {
          writeFailures++;
        }
      }
      this.devices.delete(deviceId);
      this.devices.set(deviceId, entry);
    }
    while (this.devices.size > MAX_PRESENCE_DEVICES) this.devices.delete(this.devices.keys().next().value as string);
    alerts.push(...(await this.check(now)).raised);
    return { alerts, writes, writeFailures };
  }

  /**
   * The in-batch check: the devices this detector knows that have been silent for
   * `timing.lostAfterMs` by `now` (exact arrivals) and have no episode yet.
   */
  async check(now: number): Promise<SweepResult> {
    const due: { deviceId: string; from: number }[] = [];
    for (const [deviceId, d] of this.devices) if (!d.lost && now - d.at >= this.timing.lostAfterMs) due.push({ deviceId, from: d.at });
    const result = await declareLost(this.deps, due, now);
    // Opened here or elsewhere, or a later arrival recorded elsewhere: either way the next record
    // of the device is written at once, and the store says which episode it ends. A device whose
    // onset could not be sent stays due (its episode was reopened).
    const retry = new Set(result.failed);
    for (const { deviceId } of due) if (!retry.has(deviceId)) (this.devices.get(deviceId) as { lost: boolean }).lost = true;
    return result;
  }

  /** Publishes an episode's offset (unless silenced) and ends it; false when the publish failed (tried again at the next record). */
  private async endEpisode(deviceId: string, episode: LostEpisode, at: number, alerts: EpisodeAlertMessage[]): Promise<boolean> {
    if (!episode.silenced) {
      const message = toEpisodeMessage(
        deviceId,
        { kind: 'technical', label: 'signal-lost', phase: 'offset', severity: 'warning', start: episode.from, at },
        null,
      );
      try {
        await this.deps.publish(message);
      } catch {
        return false;
      }
      alerts.push(message);
    }
    await this.deps.presence.closeLost(deviceId, episode.from);
    return true;
  }
}
