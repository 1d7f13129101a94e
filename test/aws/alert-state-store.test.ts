import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  alertKeys,
  AlertStateStore,
  createAlertStateTable,
  createDynamoClient,
  NotFoundError,
  parseAlertId,
} from '../../src/aws/alert-state-store';
import type { AlertMessage, AlertSnippet, EpisodeAlertMessage } from '../../src/detect/ports';
import { startDynamoEmulator, type DynamoEmulator } from '../../src/local/dynamo-emulator';

let emulator: DynamoEmulator;
let store: AlertStateStore;

const message = (deviceId: string, from: number, severity: 'warning' | 'critical' = 'warning'): AlertMessage => ({
  type: 'beatwatch.alert',
  id: `${deviceId}:${from}`,
  deviceId,
  severity,
  from,
  to: from + 2000,
  anomalousBeats: 3,
  windowBeats: 10,
  maxScore: 2.5,
  threshold: 1,
  modelVersion: 'v1',
  snippetKey: `alerts/2026/12/06/${deviceId}:${from}.json`,
});
const snippet = (m: AlertMessage, kind = 'ventricular'): AlertSnippet => ({
  alert: m,
  beats: [
    { t: m.from, score: 2, anomalous: true, kind, rrPrev: 0.5, rrNext: 1, window: [0] },
    { t: m.from + 800, score: 0.2, anomalous: false, kind: 'normal', rrPrev: 0.8, rrNext: 0.8, window: [0] },
  ],
});

beforeAll(async () => {
  emulator = await startDynamoEmulator();
  const client = createDynamoClient({ endpoint: emulator.endpoint, env: {} });
  await createAlertStateTable(client, 'alert-state-test');
  store = new AlertStateStore(client, 'alert-state-test');
});
afterAll(async () => {
  store?.client.destroy();
  await emulator?.stop();
});

