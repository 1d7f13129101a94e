import { request } from 'node:http';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConsoleApiHandler, type ConsoleApiEvent } from '../../functions/console-api';
import { AlertStateStore, createAlertStateTable, createDynamoClient } from '../../src/aws/alert-state-store';
import { OFF_ADAPTER } from '../../src/detect/adapters';
import type { AlertMessage, AlertSnippet } from '../../src/detect/ports';
import { Detector } from '../../src/detect/process-batch';
import { startConsoleServer, type ConsoleServer } from '../../src/local/console-server';
import { startDynamoEmulator, type DynamoEmulator } from '../../src/local/dynamo-emulator';
import { fakeModel, MemorySinks, rec, testDecoder } from '../detect/fakes';

let dynamo: DynamoEmulator;
let store: AlertStateStore;
let server: ConsoleServer;
const snippets = new Map<string, AlertSnippet>();

const alert = (deviceId: string, from: number): AlertMessage => ({
  type: 'beatwatch.alert',
  id: `${deviceId}:${from}`,
  deviceId,
  severity: 'warning',
  from,
  to: from + 1000,
  anomalousBeats: 3,
  windowBeats: 10,
  maxScore: 1.8,
  threshold: 1,
  modelVersion: 'v1',
  snippetKey: `alerts/x/${deviceId}:${from}.json`,
});

/** Calls the local server: status and JSON body. */
function call(
  path: string,
  init: { method?: string; token?: string; body?: string; host?: string } = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const url = new URL(path, server.url);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: init.method ?? 'GET',
        headers: {
          ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
          ...(init.host ? { host: init.host } : {}),
          'content-type': 'application/json',
        },
      },
      (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => {
          let body: Record<string, unknown>;
          try {
            body = JSON.parse(text) as Record<string, unknown>;
          } catch {
            body = { text };
          }
          resolve({ status: res.statusCode ?? 0, body });
        });
      },
    );
    req.on('error', reject);
    req.end(init.body);
  });
}

beforeAll(async () => {
  dynamo = await startDynamoEmulator();
  const client = createDynamoClient({ endpoint: dynamo.endpoint, env: {} });
  await createAlertStateTable(client, 'console-api-test');
  store = new AlertStateStore(client, 'console-api-test');
  for (const [d, from] of [
    ['dev-1', 1_000_000],
    ['dev-1', 2_000_000],
    ['dev-2', 3_000_000],
  ] as const) {
    const m = alert(d, from);
    const s: AlertSnippet = {
      alert: m,
      beats: [{ t: from, score: 1.8, anomalous: true, kind: 'ventricular', rrPrev: 0.6, rrNext: 1, window: [1] }],
    };
    snippets.set(m.snippetKey, s);
    await store.putAlert(m, s);
  }
  await store.putEpisode({
    type: 'beatwatch.alert',
    kind: 'rhythm',
    id: 'dev-2:AFIB:500000',
    deviceId: 'dev-2',
    severity: 'warning',
    phase: 'onset',
    rhythm: 'AFIB',
    from: 500_000,
    to: 530_000,
    modelVersion: 'v1',
  });
  await store.seen('dev-1', { lastSeen: 2_500_000, phase: 'learned' });
  await store.seen('dev-2', { lastSeen: 3_500_000, phase: 'learning' });
  server = await startConsoleServer({ store, readSnippet: async (k) => snippets.get(k) ?? null });
});
afterAll(async () => {
  await server?.stop();
  store?.client.destroy();
  await dynamo?.stop();
});

