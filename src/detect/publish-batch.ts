/**
 * Step 5 of a batch, the side effects, per device in order and devices in parallel: a profile
 * learned or updated first (an alert scored against it must not go out before it is safe),
 * then each beat alert's snippet, alert state and SNS message, then its episode alerts. Any
 * failure rolls the device back to its snapshot and fails its records, so the retry replays the
 * same samples into the same state and raises the same ids; alerts that already went out are
 * not sent twice (the registry's publish watermark, the sent episode ids).
 */
import { toEpisodeMessage } from './alert-message';
import type { BatchCounts } from './batch-result';
import type { DeviceRegistry } from './device-registry';
import type { DeviceWork } from './device-work';
import type { ProfileStore } from './patient-adaptation';
import type { AlertMessage, DetectSinks, EpisodeAlertMessage } from './ports';
import type { SentEpisodes } from './sent-episodes';

/** What {@link publishBatch} works with. */
export interface PublishContext {
  readonly devices: DeviceRegistry;
  readonly sinks: DetectSinks;
  /** Where learned profiles are saved (none: not saved). */
  readonly profiles: ProfileStore | undefined;
  readonly sentEpisodes: SentEpisodes;
  /** Records an episode alert in the alert state store, then publishes it. */
  readonly publishEpisode: (message: EpisodeAlertMessage) => Promise<void>;
  readonly modelVersion: string;
  /** Epoch ms until which each device is snoozed. */
  readonly snoozed: ReadonlyMap<string, number>;
  /** Wall clock of the batch, for snoozes. */
  readonly now: number;
  readonly counts: BatchCounts;
  /** Ids of the batch's failed records: a rolled-back device's records are added. */
  readonly failed: Set<string>;
}

/** What the side effects of a batch did. */
export interface Published {
  readonly alerts: AlertMessage[];
  readonly episodes: EpisodeAlertMessage[];
  /** Devices rolled back to their snapshot (their records failed). */
  readonly rolledBack: Set<string>;
}

/**
 * Performs the side effects of the batch's devices, in parallel across devices.
 *
 * @example
 * const { alerts, episodes, rolledBack } = await publishBatch(context, [...byDevice.values()]);
 */
export async function publishBatch(context: PublishContext, works: readonly DeviceWork[]): Promise<Published> {
  const out: Published = { alerts: [], episodes: [], rolledBack: new Set() };
  await Promise.all(works.map((work) => publishDevice(context, work, out)));
  return out;
}

/** One device's side effects, in order; the first failure rolls it back and stops. */
async function publishDevice(context: PublishContext, work: DeviceWork, out: Published): Promise<void> {
  const { devices, sinks, counts } = context;
  const rollBack = () => {
    devices.restore(work.deviceId, work.snapshot);
    out.rolledBack.add(work.deviceId);
    for (const r of work.records) context.failed.add(r.id);
  };
  // The profile first: an alert scored against it must not go out before it is safe.
  const save = work.learned ?? work.updated;
  if (save !== null && context.profiles) {
    try {
      await context.profiles.save(work.deviceId, save);
      counts.profileSaves++;
    } catch {
      counts.profileFailures++;
      rollBack();
      return;
    }
  }
  for (const { decision, message, snippet } of work.decisions) {
    if (decision.from <= devices.publishedThrough(work.deviceId)) {
      // Went out before a rollback (or a redrive): counted, never sent twice.
      counts.alreadyPublished++;
      continue;
    }
    try {
      await sinks.putSnippet(message.snippetKey, snippet);
      await sinks.recordAlert?.(message, snippet);
      await sinks.publishAlert(message);
    } catch {
      counts.failedAlerts++;
      rollBack();
      return;
    }
    devices.markPublished(work.deviceId, decision.from);
    out.alerts.push(message);
  }
  // Episode alerts: no snippet; a failure rolls the device back like a beat alert's, and
  // the replay raises the same ids (a subscriber may see one twice, never none).
  const snoozedDevice = (context.snoozed.get(work.deviceId) ?? 0) > context.now;
  for (const event of work.events) {
    if (snoozedDevice && event.severity !== 'critical') {
      // Snoozed by a clinician: episode warnings too (onsets and offsets); critical ones never.
      counts.snoozedAlerts++;
      continue;
    }
    const message = toEpisodeMessage(work.deviceId, event, context.modelVersion);
    if (context.sentEpisodes.has(work.deviceId, message.id)) {
      // Went out before a rollback of this device: counted, not sent twice.
      counts.alreadyPublished++;
      continue;
    }
    try {
      await context.publishEpisode(message);
    } catch {
      counts.failedAlerts++;
      rollBack();
      return;
    }
    context.sentEpisodes.add(work.deviceId, message.id);
    out.episodes.push(message);
  }
}
