import { describe, expect, it } from 'vitest';
import { createEcgRandom } from '../../src/ecg/random';
import { createRandom } from '../../src/nn/random';

// src/ecg keeps its own copy of the engine's generator (the layers forbid ecg -> nn): simulated
// signals stay what they were only while the two streams are identical.
describe('createEcgRandom', () => {
  it('draws the same uniforms and normals as the engine generator for the same seed', () => {
    for (const seed of [1, 7, 100, -3, 2 ** 31 + 5]) {
      const ours = createEcgRandom(seed);
      const engine = createRandom(seed);
      for (let i = 0; i < 200; i++) {
        if (i % 3 === 0) expect(ours.normal()).toBe(engine.normal());
        else expect(ours.next()).toBe(engine.next());
      }
    }
  });

  it('rejects a non-finite seed', () => {
    expect(() => createEcgRandom(Number.NaN)).toThrow(RangeError);
  });
});
