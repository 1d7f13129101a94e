import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { DeviceLabels } from '../contract';
import type { AlertSnippet } from '../detect';
import type { DeviceLabelStore, LabelledAlert, LabelPorts, LabelSource } from '../retrain';
import { NotFoundError, type AlertStateStore } from './alert-state-store';
import { createS3ProfileStore } from './profile-store';
import { isNotFound } from './s3-errors';

/** Snippets read at once. */
const SNIPPET_READS = 8;
/** Who the audit trail names for a threshold set from labels. */
export const RETRAINING_ACTOR = 'retraining';

/** Options of {@link createLabelPorts}. */
export interface LabelPortsOptions {
  readonly store: AlertStateStore;
  readonly s3: S3Client;
  /** The data bucket: `alerts/` snippets, `devices/` profiles. */
  readonly bucket: string;
  /** Wall clock for the audit trail (default `Date.now`). */
  readonly now?: () => number;
}

/**
 * The retraining job's label ports over the alert state table and the data bucket
 * (docs/ARCHITECTURE.md §3.9): labelled beat alerts with their flagged beats from their snippets;
 * a device's label state written to its table item (what the detector applies, read with its
 * snooze every batch) and into its profile (`devices/<id>/profile.json`, the record beside what
 * it learned).
 *
 * @example
 * const result = await runRetrainJob({ ...createS3RetrainPorts(s3, bucket), labels: createLabelPorts({ store, s3, bucket }) });
 */
export function createLabelPorts(options: LabelPortsOptions): LabelPorts {
  const { store, s3, bucket } = options;
  const now = options.now ?? Date.now;
  const profiles = createS3ProfileStore(s3, bucket);

  async function snippet(key: string): Promise<AlertSnippet | null> {
    try {
      const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return JSON.parse((await out.Body?.transformToString('utf-8')) ?? '') as AlertSnippet;
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  const source: LabelSource = {
    async read(limit) {
      const items = limit > 0 ? await store.labelledAlerts(limit) : [];
      const skipped: Record<string, number> = {};
      const skip = (reason: string) => void (skipped[reason] = (skipped[reason] ?? 0) + 1);
      const alerts: (LabelledAlert | null)[] = new Array(items.length).fill(null);
      let next = 0;
      // A few snippet reads at a time: a thousand labels take seconds, not minutes.
      await Promise.all(
        Array.from({ length: Math.min(SNIPPET_READS, items.length) }, async () => {
          for (let i = next++; i < items.length; i = next++) {
            const item = items[i];
            if (!item.label) continue;
            if (item.kind !== 'beat' || !item.snippetKey) {
              skip('episode (no beats)');
              continue;
            }
            let s: AlertSnippet | null;
            try {
              s = await snippet(item.snippetKey);
            } catch (err) {
              if (err instanceof SyntaxError) {
                skip('snippet unreadable');
                continue;
              }
              throw err;
            }
            if (s === null) {
              skip('snippet missing');
              continue;
            }
            const flagged = s.beats.filter((b) => b.anomalous);
            if (flagged.length === 0) {
              skip('no flagged beats');
              continue;
            }
            alerts[i] = {
              id: item.id,
              deviceId: item.deviceId,
              value: item.label.value,
              calibrating: item.calibrating === true,
              beats: flagged.map((b) => ({ t: b.t, score: b.score, window: b.window, rrPrev: b.rrPrev, rrNext: b.rrNext })),
            };
          }
        }),
      );
      return { alerts: alerts.filter((a): a is LabelledAlert => a !== null), skipped };
    },
  };

  const devices: DeviceLabelStore = {
    async current(deviceId) {
      try {
        return (await store.getDevice(deviceId)).labels ?? null;
      } catch (err) {
        if (err instanceof NotFoundError) return null;
        throw err;
      }
    },
    async write(deviceId, labels: DeviceLabels) {
      const table = await store.setDeviceLabels(deviceId, labels, { by: RETRAINING_ACTOR, at: now() });
      const profile = await profiles.load(deviceId);
      if (profile !== null) await profiles.save(deviceId, { ...profile, labels });
      return { table, profile: profile !== null };
    },
  };
  return { source, devices };
}
