import { describe, expect, it } from 'vitest';
import { createRandom } from '../../src/nn';
import { BeatReservoir } from '../../src/retrain/beat-reservoir';
import { DeviceSample } from '../../src/retrain/device-sample';

describe('BeatReservoir', () => {
  it('keeps everything under capacity, in order', () => {
    const r = new BeatReservoir(2, 10, createRandom(1));
    for (let i = 0; i < 7; i++) r.offer(Float32Array.of(i, -i));
    expect(r.count).toBe(7);
    expect(Array.from(r.windows())).toEqual([0, -0, 1, -1, 2, -2, 3, -3, 4, -4, 5, -5, 6, -6]);
  });

  it('holds at most its capacity and samples every item about equally often', () => {
    const n = 100;
    const hits = new Float64Array(n);
    const trials = 2000;
    const rng = createRandom(7);
    for (let t = 0; t < trials; t++) {
      const r = new BeatReservoir(1, 10, rng);
      for (let i = 0; i < n; i++) r.offer(Float32Array.of(i));
      expect(r.count).toBe(10);
      for (const v of r.windows()) hits[v]++;
    }
    // Each item is kept with probability 10/100: 200 expected hits, binomial std ~13.4.
    for (let i = 0; i < n; i++) expect(Math.abs(hits[i] - 200)).toBeLessThan(70);
    // The first and the last tenth are equally represented (no bias towards early items).
    const early = hits.slice(0, 10).reduce((a, b) => a + b, 0);
    const late = hits.slice(90).reduce((a, b) => a + b, 0);
    expect(Math.abs(early - late)).toBeLessThan(200);
  });

  it('shrinks to a uniform subset and keeps sampling fairly afterwards', () => {
    const hits = new Float64Array(40);
    const rng = createRandom(3);
    for (let t = 0; t < 2000; t++) {
      const r = new BeatReservoir(1, 20, rng);
      for (let i = 0; i < 20; i++) r.offer(Float32Array.of(i));
      r.shrink(5);
      expect(r.count).toBe(5);
      for (let i = 20; i < 40; i++) r.offer(Float32Array.of(i));
      expect(r.count).toBe(5);
      for (const v of r.windows()) hits[v]++;
    }
    // 5 of 40 kept: 250 expected hits per item, std ~14.8.
    for (let i = 0; i < 40; i++) expect(Math.abs(hits[i] - 250)).toBeLessThan(80);
  });
});

describe('DeviceSample', () => {
  it('holds at most its capacity, and a device turned away is never admitted later', () => {
    const sample = new DeviceSample(10, 5);
    const refused = new Set<string>();
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 200; i++) {
        const id = `dev-${i}`;
        const { admitted, evicted } = sample.admit(id);
        if (evicted !== undefined) refused.add(evicted);
        if (!admitted) refused.add(id);
        if (refused.has(id)) expect(admitted).toBe(false);
        expect(sample.size).toBeLessThanOrEqual(10);
      }
    }
    expect(sample.size).toBe(10);
  });

  it('chooses the same devices whatever the order they appear in', () => {
    const ids = Array.from({ length: 100 }, (_, i) => `device-${i}`);
    const pick = (order: string[]) => {
      const s = new DeviceSample(7, 11);
      for (const id of order) s.admit(id);
      return ids.filter((id) => s.has(id));
    };
    const reversed = [...ids].reverse();
    expect(pick(ids)).toEqual(pick(reversed));
    expect(pick(ids)).toHaveLength(7);
  });
});
