import { describe, expect, it } from 'vitest';
import { signalLostTiming } from '../../src/contract/signal-lost';
import {
  MemoryPresenceStore,
  SignalLostMonitor,
  sweepReference,
  sweepSilentDevices,
  type SignalLostDeps,
} from '../../src/detect/signal-lost';
import type { AnyAlertMessage, EpisodeAlertMessage } from '../../src/detect/ports';
import { presenceStoreContract } from './presence-contract';

describe('MemoryPresenceStore', () => {
  presenceStoreContract(async () => ({ store: new MemoryPresenceStore(), id: (n) => `mem-${n}` }));
});

const T0 = 1_000_000;
const timing = signalLostTiming(); // deadline 60 s, sweeps every 10 s: declared at 50 s, written every 20 s

/** A detector's monitor and a sweep sharing one store, one topic and one wall clock (`clock.now`, moved by the test). */
function setup(options: { failPublishes?: number; snoozedUntil?: number } = {}) {
  const store = new MemoryPresenceStore();
  const clock = { now: T0 };
  const topic: EpisodeAlertMessage[] = [];
  let failures = options.failPublishes ?? 0;
  const deps: SignalLostDeps = {
    presence: store,
    publish: async (m: AnyAlertMessage) => {
      if (failures-- > 0) throw new Error('SNS down');
      topic.push(m as EpisodeAlertMessage);
    },
    snoozes: { snoozedUntil: async (ids) => new Map(options.snoozedUntil ? ids.map((i) => [i, options.snoozedUntil as number]) : []) },
    now: () => clock.now,
  };
  return { store, topic, deps, clock, monitor: new SignalLostMonitor(deps, timing) };
}

/** `device` sends a 1 s record every second from `from` to `to` (ms), `other` throughout; the sweep runs every 10 s. */
async function stream(
  s: ReturnType<typeof setup>,
  plan: { from: number; to: number; until: number; resumeAt?: number },
): Promise<{ writes: number }> {
  let writes = 0;
  for (let t = T0; t <= plan.until; t += 1000) {
    s.clock.now = t;
    const sending = (t >= plan.from && t <= plan.to) || (plan.resumeAt !== undefined && t >= plan.resumeAt);
    const arrivals = [
      { deviceId: 'other', sighting: { arrivedAt: t } },
      ...(sending ? [{ deviceId: 'dev', sighting: { arrivedAt: t } }] : []),
    ];
    writes += (await s.monitor.afterBatch(arrivals, t)).writes;
    if ((t - T0) % timing.checkEveryMs === 0) await sweepSilentDevices(s.deps, t, timing);
  }
  return { writes };
}

const lost = (topic: EpisodeAlertMessage[], phase: 'onset' | 'offset') =>
  topic.filter((m) => m.deviceId === 'dev' && m.reason === 'signal-lost' && m.phase === phase);

describe('sweepReference', () => {
  it("is the wall clock while the detector is current or the fleet has gone quiet, and the detector's view of the stream in between", () => {
    expect(sweepReference(T0, null, timing)).toBe(T0);
    expect(sweepReference(T0, { arrivedAt: T0 - 1500, writtenAt: T0 - 1000 }, timing)).toBe(T0 - 500); // current: half a second behind
    expect(sweepReference(T0, { arrivedAt: T0 - 45_000, writtenAt: T0 - 5000 }, timing)).toBe(T0 - 40_000); // a 40 s backlog
    expect(sweepReference(T0, { arrivedAt: T0 - 45_000, writtenAt: T0 - timing.writeEveryMs }, timing)).toBe(T0); // nothing written lately
  });
});

