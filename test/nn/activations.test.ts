import { describe, expect, it } from 'vitest';
import { createActivations, expClamped, sigmoid, tanh } from '../../src/nn/activations';
import { createRandom } from '../../src/random';

describe('activations', () => {
  it('exp is accurate to 1e-14 relative over the clamped range', () => {
    const rng = createRandom(1);
    let worst = 0;
    for (let n = 0; n < 200_000; n++) {
      const x = (rng.next() - 0.5) * 88;
      worst = Math.max(worst, Math.abs(expClamped(x) / Math.exp(x) - 1));
    }
    for (const x of [0, 1, -1, 44, -44, (0.5 * Math.LN2) / 256]) worst = Math.max(worst, Math.abs(expClamped(x) / Math.exp(x) - 1));
    expect(worst).toBeLessThan(1e-14);
  });

  it('sigmoid and tanh match Math to 1e-15 absolute everywhere, saturate, and propagate NaN', () => {
    const rng = createRandom(2);
    let worst = 0;
    for (let n = 0; n < 200_000; n++) {
      const x = (rng.next() - 0.5) * 120;
      worst = Math.max(worst, Math.abs(sigmoid(x) - 1 / (1 + Math.exp(-x))), Math.abs(tanh(x) - Math.tanh(x)));
    }
    for (const x of [0, 1e-12, -1e-9, 3, -3, 40, -40, 1e300, -1e300]) {
      worst = Math.max(worst, Math.abs(sigmoid(x) - 1 / (1 + Math.exp(-x))), Math.abs(tanh(x) - Math.tanh(x)));
    }
    expect(worst).toBeLessThan(1e-15);
    expect(tanh(0)).toBe(0);
    expect(sigmoid(0)).toBe(0.5);
    expect(sigmoid(Infinity)).toBe(1);
    expect(tanh(-Infinity)).toBe(-1);
    expect(sigmoid(Number.NaN)).toBeNaN();
    expect(tanh(Number.NaN)).toBeNaN();
  });

  it('every set from createActivations computes bit-identical values (kernels each hold one)', () => {
    const own = createActivations();
    const rng = createRandom(3);
    for (let n = 0; n < 10_000; n++) {
      const x = (rng.next() - 0.5) * 88;
      expect(own.expClamped(x)).toBe(expClamped(x));
      expect(own.sigmoid(x)).toBe(sigmoid(x));
      expect(own.tanh(x)).toBe(tanh(x));
    }
    expect(own.expClamped).not.toBe(expClamped);
  });
});
