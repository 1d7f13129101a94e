import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertStateStore, createAlertStateTable, createDynamoClient, NotFoundError, parseAlertId } from '../../src/aws/alert-state-store';
import type { AlertMessage, AlertSnippet } from '../../src/detect/ports';
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
    expect((await store.listAlerts({ kind: 'premature' })).map((x) => x.id)).toEqual([b.id]);
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
