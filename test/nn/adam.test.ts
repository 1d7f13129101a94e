import { describe, expect, it } from 'vitest';
import { Adam, clipGlobalNorm } from '../../src/nn/adam';

describe('Adam', () => {
  it('takes a first step of exactly the learning rate in the gradient sign (bias correction)', () => {
    const params = Float64Array.of(1, -2, 0.5);
    const adam = new Adam(3, { learningRate: 0.1 });
    adam.step(params, Float64Array.of(3, -0.001, 0));
    expect(params[0]).toBeCloseTo(0.9, 6);
    expect(params[1]).toBeCloseTo(-1.9, 4);
    expect(params[2]).toBe(0.5);
  });

  it('minimises a badly scaled quadratic', () => {
    const scale = Float64Array.of(1, 100);
    const params = new Float32Array([3, -4]);
    const grads = new Float64Array(2);
    const adam = new Adam(2, { learningRate: 0.05 });
    for (let i = 0; i < 2000; i++) {
      for (let k = 0; k < 2; k++) grads[k] = 2 * scale[k] * params[k];
      adam.step(params, grads);
    }
    expect(Math.abs(params[0])).toBeLessThan(1e-2);
    expect(Math.abs(params[1])).toBeLessThan(1e-2);
  });
});

describe('clipGlobalNorm', () => {
  it('rescales to the max norm only when above it, and returns the norm before', () => {
    const g = Float64Array.of(3, 4);
    expect(clipGlobalNorm(g, 1)).toBe(5);
    expect(Array.from(g)).toEqual([0.6000000000000001, 0.8]);
    const h = Float64Array.of(0.3, 0.4);
    expect(clipGlobalNorm(h, 1)).toBeCloseTo(0.5, 12);
    expect(Array.from(h)).toEqual([0.3, 0.4]);
    const off = Float64Array.of(30, 40);
    clipGlobalNorm(off, 0);
    expect(Array.from(off)).toEqual([30, 40]);
  });
});
