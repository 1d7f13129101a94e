import { describe, expect, it } from 'vitest';
import { SequenceAutoencoder } from '../../src/nn/autoencoder';
import { CELL_KINDS } from '../../src/nn/cell';
import { createRandom } from '../../src/random';
import { numericGradient, relativeError } from './gradcheck';

function randomWindows(count: number, steps: number, inputSize: number, seed: number): Float32Array {
  const rng = createRandom(seed);
  const w = new Float32Array(count * steps * inputSize);
  for (let i = 0; i < w.length; i++) w[i] = rng.normal();
  return w;
}

/** A small Float64 model with every weight randomised (so no gradient is zero by construction). */
function smallModel(cell: (typeof CELL_KINDS)[number], loss: 'mse' | 'mae' = 'mse') {
  const model = SequenceAutoencoder.create(
    { cell, steps: 5, inputSize: 2, hidden: 4, latent: 3, encoderLayers: 2, decoderLayers: 2, loss },
    { seed: 3, dtype: 'float64' },
  );
  const rng = createRandom(5);
  const values = model.net.values;
  for (let i = 0; i < values.length; i++) values[i] = 0.5 * rng.normal();
  model.net.syncDerived();
  return model;
}

describe('SequenceAutoencoder gradients (Float64 finite differences)', () => {
  const cases: [(typeof CELL_KINDS)[number], 'mse' | 'mae'][] = [
    ...CELL_KINDS.map((c) => [c, 'mse'] as [typeof c, 'mse']),
    ['lstm', 'mae'],
  ];
  for (const [cell, loss] of cases) {
    it(`${cell} / ${loss}: every parameter tensor, 2+2 layers with a latent projection`, () => {
      const model = smallModel(cell, loss);
      const count = 3;
      const windows = randomWindows(count, 5, 2, 9);
      const data = Float64Array.from(windows);
      const indices = [0, 1, 2];
      model.net.grads.fill(0);
      const lossSum = model.lossAndGradient(data, indices, 0, count, 1);
      const scores = new Float32Array(count);
      // The scoring path (step-interleaved, no caches) must agree with the training path.
      const total = (): number => {
        const s = new Float64Array(count);
        model.score(windows, count, scores);
        for (let i = 0; i < count; i++) s[i] = scores[i];
        return s.reduce((a, b) => a + b, 0);
      };
      expect(Math.abs(total() - lossSum)).toBeLessThan(1e-6 * Math.max(1, lossSum));
      // Finite differences on the training path's loss, in full Float64.
      const lossOnly = (): number => {
        const saved = Float64Array.from(model.net.grads);
        const l = model.lossAndGradient(data, indices, 0, count, 0);
        model.net.grads.set(saved);
        return l;
      };
      for (const p of model.net.params) {
        const analytic = Float64Array.from(p.grad);
        const numeric = numericGradient(p.value as Float64Array, lossOnly, 1e-5, () => model.net.syncDerived());
        expect(relativeError(analytic, numeric), `${cell} ${p.name}`).toBeLessThan(1e-6);
      }
    });
  }
});