describe('AlertStateStore over dynalite', () => {
  it('listens on loopback only', () => {
    expect(emulator.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('records an alert once (a retried batch changes nothing) and lists alerts newest first with filters', async () => {
    const a = message('dev-a', 1_000_000);
    await store.putAlert(a, snippet(a), 1);
    await store.putAlert(a, snippet(a), 2); // retry
    const b = message('dev-b', 2_000_000, 'critical');
    await store.putAlert(b, snippet(b, 'premature'), 3);
    const c = message('dev-a', 3_000_000);
    await store.putAlert(c, snippet(c), 4);
    expect((await store.listAlerts()).map((x) => x.id)).toEqual([c.id, b.id, a.id]);
    expect((await store.getAlert(a.id)).audit).toEqual([{ action: 'raised', by: 'detector', at: 1 }]);
    expect((await store.listAlerts({ deviceId: 'dev-a' })).map((x) => x.id)).toEqual([c.id, a.id]);
    expect((await store.listAlerts({ severity: 'critical' })).map((x) => x.id)).toEqual([b.id]);
    expect((await store.getAlert(b.id)).beatKind).toBe('premature');
    expect((await store.listAlerts({ kind: 'beat' })).map((x) => x.id)).toEqual([c.id, b.id, a.id]);
    expect(await store.listAlerts({ kind: 'rhythm' })).toEqual([]);
    expect((await store.listAlerts({ limit: 1 })).map((x) => x.id)).toEqual([c.id]);
  });

  it('acknowledging twice is one acknowledgement (conditional write), audited with who and when', async () => {
    const m = message('dev-c', 5_000_000);
    await store.putAlert(m, snippet(m));
    const first = await store.acknowledge(m.id, { by: 'dr.lee', at: 10 });
    const second = await store.acknowledge(m.id, { by: 'dr.kim', at: 20 });
    expect(first.changed).toBe(true);
    expect(second.changed).toBe(false);
    expect(second.alert.acknowledged).toEqual({ by: 'dr.lee', at: 10 });
    expect(second.alert.audit.filter((e) => e.action === 'acknowledged')).toHaveLength(1);
    expect((await store.listAlerts({ status: 'open', deviceId: 'dev-c' })).length).toBe(0);
  });

  it('labels: the same label again is a no-op, a changed one is recorded; labelling acknowledges', async () => {
    const m = message('dev-d', 6_000_000);
    await store.putAlert(m, snippet(m));
    expect((await store.label(m.id, false, 'motion artefact', { by: 'dr.lee', at: 30 })).changed).toBe(true);
    expect((await store.label(m.id, false, 'motion artefact', { by: 'dr.lee', at: 31 })).changed).toBe(false);
    const relabelled = await store.label(m.id, true, '', { by: 'dr.kim', at: 32 });
    expect(relabelled.changed).toBe(true);
    expect(relabelled.alert.label).toEqual({ value: true, note: '', by: 'dr.kim', at: 32 });
    expect(relabelled.alert.status).toBe('acknowledged');
    expect(relabelled.alert.acknowledged).toEqual({ by: 'dr.lee', at: 30 });
    expect(relabelled.alert.audit.map((e) => e.action)).toEqual(['raised', 'labelled', 'labelled']);
    expect((await store.labelledAlerts()).map((a) => a.id)).toContain(m.id);
  });

  it('unknown or malformed ids are NotFoundError', async () => {
    await expect(store.getAlert('dev-x:123')).rejects.toBeInstanceOf(NotFoundError);
    await expect(store.acknowledge('nonsense', { by: 'x', at: 1 })).rejects.toBeInstanceOf(NotFoundError);
    await expect(store.acknowledge('dev-x:123', { by: 'x', at: 1 })).rejects.toBeInstanceOf(NotFoundError);
    expect(parseAlertId('a:b:12')).toEqual({ deviceId: 'a:b', from: 12 });
    expect(parseAlertId('a:1x')).toBeNull();
  });

  it('rhythm and technical episodes: the onset is an open alert, listed and filtered by kind; the offset marks it ended, once', async () => {
    const episode = (phase: 'onset' | 'offset', extra: Partial<EpisodeAlertMessage> = {}): EpisodeAlertMessage => ({
      type: 'beatwatch.alert',
      kind: 'rhythm',
      id: `dev-e:AFIB:7000000${phase === 'offset' ? ':offset' : ''}`,
      deviceId: 'dev-e',
      severity: 'warning',
      phase,
      rhythm: 'AFIB',
      from: 7_000_000,
      to: phase === 'onset' ? 7_030_000 : 7_300_000,
      modelVersion: 'v1',
      ...extra,
    });
    await store.putEpisode(episode('onset'), 40);
    await store.putEpisode(episode('onset'), 41); // a retry
    // A beat alert of the same device at the same time: another item.
    const beat = message('dev-e', 7_000_000);
    await store.putAlert(beat, snippet(beat));
    const lost: EpisodeAlertMessage = {
      type: 'beatwatch.alert',
      kind: 'technical',
      id: 'dev-e:signal-lost:7100000',
      deviceId: 'dev-e',
      severity: 'warning',
      phase: 'onset',
      reason: 'signal-lost',
      from: 7_100_000,
      to: 7_160_000,
      modelVersion: null,
    };
    await store.putEpisode(lost, 42);
    const afib = await store.getAlert('dev-e:AFIB:7000000');
    expect(afib).toMatchObject({ kind: 'rhythm', rhythm: 'AFIB', phase: 'onset', status: 'open', summary: 'Atrial fibrillation' });
    expect(afib.audit).toEqual([{ action: 'raised', by: 'detector', at: 40 }]);
    expect((await store.getAlert(beat.id)).kind).toBe('beat');
    expect((await store.listAlerts({ deviceId: 'dev-e' })).map((x) => x.id)).toEqual([lost.id, 'dev-e:AFIB:7000000', beat.id]);
    expect((await store.listAlerts({ kind: 'rhythm' })).map((x) => x.id)).toEqual(['dev-e:AFIB:7000000']);
    expect(
      (await store.listAlerts({ kind: 'technical' })).map((x) => ({ id: x.id, reason: x.reason, modelVersion: x.modelVersion })),
    ).toEqual([{ id: lost.id, reason: 'signal-lost', modelVersion: null }]);
    expect((await store.listAlerts({ kind: 'beat', deviceId: 'dev-e' })).map((x) => x.id)).toEqual([beat.id]);
    // Ended once; a repeated offset, or one without a recorded onset, changes nothing.
    await store.putEpisode(episode('offset'), 50);
    await store.putEpisode(episode('offset'), 51);
    await store.putEpisode(episode('offset', { id: 'dev-e:VT:1:offset', rhythm: 'VT', from: 1 }), 52);
    const ended = await store.getAlert('dev-e:AFIB:7000000');
    expect(ended).toMatchObject({ phase: 'offset', endedAt: 7_300_000, status: 'open' });
    expect(ended.audit.map((e) => e.action)).toEqual(['raised', 'ended']);
    await expect(store.getAlert('dev-e:VT:1')).rejects.toBeInstanceOf(NotFoundError);
    // Acknowledged like any alert.
    expect((await store.acknowledge('dev-e:AFIB:7000000', { by: 'dr.lee', at: 60 })).changed).toBe(true);
    // A VT run escalated to critical is a second alert; one offset ends both.
    const vt = (id: string, severity: 'warning' | 'critical'): EpisodeAlertMessage => ({
      ...episode('onset'),
      id,
      rhythm: 'VT',
      severity,
      from: 8_000_000,
      to: 8_002_000,
    });
    await store.putEpisode(vt('dev-e:VT:8000000', 'warning'));
    await store.putEpisode(vt('dev-e:VT:8000000:critical', 'critical'));
    await store.putEpisode({ ...vt('dev-e:VT:8000000:offset', 'warning'), phase: 'offset', to: 8_009_000 });
    expect((await store.getAlert('dev-e:VT:8000000:critical')).endedAt).toBe(8_009_000);
    expect((await store.getAlert('dev-e:VT:8000000')).endedAt).toBe(8_009_000);
  });

  it('an id of the episode form is also a beat alert of a device whose id contains the label: the one that exists is found', async () => {
    expect(alertKeys('x:AFIB:123').map((k) => [k.deviceId, k.sk])).toEqual([
      ['x', 'A#000000000000123#AFIB'],
      ['x:AFIB', 'A#000000000000123'],
    ]);
    expect(alertKeys('x:NOTALABEL:123').map((k) => k.deviceId)).toEqual(['x:NOTALABEL']);
    const m = message('odd:AFIB', 123);
    await store.putAlert(m, snippet(m));
    expect((await store.getAlert('odd:AFIB:123')).kind).toBe('beat');
    expect((await store.acknowledge('odd:AFIB:123', { by: 'dr.lee', at: 1 })).changed).toBe(true);
  });

  it('devices: last seen never moves back; snoozes are idempotent and read in one batch; open alerts counted', async () => {
    await store.seen('dev-a', { lastSeen: 500, phase: 'learning', label: 'mitdb/100' });
    await store.seen('dev-a', { lastSeen: 900, phase: 'learned' });
    await store.seen('dev-a', { lastSeen: 700, phase: 'learning' });
    await store.seen('dev-b', { lastSeen: 100, phase: 'learning' });
    const devices = await store.listDevices();
    const a = devices.find((d) => d.deviceId === 'dev-a');
    expect(a).toMatchObject({ lastSeen: 900, phase: 'learned', label: 'mitdb/100', openAlerts: 2 });
    expect((await store.snooze('dev-a', 60_000, { by: 'dr.lee', at: 1_000 })).changed).toBe(true);
    expect((await store.snooze('dev-a', 60_000, { by: 'dr.lee', at: 1_001 })).changed).toBe(false);
    await expect(store.snooze('dev-unknown', 60_000, { by: 'dr.lee', at: 1 })).rejects.toBeInstanceOf(NotFoundError);
    expect(await store.snoozedUntil(['dev-a', 'dev-b', 'dev-none'])).toEqual(new Map([['dev-a', 60_000]]));
  });
});
