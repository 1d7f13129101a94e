import { describe, expect, it } from 'vitest';
import { createRandom, shuffleInPlace } from '../../src/random';

describe('createRandom', () => {
  it('is reproducible per seed and different across nearby seeds', () => {
    const draw = (seed: number) => {
      const r = createRandom(seed);
      return Array.from({ length: 8 }, () => r.next());
    };
    expect(draw(1)).toEqual(draw(1));
    expect(draw(1)).not.toEqual(draw(2));
    expect(draw(-1)).not.toEqual(draw(1));
    expect(draw(0)).not.toEqual(draw(1));
  });

  it('draws uniform [0, 1), uniform integers and standard normals', () => {
    const r = createRandom(42);
    const n = 100_000;
    let sum = 0;
    let min = 1;
    let max = 0;
    const counts = new Array(10).fill(0);
    let zSum = 0;
    let zSq = 0;
    for (let i = 0; i < n; i++) {
      const u = r.next();
      sum += u;
      min = Math.min(min, u);
      max = Math.max(max, u);
      counts[r.int(10)]++;
      const z = r.normal();
      zSum += z;
      zSq += z * z;
    }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    expect(sum / n).toBeCloseTo(0.5, 2);
    // Each bucket within 5 standard deviations of n/10.
    for (const c of counts) expect(Math.abs(c - n / 10)).toBeLessThan(5 * Math.sqrt(n * 0.09));
    expect(zSum / n).toBeCloseTo(0, 1);
    expect(zSq / n).toBeCloseTo(1, 1);
  });

  it('rejects bad seeds and bounds', () => {
    expect(() => createRandom(Number.NaN)).toThrow(/seed must be a finite number/);
    expect(() => createRandom(1).int(0)).toThrow(/n must be an integer/);
    expect(() => createRandom(1).int(2.5)).toThrow(/n must be an integer/);
  });

  it('shuffles a permutation reproducibly', () => {
    const a = shuffleInPlace(
      Uint32Array.from({ length: 50 }, (_, i) => i),
      createRandom(3),
    );
    const b = shuffleInPlace(
      Uint32Array.from({ length: 50 }, (_, i) => i),
      createRandom(3),
    );
    expect(a).toEqual(b);
    expect([...a].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect([...a]).not.toEqual(Array.from({ length: 50 }, (_, i) => i));
  });
});
