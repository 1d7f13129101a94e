import { describe, expect, it } from 'vitest';
import { SequenceAutoencoder, trainAutoencoder } from '../../src/nn';
import { trainInPhases } from '../../src/model/train-phases';

const STEPS = 16;
const COUNT = 24;
const data = Float32Array.from({ length: COUNT * STEPS }, (_, i) =>
  Math.sin((2 * Math.PI * (i % STEPS)) / STEPS + Math.floor(i / STEPS) * 0.3),
);
const fresh = () => SequenceAutoencoder.create({ steps: STEPS, hidden: 4 }, { seed: 9 });
const weightsOf = (m: SequenceAutoencoder) => m.exportWeights().map((w) => Array.from(w.values));

describe('trainInPhases', () => {
  it('splits the epochs by share and numbers them across phases', async () => {
    const seen: number[] = [];
    const report = await trainInPhases(
      fresh(),
      data,
      COUNT,
      { epochs: 10, learningRate: 1e-2, batchSize: 8, patience: 100, validationSplit: 0.25, onEpoch: (e) => seen.push(e.epoch) },
      [
        { share: 0.5, lrFactor: 1 },
        { share: 0.3, lrFactor: 0.3 },
        { share: 0.2, lrFactor: 0.1 },
      ],
    );
    expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(report.epochsRun).toBe(10);
    expect(report.trainLoss).toHaveLength(10);
    expect(report.bestEpoch).toBeGreaterThanOrEqual(6);
    expect(report.options).toMatchObject({ epochs: 10, learningRate: 1e-2 });
  });

  it('with one full-rate phase is exactly trainAutoencoder', async () => {
    const a = fresh();
    const b = fresh();
    const opts = { epochs: 4, learningRate: 1e-2, batchSize: 8, seed: 5, validationSplit: 0 };
    await trainInPhases(a, data, COUNT, opts, [{ share: 1, lrFactor: 1 }]);
    await trainAutoencoder(b, data, COUNT, opts);
    expect(weightsOf(a)).toEqual(weightsOf(b));
  });

  it('is deterministic for a seed, and lower phase rates change the result', async () => {
    const run = async (factor: number) => {
      const m = fresh();
      await trainInPhases(m, data, COUNT, { epochs: 6, learningRate: 1e-2, batchSize: 8, seed: 3, validationSplit: 0 }, [
        { share: 0.5, lrFactor: 1 },
        { share: 0.5, lrFactor: factor },
      ]);
      return weightsOf(m);
    };
    expect(await run(0.1)).toEqual(await run(0.1));
    expect(await run(0.1)).not.toEqual(await run(1));
  });

  it('rolls back a phase that ends worse than it started', async () => {
    const opts = { learningRate: 1e-2, batchSize: 8, seed: 4, validationSplit: 0.25, patience: 100 };
    const reference = fresh();
    const ref = await trainInPhases(reference, data, COUNT, { ...opts, epochs: 3 }, [{ share: 1, lrFactor: 1 }]);
    const model = fresh();
    // A rate of 10 wrecks the weights: the second phase's best is worse than the first's.
    const report = await trainInPhases(model, data, COUNT, { ...opts, epochs: 6 }, [
      { share: 0.5, lrFactor: 1 },
      { share: 0.5, lrFactor: 1000 },
    ]);
    expect(Math.min(...report.valLoss.slice(3))).toBeGreaterThan(ref.bestValLoss);
    expect(report.bestEpoch).toBe(ref.bestEpoch);
    expect(report.bestValLoss).toBe(ref.bestValLoss);
    expect(weightsOf(model)).toEqual(weightsOf(reference));
  });

  it('rejects empty or invalid schedules', async () => {
    await expect(trainInPhases(fresh(), data, COUNT, { epochs: 2, learningRate: 1e-2 }, [])).rejects.toThrow(/at least one phase/);
    await expect(trainInPhases(fresh(), data, COUNT, { epochs: 2, learningRate: 1e-2 }, [{ share: 1, lrFactor: 0 }])).rejects.toThrow(
      /lrFactor > 0/,
    );
  });
});
