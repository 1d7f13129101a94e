import { describe, expect, it } from 'vitest';
import { qrsAmplitude, qrsWidth, slopeFloor, windowGeometry } from '../../../src/detect/profile';
import { createRandom } from '../../../src/random';

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

  it('widens less under noise once the slope energy outside the QRS is taken off (slopeFloor)', () => {
    const clean = bump(0.018);
    const width = qrsWidth(clean, g);
    // A clean complex has (almost) no slope energy outside its QRS: the floor changes nothing.
    expect(slopeFloor(clean, g, null, null)).toBeLessThan(1e-9);
    expect(qrsWidth(clean, g, slopeFloor(clean, g, null, null))).toBeCloseTo(width, 9);
    const rng = createRandom(12);
    const runs = 40;
    for (const sd of [0.02, 0.03]) {
      let plain = 0;
      let floored = 0;
      let floor = 0;
      for (let i = 0; i < runs; i++) {
        const noisy = Float32Array.from(clean, (v) => v + sd * rng.normal());
        const f = slopeFloor(noisy, g, null, null);
        floor += f / runs;
        plain += qrsWidth(noisy, g) / width / runs;
        floored += qrsWidth(noisy, g, f) / width / runs;
      }
      // White noise of deviation sd has first differences of variance 2 sd^2.
      expect(floor / (2 * sd * sd)).toBeGreaterThan(0.8);
      expect(floor / (2 * sd * sd)).toBeLessThan(1.2);
      // Noise reads as a broader complex (about 1.2x at 0.02, 1.4x at 0.03); half of that or less remains.
      expect(plain).toBeGreaterThan(1.15);
      expect(floored - 1).toBeLessThan(0.6 * (plain - 1));
    }
  });

  it('slopeFloor keeps clear of a neighbour closer than the window edge', () => {
    // A neighbour's QRS 0.4 s after R lies inside the window: with rrNext it is cut out.
    const x = bump(0.018);
    for (let k = 0; k < g.steps; k++) {
      const t = (k - g.r) * g.dt - 0.4;
      x[k] += Math.exp(-(t * t) / (2 * 0.018 * 0.018));
    }
    expect(slopeFloor(x, g, null, null)).toBeGreaterThan(1e-3);
    expect(slopeFloor(x, g, null, 0.4)).toBeLessThan(1e-6);
  });
});