describe('SequenceAutoencoder API', () => {
  it('applies documented defaults and counts parameters', () => {
    const model = SequenceAutoencoder.create({ steps: 140 });
    expect(model.config).toEqual({
      cell: 'lstm',
      steps: 140,
      inputSize: 1,
      hidden: 32,
      latent: 32,
      encoderLayers: 1,
      decoderLayers: 1,
      loss: 'mse',
    });
    // encoder 4H(1 + H + 1) + decoder 4H(H + H + 1) + output H + 1
    expect(model.parameterCount()).toBe(128 * 34 + 128 * 65 + 33);
  });

  it('initialises with Glorot kernels, orthogonal recurrent kernels and forget bias 1, seeded', () => {
    const a = SequenceAutoencoder.create({ steps: 10, hidden: 8 }, { seed: 4 });
    const b = SequenceAutoencoder.create({ steps: 10, hidden: 8 }, { seed: 4 });
    const c = SequenceAutoencoder.create({ steps: 10, hidden: 8 }, { seed: 5 });
    expect(a.net.values).toEqual(b.net.values);
    expect(a.net.values).not.toEqual(c.net.values);
    const w = Object.fromEntries(a.exportWeights().map((t) => [t.name, t]));
    expect(Array.from(w['encoder_0/bias'].values)).toEqual([...Array(8).fill(0), ...Array(8).fill(1), ...Array(16).fill(0)]);
    // Rows of the [8, 32] recurrent kernel are orthonormal.
    const u = w['decoder_0/recurrent_kernel'].values;
    for (let i = 0; i < 8; i++) {
      for (let j = 0; j < 8; j++) {
        let dot = 0;
        for (let k = 0; k < 32; k++) dot += u[i * 32 + k] * u[j * 32 + k];
        expect(dot).toBeCloseTo(i === j ? 1 : 0, 5);
      }
    }
    const limit = Math.sqrt(6 / (1 + 32));
    const kernel = w['encoder_0/kernel'].values;
    expect(Math.max(...Array.from(kernel, Math.abs))).toBeLessThanOrEqual(limit);
    expect(Math.max(...Array.from(kernel, Math.abs))).toBeGreaterThan(limit / 2);
  });

  it('scores identically in any batching and reconstructs what it scores (every cell)', () => {
    for (const cell of CELL_KINDS) {
      const model = SequenceAutoencoder.create({ steps: 12, hidden: 6, inputSize: 2, cell }, { seed: 2 });
      const count = 300; // more than one internal scoring batch, and than a GRU row chunk
      const windows = randomWindows(count, 12, 2, 1);
      const all = model.score(windows, count);
      for (const k of [0, 17, 299]) {
        const one = model.score(windows.subarray(k * 24, (k + 1) * 24), 1);
        expect(one[0], `${cell} window ${k}`).toBe(all[k]);
      }
      const recon = model.reconstruct(windows, count);
      for (const k of [0, 250]) {
        let e = 0;
        for (let i = 0; i < 24; i++) e += (recon[k * 24 + i] - windows[k * 24 + i]) ** 2;
        expect(e / 24).toBeCloseTo(all[k], 5);
      }
    }
  });

  it('gives the same gradient for a batch as the sum over its single windows (batched kernels)', () => {
    for (const cell of CELL_KINDS) {
      const model = SequenceAutoencoder.create({ steps: 6, hidden: 5, cell }, { seed: 6, dtype: 'float64' });
      const count = 70; // odd tails of the 2-row and 4-column blocks, and more than a GRU chunk
      const data = Float64Array.from(randomWindows(count, 6, 1, 3));
      const indices = Array.from({ length: count }, (_, i) => i);
      model.net.grads.fill(0);
      model.lossAndGradient(data, indices, 0, count, 1);
      const batched = Float64Array.from(model.net.grads);
      model.net.grads.fill(0);
      for (let k = 0; k < count; k++) model.lossAndGradient(data, indices, k, 1, 1);
      const single = Float64Array.from(model.net.grads);
      for (let i = 0; i < batched.length; i++)
        expect(Math.abs(batched[i] - single[i]), `${cell} grad ${i}`).toBeLessThan(1e-12 * Math.max(1, Math.abs(single[i])));
    }
  });

  it('scores a window with a non-finite sample as non-finite without affecting the others', () => {
    const model = SequenceAutoencoder.create({ steps: 10, hidden: 4 });
    const w = randomWindows(3, 10, 1, 4);
    const clean = model.score(w, 3);
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY]) {
      w[15] = bad;
      const scores = model.score(w, 3);
      expect(Number.isFinite(scores[1])).toBe(false);
      expect(scores[0]).toBe(clean[0]);
      expect(scores[2]).toBe(clean[2]);
    }
  });

  it('rejects windows buffers that are too short, naming the argument', () => {
    const model = SequenceAutoencoder.create({ steps: 10 });
    expect(() => model.score(new Float32Array(15), 2)).toThrow(/windows: 15 values for 2 windows of 10 steps/);
  });

  it('clone is independent and identical', () => {
    const model = SequenceAutoencoder.create({ steps: 8, hidden: 4, cell: 'gru' }, { seed: 9 });
    const copy = model.clone();
    const w = randomWindows(3, 8, 1, 2);
    expect(copy.score(w, 3)).toEqual(model.score(w, 3));
    copy.net.values[0] += 1;
    copy.net.syncDerived();
    expect(model.exportWeights()[0].values[0]).not.toBe(copy.exportWeights()[0].values[0]);
  });
});
