import { describe, expect, it } from 'vitest';
import type { AlertDecision } from '../../src/detect/alert-policy';
import { toAlertMessage, toAlertSnippet } from '../../src/detect/alert-message';
import { emptyCounts } from '../../src/detect/batch-result';
import { DeviceRegistry } from '../../src/detect/device-registry';
import { newDeviceWork, type DeviceWork } from '../../src/detect/device-work';
import type { EpisodeAlertMessage } from '../../src/detect/ports';
import { publishBatch, type PublishContext } from '../../src/detect/publish-batch';
import type { EpisodeEvent } from '../../src/detect/rhythm-monitor';
import { SentEpisodes } from '../../src/detect/sent-episodes';
import { MemorySinks, spikeSegmenters, stubProfile } from './fakes';

const profile = stubProfile();

/** A device's work with one record, a beat alert from `t` and the given episode events; its state acquired from `devices`. */
function work(devices: DeviceRegistry, deviceId: string, alertsAt: number[], events: EpisodeEvent[] = []): DeviceWork {
  const w = newDeviceWork(deviceId);
  w.snapshot = devices.snapshot(deviceId);
  w.state = devices.acquire(deviceId, 0);
  w.records.push({
    id: `${deviceId}-r`,
    record: { deviceId, seq: 0, t0: 0, fs: 10, samples: new Float32Array(1) },
    item: { id: `${deviceId}-r`, data: new Uint8Array(), arrivedAt: 0 },
  });
  for (const t of alertsAt) {
    const decision: AlertDecision = {
      id: `${deviceId}:${t}`,
      deviceId,
      severity: 'warning',
      from: t,
      to: t,
      anomalousBeats: 1,
      windowBeats: 1,
      maxScore: 2,
      threshold: 1,
      beatTimes: [t],
    };
    const message = toAlertMessage(decision, 'test-v1');
    w.decisions.push({
      decision,
      message,
      snippet: toAlertSnippet(message, decision, []),
      context: { recent: [], template: null, typicalRr: null, modelThreshold: 1, quality: [] },
    });
  }
  w.events.push(...events);
  return w;
}

const episode = (severity: EpisodeEvent['severity'], start: number): EpisodeEvent => ({
  kind: 'rhythm',
  label: 'AFIB',
  phase: 'onset',
  severity,
  start,
  at: start,
});

function context(devices: DeviceRegistry, sinks: MemorySinks, over: Partial<PublishContext> = {}): PublishContext {
  const episodes: EpisodeAlertMessage[] = [];
  return {
    devices,
    sinks,
    profiles: undefined,
    sentEpisodes: new SentEpisodes(),
    publishEpisode: async (m) => {
      episodes.push(m);
      await sinks.publishAlert(m as never);
    },
    modelVersion: 'test-v1',
    snoozed: new Map(),
    now: 0,
    counts: emptyCounts(0),
    failed: new Set(),
    ...over,
  };
}

describe('publishBatch', () => {
  it('puts each alert’s snippet before its message, and sends no alert at or below the device’s watermark', async () => {
    const devices = new DeviceRegistry(spikeSegmenters);
    const sinks = new MemorySinks();
    devices.markPublished('a', 1000);
    const ctx = context(devices, sinks);
    const out = await publishBatch(ctx, [work(devices, 'a', [1000, 2000])]);
    expect(out.alerts.map((m) => m.id)).toEqual(['a:2000']);
    expect([...sinks.snippets.keys()]).toEqual([out.alerts[0].snippetKey]);
    expect(ctx.counts.alreadyPublished).toBe(1);
    expect(devices.publishedThrough('a')).toBe(2000);
  });

  it('rolls back only the device whose publish failed, failing its records', async () => {
    const devices = new DeviceRegistry(spikeSegmenters);
    const sinks = new MemorySinks();
    sinks.failAttempts.add(1);
    const ctx = context(devices, sinks);
    const out = await publishBatch(ctx, [work(devices, 'a', [1000]), work(devices, 'b', [1000])]);
    expect([...out.rolledBack]).toEqual(['a']);
    expect([...ctx.failed]).toEqual(['a-r']);
    expect(out.alerts.map((m) => m.deviceId)).toEqual(['b']);
    expect(ctx.counts.failedAlerts).toBe(1);
    // Back to its snapshot: a device first seen in this batch is forgotten.
    expect(devices.has('a')).toBe(false);
  });

  it('saves a learned profile before any alert, and a failed save sends nothing', async () => {
    const devices = new DeviceRegistry(spikeSegmenters);
    const sinks = new MemorySinks();
    const order: string[] = [];
    const saving = context(devices, sinks, {
      profiles: {
        load: async () => null,
        save: async (id) => {
          order.push(`save ${id}`);
          if (id === 'b') throw new Error('S3 down');
        },
      },
    });
    const a = work(devices, 'a', [1000]);
    a.learned = profile;
    const b = work(devices, 'b', [1000]);
    b.updated = profile;
    const out = await publishBatch(saving, [a, b]);
    expect(order).toEqual(['save a', 'save b']);
    expect(out.alerts.map((m) => m.deviceId)).toEqual(['a']);
    expect([...out.rolledBack]).toEqual(['b']);
    expect([saving.counts.profileSaves, saving.counts.profileFailures]).toEqual([1, 1]);
  });

  it('snoozes a snoozed device’s episode warnings but never its critical episodes, and sends no episode twice', async () => {
    const devices = new DeviceRegistry(spikeSegmenters);
    const sinks = new MemorySinks();
    const sentEpisodes = new SentEpisodes();
    const ctx = context(devices, sinks, { snoozed: new Map([['a', 10]]), now: 5, sentEpisodes });
    const out = await publishBatch(ctx, [work(devices, 'a', [], [episode('warning', 100), episode('critical', 200)])]);
    expect(out.episodes.map((m) => m.id)).toEqual(['a:AFIB:200']);
    expect(ctx.counts.snoozedAlerts).toBe(1);
    const again = await publishBatch(context(devices, sinks, { sentEpisodes }), [work(devices, 'a', [], [episode('critical', 200)])]);
    expect(again.episodes).toEqual([]);
  });
});
