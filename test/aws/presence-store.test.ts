import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertStateStore, createAlertStateTable, createDynamoClient } from '../../src/aws/alert-state-store';
import { DynamoPresenceStore } from '../../src/aws/presence-store';
import { signalLostTiming } from '../../src/contract/signal-lost';
import { SignalLostMonitor, sweepSilentDevices } from '../../src/detect/signal-lost';
import type { AnyAlertMessage } from '../../src/detect/ports';
import { startDynamoEmulator, type DynamoEmulator } from '../../src/local/dynamo-emulator';
import { presenceStoreContract } from '../detect/presence-contract';

let emulator: DynamoEmulator;
let presence: DynamoPresenceStore;
let state: AlertStateStore;
let run = 0;

beforeAll(async () => {
  emulator = await startDynamoEmulator();
  const client = createDynamoClient({ endpoint: emulator.endpoint, env: {} });
  await createAlertStateTable(client, 'presence-test');
  presence = new DynamoPresenceStore(client, 'presence-test');
  state = new AlertStateStore(client, 'presence-test');
});
afterAll(async () => {
  presence?.client.destroy();
  await emulator?.stop();
});

describe('DynamoPresenceStore over dynalite', () => {
  // One table for every case: each case's devices get their own prefix.
  presenceStoreContract(async () => {
    const prefix = `r${++run}-`;
    return { store: presence, id: (n) => `${prefix}${n}` };
  });

  it("keeps the console's device row: last seen and phase come with the arrival, label and snooze stay", async () => {
    await state.seen('console-dev', { lastSeen: 500, phase: 'learning', label: 'mitdb/100' });
    await presence.arrived('console-dev', { arrivedAt: 10_000, lastBeat: { t: 9_500, phase: 'learned' } });
    await presence.arrived('console-dev', { arrivedAt: 11_000 }); // no beat in this batch
    const device = await state.getDevice('console-dev');
    expect(device).toMatchObject({ deviceId: 'console-dev', lastSeen: 9_500, phase: 'learned', label: 'mitdb/100' });
    expect((await state.listDevices()).some((d) => d.deviceId === 'console-dev')).toBe(true);
  });

  it('a device first seen without a beat is listed with its arrival as last seen, learning', async () => {
    await presence.arrived('fresh-dev', { arrivedAt: 42_000 });
    expect(await state.getDevice('fresh-dev')).toMatchObject({ lastSeen: 42_000, phase: 'learning', audit: [] });
  });

  it('a detector and a sweep racing over the table: one onset, and the offset carries its id', async () => {
    const timing = signalLostTiming();
    const published: AnyAlertMessage[] = [];
    const t0 = 5_000_000;
    let clock = t0;
    const deps = { presence, publish: async (m: AnyAlertMessage) => void published.push(m), now: () => clock };
    const monitor = new SignalLostMonitor(deps, timing);
    await monitor.afterBatch([{ deviceId: 'race-dev', sighting: { arrivedAt: t0 } }], t0);
    clock = t0 + 4000;
    await monitor.afterBatch([{ deviceId: 'race-dev', sighting: { arrivedAt: t0 + 4000 } }], t0 + 4000);
    const now = (clock = t0 + 4000 + timing.lostAfterMs);
    // (The table also holds the other cases' devices, all silent by now: only race-dev is looked at.)
    const [check, sweep] = await Promise.all([monitor.check(now), sweepSilentDevices(deps, now, timing)]);
    const mine = (list: AnyAlertMessage[]) => list.filter((m) => m.deviceId === 'race-dev');
    expect(mine([...check.raised, ...sweep.raised])).toHaveLength(1);
    const back = await monitor.afterBatch([{ deviceId: 'race-dev', sighting: { arrivedAt: now + 30_000 } }], now + 30_000);
    const onset = mine(published).find((m) => m.kind === 'technical' && m.phase === 'onset');
    expect(mine(back.alerts).map((m) => m.id)).toEqual([`${onset?.id}:offset`]);
    expect(mine(published)).toHaveLength(2);
  });
});
