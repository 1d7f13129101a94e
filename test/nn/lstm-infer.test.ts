import { describe, expect, it } from 'vitest';
import { lstmCell, lstmForward } from '../../src/nn/lstm';
import { lstmInferStep } from '../../src/nn/lstm-infer';
import { RecurrentLayer } from '../../src/nn/recurrent-layer';
import { createRandom, type Random } from '../../src/random';
import { sizeOf, type Param } from '../../src/nn/tensor';

function layerOf(H: number, rng: Random, scale: number): RecurrentLayer {
  const params: Param[] = RecurrentLayer.specs(lstmCell, 'lstm', 1, H).map((s) => {
    const value = new Float64Array(sizeOf(s.shape));
    for (let i = 0; i < value.length; i++) value[i] = scale * rng.normal();
    return { name: s.name, shape: s.shape, value, data: value, grad: new Float64Array(value.length) };
  });
  const layer = new RecurrentLayer(lstmCell, 1, H, params);
  layer.syncDerived();
  return layer;
}

function filled(n: number, rng: Random, scale: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = scale * rng.normal();
  return out;
}

/** Runs `steps` steps of both kernels from the same state; returns the largest gap in h (absolute: |h| < 1) and in c (relative where |c| > 1). */
function compare(H: number, B: number, steps: number, scale: number, seed: number): { dh: number; dc: number; h: Float64Array } {
  const rng = createRandom(seed);
  const layer = layerOf(H, rng, scale);
  const G = 4 * H;
  const xp = filled(B * G, rng, scale);
  let h1: Float64Array = filled(B * H, rng, 1);
  let c1: Float64Array = filled(B * H, rng, 1);
  let h2: Float64Array = Float64Array.from(h1);
  let c2: Float64Array = Float64Array.from(c1);
  let hn1: Float64Array = new Float64Array(B * H);
  let cn1: Float64Array = new Float64Array(B * H);
  let hn2: Float64Array = new Float64Array(B * H);
  let cn2: Float64Array = new Float64Array(B * H);
  const gates = new Float64Array(B * G);
  const z = new Float64Array(Math.min(B, 2) * G);
  let dh = 0;
  let dc = 0;
  for (let t = 0; t < steps; t++) {
    lstmForward(layer.weights, B, xp, 0, h1, 0, c1, 0, gates, 0, hn1, 0, cn1, 0);
    lstmInferStep(layer.weights, B, xp, 0, h2, c2, hn2, cn2, z);
    for (let n = 0; n < B * H; n++) {
      dh = Math.max(dh, Math.abs(hn1[n] - hn2[n]));
      dc = Math.max(dc, Math.abs(cn1[n] - cn2[n]) / Math.max(1, Math.abs(cn1[n])));
    }
    // Each kernel continues from its own state, so differences would compound if they grew.
    [h1, hn1] = [hn1, h1];
    [c1, cn1] = [cn1, c1];
    [h2, hn2] = [hn2, h2];
    [c2, cn2] = [cn2, c2];
  }
  return { dh, dc, h: h2 };
}

describe('lstmInferStep (scoring kernel)', () => {
  it('computes the same h and c as lstmForward (to Float64 rounding: measured ≤ 9e-15) for one, two and odd batch sizes and an odd unit count', () => {
    for (const H of [1, 3, 8, 32]) {
      for (const B of [1, 2, 3, 5]) {
        const { dh, dc } = compare(H, B, 20, 0.5, 100 * H + B);
        expect(dh, `H ${H} B ${B} h`).toBeLessThan(1e-12);
        expect(dc, `H ${H} B ${B} c`).toBeLessThan(1e-12);
      }
    }
  });

  it('agrees where gates saturate (pre-activations far beyond the clamping range)', () => {
    const { dh, dc, h } = compare(6, 3, 10, 30, 5);
    expect(dh).toBeLessThan(1e-12);
    expect(dc).toBeLessThan(1e-12);
    expect(h.every(Number.isFinite)).toBe(true);
  });

  it('keeps a NaN in one row to that row', () => {
    const rng = createRandom(3);
    const H = 4;
    const B = 3;
    const layer = layerOf(H, rng, 0.5);
    const xp = filled(B * 4 * H, rng, 0.5);
    const hPrev = filled(B * H, rng, 1);
    const cPrev = filled(B * H, rng, 1);
    hPrev[H + 2] = Number.NaN;
    const h = new Float64Array(B * H);
    const c = new Float64Array(B * H);
    lstmInferStep(layer.weights, B, xp, 0, hPrev, cPrev, h, c, new Float64Array(2 * 4 * H));
    for (let b = 0; b < B; b++) {
      const row = Array.from(h.subarray(b * H, (b + 1) * H));
      if (b === 1) expect(row.every(Number.isNaN), 'the NaN row').toBe(true);
      else expect(row.every(Number.isFinite), `row ${b}`).toBe(true);
    }
  });
});
