// What every PresenceStore must do (src/detect/signal-lost.ts): the in-memory store and the
// DynamoDB one (test/aws/presence-store.test.ts) run the same cases.
import { expect, it } from 'vitest';
import type { PresenceStore } from '../../src/detect/signal-lost';

/** Registers the store contract's cases; `fresh` gives an empty store (or one with unused device ids). */
export function presenceStoreContract(fresh: () => Promise<{ store: PresenceStore; id: (name: string) => string }>): void {
  it('records arrivals, never back, and lists them with the newest', async () => {
    const { store, id } = await fresh();
    expect(await store.arrived(id('a'), { arrivedAt: 1000 })).toBeNull();
    expect(await store.arrived(id('b'), { arrivedAt: 5000, lastBeat: { t: 4800, phase: 'learned' } })).toBeNull();
    expect(await store.arrived(id('a'), { arrivedAt: 900 })).toBeNull(); // an older arrival moves nothing
    await store.arrived(id('c'), { arrivedAt: 4000, writtenAt: 4500 }); // the only write with its wall clock: 0.5 s behind
    const { latest, open } = await store.lastArrivals();
    expect(latest).toEqual({ arrivedAt: 4000, writtenAt: 4500 });
    expect(open.filter((d) => d.deviceId.startsWith(id(''))).sort((x, y) => x.arrivedAt - y.arrivedAt)).toEqual([
      { deviceId: id('a'), arrivedAt: 1000 },
      { deviceId: id('c'), arrivedAt: 4000 },
      { deviceId: id('b'), arrivedAt: 5000 },
    ]);
  });

  it('opens an episode for one caller only, hands it to the next arrival, and closes it by its start', async () => {
    const { store, id } = await fresh();
    await store.arrived(id('a'), { arrivedAt: 1000 });
    expect(await store.openLost(id('a'), { from: 1000, silenced: false })).toBe(true);
    expect(await store.openLost(id('a'), { from: 1000, silenced: false })).toBe(false); // the other checker
    expect((await store.lastArrivals()).open.some((d) => d.deviceId === id('a'))).toBe(false);
    expect(await store.arrived(id('a'), { arrivedAt: 70_000 })).toEqual({ from: 1000, silenced: false });
    await store.closeLost(id('a'), 999); // not its start: no-op
    expect(await store.arrived(id('a'), { arrivedAt: 71_000 })).toEqual({ from: 1000, silenced: false });
    await store.closeLost(id('a'), 1000);
    expect(await store.arrived(id('a'), { arrivedAt: 72_000 })).toBeNull();
  });

  it('refuses an episode that a later arrival contradicts, and keeps a silenced one silenced', async () => {
    const { store, id } = await fresh();
    await store.arrived(id('a'), { arrivedAt: 2000 });
    expect(await store.openLost(id('a'), { from: 1500, silenced: false })).toBe(false); // data arrived after 1500
    expect(await store.openLost(id('never-seen'), { from: 1500, silenced: false })).toBe(false);
    expect(await store.openLost(id('a'), { from: 2500, silenced: true })).toBe(true); // exact arrival known to a detector
    expect(await store.arrived(id('a'), { arrivedAt: 90_000 })).toEqual({ from: 2500, silenced: true });
  });
}