describe('console API through the local server (development tokens signed with jose)', () => {
  it('listens on loopback and refuses another Host', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect((await call('/', { host: 'evil.example' })).status).toBe(421);
  });

  it('refuses unauthenticated requests, and tokens not signed by this server', async () => {
    expect((await call('/api/alerts')).status).toBe(401);
    const forged = await new SignJWT({ 'cognito:groups': ['clinicians'] })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('dev:mallory')
      .setIssuer('beatwatch-local')
      .setAudience('beatwatch-local-console')
      .setExpirationTime('1h')
      .sign(new Uint8Array(32).fill(7));
    expect((await call('/api/alerts', { token: forged })).status).toBe(401);
    expect((await call('/api/alerts', { token: 'not.a.jwt' })).status).toBe(401);
  });

  it('lists devices and alerts (newest first, filtered), gets one with its snippet', async () => {
    const token = await server.devToken('dr lee');
    const devices = (await call('/api/devices', { token })).body.devices as { deviceId: string; openAlerts: number; phase: string }[];
    expect(devices.map((d) => [d.deviceId, d.openAlerts, d.phase])).toEqual([
      ['dev-1', 2, 'learned'],
      ['dev-2', 2, 'learning'],
    ]);
    const all = (await call('/api/alerts', { token })).body.alerts as { id: string }[];
    expect(all.map((a) => a.id)).toEqual(['dev-2:3000000', 'dev-1:2000000', 'dev-1:1000000', 'dev-2:AFIB:500000']);
    const mine = (await call('/api/alerts?device=dev-1&severity=warning&kind=beat&status=open&limit=1', { token })).body.alerts as {
      id: string;
    }[];
    expect(mine.map((a) => a.id)).toEqual(['dev-1:2000000']);
    const rhythm = (await call('/api/alerts?kind=rhythm', { token })).body.alerts as { id: string; rhythm: string; phase: string }[];
    expect(rhythm.map((a) => [a.id, a.rhythm, a.phase])).toEqual([['dev-2:AFIB:500000', 'AFIB', 'onset']]);
    const one = await call(`/api/alerts/${encodeURIComponent('dev-1:1000000')}`, { token });
    expect(one.status).toBe(200);
    expect((one.body.snippet as AlertSnippet).beats[0].kind).toBe('ventricular');
    expect((one.body.alert as { kind: string; beatKind: string }).kind).toBe('beat');
    expect((one.body.alert as { kind: string; beatKind: string }).beatKind).toBe('ventricular');
    // An episode has no snippet.
    const afib = await call(`/api/alerts/${encodeURIComponent('dev-2:AFIB:500000')}`, { token });
    expect(afib.status).toBe(200);
    expect(afib.body.snippet).toBeNull();
    expect((await call('/api/me', { token })).body.user).toBe('dr lee (dev login)');
  });

  it('malformed requests get 400 with a reason; unknown ids and routes 404', async () => {
    const token = await server.devToken('dr lee');
    const bad = await call('/api/alerts?severity=loud', { token });
    expect(bad).toEqual({ status: 400, body: { error: 'severity must be warning or critical' } });
    expect((await call('/api/alerts?limit=0', { token })).status).toBe(400);
    expect((await call('/api/alerts?kind=ventricular', { token })).body).toEqual({ error: 'kind must be one of beat, rhythm, technical' });
    expect((await call('/api/alerts?colour=red', { token })).body.error).toMatch(/unknown query parameter/);
    const id = encodeURIComponent('dev-1:1000000');
    expect((await call(`/api/alerts/${id}/label`, { token, method: 'POST', body: '{"value":"maybe"}' })).body.error).toMatch(
      /value must be true/,
    );
    expect((await call(`/api/alerts/${id}/label`, { token, method: 'POST', body: '{oops' })).body).toEqual({ error: 'body is not JSON' });
    expect((await call('/api/devices/dev-1/snooze', { token, method: 'POST', body: '{"minutes":100000}' })).status).toBe(400);
    expect((await call(`/api/alerts/${encodeURIComponent('dev-9:123')}`, { token })).status).toBe(404);
    expect((await call(`/api/alerts/${encodeURIComponent('dev-9:123')}/ack`, { token, method: 'POST' })).status).toBe(404);
    expect((await call('/api/alerts/not-an-id', { token })).status).toBe(404);
    expect((await call('/api/devices/dev-9/snooze', { token, method: 'POST', body: '{"minutes":5}' })).status).toBe(404);
    expect((await call('/api/nothing', { token })).status).toBe(404);
  });

  it('acknowledging twice is one acknowledgement; a false-alarm label is stored with who and when', async () => {
    const lee = await server.devToken('dr lee');
    const kim = await server.devToken('dr kim');
    const id = encodeURIComponent('dev-2:3000000');
    const first = await call(`/api/alerts/${id}/ack`, { token: lee, method: 'POST' });
    const second = await call(`/api/alerts/${id}/ack`, { token: kim, method: 'POST' });
    expect([first.body.changed, second.body.changed]).toEqual([true, false]);
    const stored = await store.getAlert('dev-2:3000000');
    expect(stored.acknowledged?.by).toBe('dr lee (dev login)');
    expect(stored.audit.filter((a) => a.action === 'acknowledged')).toHaveLength(1);
    const labelled = await call(`/api/alerts/${id}/label`, {
      token: kim,
      method: 'POST',
      body: JSON.stringify({ value: false, note: 'electrode motion' }),
    });
    expect(labelled.status).toBe(200);
    expect((await store.getAlert('dev-2:3000000')).label).toMatchObject({
      value: false,
      note: 'electrode motion',
      by: 'dr kim (dev login)',
    });
  });

  it("a snooze set through the API silences the device's warnings in the detector, never its critical alerts", async () => {
    const token = await server.devToken('dr lee');
    const snoozed = await call('/api/devices/dev-1/snooze', { token, method: 'POST', body: '{"minutes":30}' });
    expect(snoozed.status).toBe(200);
    const sinks = new MemorySinks();
    const detector = new Detector(sinks, testDecoder, { adaptation: OFF_ADAPTER, snoozes: store });
    const warning = await detector.processBatch(
      [rec('dev-1', 0, { 1: 3, 4: 3, 7: 3 }), rec('dev-2', 0, { 1: 3, 4: 3, 7: 3 })],
      fakeModel(),
    );
    expect(warning.counts.snoozedAlerts).toBe(1);
    expect(warning.alerts.map((a) => a.deviceId)).toEqual(['dev-2']);
    const critical = await detector.processBatch([rec('dev-1', 1, { 2: 7 })], fakeModel());
    expect(critical.alerts.map((a) => [a.deviceId, a.severity])).toEqual([['dev-1', 'critical']]);
    expect((await call('/api/devices/dev-1/snooze', { token, method: 'POST', body: '{"minutes":0}' })).body.changed).toBe(true);
  });
});

