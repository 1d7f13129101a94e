import { describe, expect, it } from 'vitest';
import { SequenceAutoencoder } from '../../src/nn/autoencoder';
import { trainAutoencoder } from '../../src/nn/train';
import { createRandom } from '../../src/random';

const T = 24;

/** Periodic windows: sums of two sinusoids with random phase and amplitude (one period family). */
function periodic(count: number, seed: number): Float32Array {
  const rng = createRandom(seed);
  const w = new Float32Array(count * T);
  for (let k = 0; k < count; k++) {
    const phase = 2 * Math.PI * rng.next();
    const amp = 0.5 + rng.next();
    for (let t = 0; t < T; t++)
      w[k * T + t] = amp * Math.sin((2 * Math.PI * t) / 12 + phase) + 0.3 * Math.sin((2 * Math.PI * t) / 6 + 2 * phase);
  }
  return w;
}

/** A model of the early-stop test's shape holding `values`. */
function modelWith(values: Float32Array | Float64Array): SequenceAutoencoder {
  const m = SequenceAutoencoder.create({ steps: T, hidden: 8 }, { seed: 4 });
  m.net.values.set(values);
  m.net.syncDerived();
  return m;
}

function meanScore(m: SequenceAutoencoder, w: Float32Array, count: number): number {
  return m.score(w, count).reduce((a, b) => a + b, 0) / count;
}

describe('trainAutoencoder', () => {
  const data = periodic(96, 1);

  it('reduces the reconstruction loss at least 10x on periodic signals', async () => {
    const model = SequenceAutoencoder.create({ steps: T, hidden: 16 }, { seed: 2 });
    const before = meanScore(model, data, 96);
    const snapshots: Array<Float32Array | Float64Array> = [];
    const report = await trainAutoencoder(model, data, 96, {
      epochs: 60,
      batchSize: 16,
      learningRate: 1e-2,
      seed: 3,
      patience: 60,
      onEpoch: () => void snapshots.push(model.net.values.slice()),
    });
    const after = meanScore(model, data, 96);
    expect(after).toBeLessThan(before / 10);
    expect(report.trainLoss[report.trainLoss.length - 1]).toBeLessThan(report.trainLoss[0] / 5);
    // The best validation loss is the minimum over the epochs, and the model holds that epoch's weights.
    expect(report.bestValLoss).toBe(Math.min(...report.valLoss));
    expect(report.bestValLoss).toBe(report.valLoss[report.bestEpoch - 1]);
    expect(snapshots).toHaveLength(report.epochsRun);
    expect(model.net.values).toEqual(snapshots[report.bestEpoch - 1]);
  });

  it('is bit-for-bit reproducible for a seed, and the seed matters', async () => {
    const run = async (seed: number) => {
      const model = SequenceAutoencoder.create({ steps: T, hidden: 8, cell: 'gru' }, { seed: 4 });
      await trainAutoencoder(model, data, 96, { epochs: 3, batchSize: 16, seed });
      return model.net.values.slice();
    };
    const a = await run(7);
    expect(await run(7)).toEqual(a);
    expect(await run(8)).not.toEqual(a);
  });

  it('gives identical weights with 2 workers run twice, close to the single-thread result', async () => {
    const run = async (workers: number) => {
      const model = SequenceAutoencoder.create({ steps: T, hidden: 8 }, { seed: 4 });
      const report = await trainAutoencoder(model, data, 96, { epochs: 2, batchSize: 16, seed: 5, workers });
      return { values: model.net.values.slice(), report };
    };
    const a = await run(2);
    const b = await run(2);
    expect(b.values).toEqual(a.values);
    const single = await run(1);
    // Sharding changes only the summation order of the gradient.
    expect(Math.abs(single.report.trainLoss[1] - a.report.trainLoss[1])).toBeLessThan(1e-4 * single.report.trainLoss[1]);
  });

  it('stops early, restores the best weights, and honours a time budget', async () => {
    const model = SequenceAutoencoder.create({ steps: T, hidden: 8 }, { seed: 4 });
    // The weights after each epoch, as the trainer leaves them when it calls onEpoch.
    const snapshots: Array<Float32Array | Float64Array> = [];
    // A huge learning rate makes validation loss bounce, so patience 1 triggers quickly.
    const report = await trainAutoencoder(model, data, 96, {
      epochs: 40,
      batchSize: 8,
      learningRate: 0.5,
      clipNorm: 0,
      patience: 1,
      seed: 1,
      onEpoch: () => void snapshots.push(model.net.values.slice()),
    });
    expect(report.stoppedBy).toBe('early-stop');
    expect(report.epochsRun).toBe(report.bestEpoch + 1);
    expect(snapshots).toHaveLength(report.epochsRun);
    // Restored: the model holds exactly the best epoch's weights, not the last epoch's.
    const best = snapshots[report.bestEpoch - 1];
    const last = snapshots[report.epochsRun - 1];
    expect(last).not.toEqual(best);
    expect(model.net.values).toEqual(best);
    expect(meanScore(model, data, 96)).not.toBe(meanScore(modelWith(last), data, 96));
    const timed = await trainAutoencoder(SequenceAutoencoder.create({ steps: T, hidden: 8 }), data, 96, { epochs: 50, timeBudgetMs: 0 });
    expect(timed.stoppedBy).toBe('time-budget');
    expect(timed.epochsRun).toBe(1);
  });

  it('uses an explicit validation set and reports resolved options', async () => {
    const model = SequenceAutoencoder.create({ steps: T, hidden: 4 });
    const validation = { data: periodic(10, 9), count: 10 };
    const report = await trainAutoencoder(model, data, 96, { epochs: 1, validation });
    expect(report.valLoss[0]).toBeCloseTo(meanScore(model, validation.data, 10), 6);
    expect(report.options).toMatchObject({ epochs: 1, batchSize: 32, workers: 1, shuffle: true });
    expect(report.options).not.toHaveProperty('validation');
  });

  it('rejects bad options and data with the option named', async () => {
    const model = SequenceAutoencoder.create({ steps: T, hidden: 4 });
    await expect(trainAutoencoder(model, data, 96, { batchSize: 0 })).rejects.toThrow(/batchSize must be an integer >= 1/);
    await expect(trainAutoencoder(model, data, 96, { learningRate: Number.NaN })).rejects.toThrow(/learningRate/);
    await expect(trainAutoencoder(model, data, 200)).rejects.toThrow(/data: 2304 values for 200 windows/);
    const bad = data.slice();
    bad[5 * T + 3] = Number.NaN;
    await expect(trainAutoencoder(model, bad, 96)).rejects.toThrow(/data: window 5, value 3 is NaN/);
    // Explicitly undefined options take their defaults.
    await expect(trainAutoencoder(model, data, 96, { epochs: 1, workers: undefined, timeBudgetMs: undefined })).resolves.toMatchObject({
      epochsRun: 1,
    });
  });
});
