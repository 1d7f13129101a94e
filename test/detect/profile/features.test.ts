import { describe, expect, it } from 'vitest';
import { qrsAmplitude, qrsWidth, windowGeometry } from '../../../src/detect/profile';

const g = windowGeometry(0.25, 0.45, 64);

/** A QRS-like bump at R: a Gaussian of `sigma` seconds and `amplitude` mV on a `baseline`. */
function bump(sigma: number, amplitude = 1, baseline = 0): Float32Array {
  const x = new Float32Array(g.steps);
  for (let k = 0; k < g.steps; k++) {
    const t = (k - g.r) * g.dt;
    x[k] = baseline + amplitude * Math.exp(-(t * t) / (2 * sigma * sigma));
  }
  return x;
}

describe('qrsWidth', () => {
  it('grows with the width of the complex, in proportion', () => {
    const narrow = qrsWidth(bump(0.015), g);
    const wide = qrsWidth(bump(0.024), g);
    // A Gaussian's slope energy spreads with its sigma: 1.6x wider, 1.6x the measure (the grid's
    // 11 ms steps and the QRS region's edges bend it a little).
    expect(wide / narrow).toBeGreaterThan(1.45);
    expect(wide / narrow).toBeLessThan(1.75);
    // In seconds, of the order of the complex itself.
    expect(narrow).toBeGreaterThan(0.01);
    expect(narrow).toBeLessThan(0.06);
  });

  it('ignores amplitude and baseline: a taller or shifted beat is not a wider one', () => {
    const base = qrsWidth(bump(0.018), g);
    expect(qrsWidth(bump(0.018, 3), g)).toBeCloseTo(base, 6);
    expect(qrsWidth(bump(0.018, 1, -0.7), g)).toBeCloseTo(base, 6);
    expect(qrsAmplitude(bump(0.018, 3), g)).toBeCloseTo(3 * qrsAmplitude(bump(0.018), g), 5);
  });

  it('ignores a straight baseline under the complex (wander, a tilt)', () => {
    const flat = bump(0.018);
    const tilted = Float32Array.from(flat, (v, k) => v + 0.08 * (k - g.r));
    expect(qrsWidth(tilted, g)).toBeCloseTo(qrsWidth(flat, g), 6);
  });

  it('is 0 for a flat window', () => {
    expect(qrsWidth(new Float32Array(g.steps).fill(0.2), g)).toBe(0);
  });
});