describe('console API handler: claims checked even behind the authorizer', () => {
  const handler = createConsoleApiHandler({
    store: {} as AlertStateStore,
    readSnippet: async () => null,
    env: { CONSOLE_CLIENT_ID: 'client-1', CONSOLE_GROUP: 'clinicians' },
    now: () => 1_000_000,
  });
  const event = (claims?: Record<string, string | number | string[]>): ConsoleApiEvent => ({
    rawPath: '/api/me',
    body: undefined,
    isBase64Encoded: false,
    requestContext: { http: { method: 'GET' }, ...(claims ? { authorizer: { jwt: { claims } } } : {}) },
  });
  const good = { sub: 'u1', email: 'lee@example.org', exp: '2000', client_id: 'client-1', 'cognito:groups': '[clinicians admins]' };

  it('no claims: 401', async () => {
    expect((await handler(event())).statusCode).toBe(401);
  });
  it('expired, another app client: 401; not a clinician: 403', async () => {
    expect((await handler(event({ ...good, exp: '999' }))).statusCode).toBe(401);
    expect((await handler(event({ ...good, client_id: 'other' }))).statusCode).toBe(401);
    expect((await handler(event({ ...good, 'cognito:groups': '[admins]' }))).statusCode).toBe(403);
  });
  it("API Gateway's claims of a clinician: 200", async () => {
    const out = await handler(event(good));
    expect(out.statusCode).toBe(200);
    expect(JSON.parse(out.body as string)).toEqual({ user: 'lee@example.org' });
  });
});