describe('signal-lost: the detector and the sweep over one store', () => {
  it('a device that stops raises one onset within the deadline (never two, whoever checks first), and one offset when it returns', async () => {
    const s = setup();
    const stop = T0 + 100_000;
    const { writes } = await stream(s, { from: T0, to: stop, until: stop + 120_000, resumeAt: stop + 100_000 });
    const [onset, ...more] = lost(s.topic, 'onset');
    expect(more).toEqual([]);
    expect(onset.to - stop).toBeLessThanOrEqual(timing.deadlineMs);
    expect(onset.to - stop).toBeGreaterThanOrEqual(timing.lostAfterMs - timing.writeEveryMs);
    const offsets = lost(s.topic, 'offset');
    expect(offsets.map((m) => [m.id, m.to])).toEqual([[`${onset.id}:offset`, stop + 100_000]]);
    // Writes: about one per device per 20 s of streaming (2 devices, 220 s), plus first sight and the episode's end.
    expect(writes).toBeLessThanOrEqual(2 * Math.ceil(220_000 / timing.writeEveryMs) + 4);
    expect(s.topic.filter((m) => m.deviceId === 'other')).toEqual([]);
  });

  it('a check and a sweep racing on the same silent device: one wins the conditional write, one onset goes out', async () => {
    const s = setup();
    // The sweep sees the persisted arrival (T0), the detector the exact one (T0 + 5 s): two candidate ids.
    await s.monitor.afterBatch([{ deviceId: 'dev', sighting: { arrivedAt: T0 } }], T0);
    s.clock.now = T0 + 5000;
    await s.monitor.afterBatch([{ deviceId: 'dev', sighting: { arrivedAt: T0 + 5000 } }], T0 + 5000);
    const now = T0 + 5000 + timing.lostAfterMs;
    const [check, sweep] = await Promise.all([s.monitor.check(now), sweepSilentDevices(s.deps, now, timing)]);
    expect(check.raised.length + sweep.raised.length).toBe(1);
    expect(check.taken + sweep.taken).toBe(1);
    expect(lost(s.topic, 'onset')).toHaveLength(1);
  });

  it('the sweep alone (a shard gone quiet, no batches) raises it from the persisted arrival, within the deadline', async () => {
    const s = setup();
    const stop = T0 + 95_000; // the last write was at most 20 s earlier
    for (let t = T0; t <= stop; t += 1000) {
      s.clock.now = t;
      await s.monitor.afterBatch([{ deviceId: 'dev', sighting: { arrivedAt: t } }], t);
    }
    let raisedAt: number | null = null;
    for (let t = stop; t <= stop + 120_000 && raisedAt === null; t += timing.checkEveryMs)
      if ((await sweepSilentDevices(s.deps, t, timing)).raised.length > 0) raisedAt = t;
    expect(raisedAt).not.toBeNull();
    expect((raisedAt as number) - stop).toBeLessThanOrEqual(timing.deadlineMs);
    expect(lost(s.topic, 'onset')).toHaveLength(1);
  });

  it('a detector 40 s behind the stream (a backlog) does not make the sweep declare devices that are sending; a fleet gone quiet does', async () => {
    const s = setup();
    const lag = 40_000;
    // Both devices send every second; the detector writes what it has processed, 40 s late.
    for (let t = T0; t <= T0 + 120_000; t += 1000) {
      s.clock.now = t;
      await s.monitor.afterBatch(
        ['a', 'b'].map((deviceId) => ({ deviceId, sighting: { arrivedAt: t - lag } })),
        t - lag,
      );
      if ((t - T0) % timing.checkEveryMs === 0) await sweepSilentDevices(s.deps, t, timing);
    }
    expect(s.topic).toEqual([]);
    // Then nothing more is written: once the latest write is a write interval old, silence is measured to the wall clock and both are declared.
    let raised = 0;
    for (let t = T0 + 130_000; t <= T0 + 180_000; t += timing.checkEveryMs)
      raised += (await sweepSilentDevices(s.deps, t, timing)).raised.length;
    expect(raised).toBe(2);
  });

  it('a gap shorter than the declare threshold less one write interval raises nothing', async () => {
    const s = setup();
    const gap = timing.lostAfterMs - timing.writeEveryMs - 1000;
    await stream(s, { from: T0, to: T0 + 60_000, resumeAt: T0 + 60_000 + gap, until: T0 + 200_000 });
    expect(s.topic).toEqual([]);
  });

  it('an onset that cannot be published is raised at a later check', async () => {
    const s = setup({ failPublishes: 1 });
    await stream(s, { from: T0, to: T0 + 30_000, until: T0 + 150_000 });
    expect(lost(s.topic, 'onset')).toHaveLength(1);
    expect(lost(s.topic, 'onset')[0].to - (T0 + 30_000)).toBeLessThanOrEqual(timing.deadlineMs + timing.checkEveryMs);
  });

  it('a snoozed device opens its episode silently: no onset, no offset', async () => {
    const s = setup({ snoozedUntil: T0 + 3_600_000 });
    await stream(s, { from: T0, to: T0 + 30_000, resumeAt: T0 + 150_000, until: T0 + 160_000 });
    expect(s.topic).toEqual([]);
    expect((await s.store.lastArrivals()).open).toHaveLength(2); // closed again on its return
  });
});
