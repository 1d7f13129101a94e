import { SequenceAutoencoder, trainAutoencoder } from '../src/nn';
import type { Workload } from './nn-measure';

/** Batches per timed training call: enough that per-call setup (Adam state) is negligible. */
const TRAIN_BATCHES_PER_CALL = 4;

/**
 * Our LSTM autoencoder (encoder LSTM(H) → latent = last state → decoder LSTM(H) fed the latent at
 * every step → dense(1) per step), on this thread only (`workers: 1`): `score` at batch 1 and
 * 256, and one-epoch `trainAutoencoder` runs over 4 batches of 64 (forward, BPTT, clipping and
 * the Adam step included). Training updates a model of its own, so the scoring calls always see
 * the same weights.
 *
 * @param windows row-major [count, steps] samples; batches wrap around when count is small.
 */
export function oursWorkload(windows: Float32Array, count: number, steps: number, hidden: number): Workload & { params: number } {
  const scorer = SequenceAutoencoder.create({ cell: 'lstm', steps, hidden }, { seed: 1 });
  const trainee = SequenceAutoencoder.create({ cell: 'lstm', steps, hidden }, { seed: 1 });
  const batchOf = (size: number): Float32Array => {
    const out = new Float32Array(size * steps);
    for (let i = 0; i < size; i++) out.set(windows.subarray((i % count) * steps, ((i % count) + 1) * steps), i * steps);
    return out;
  };
  const x256 = batchOf(256);
  const scores = new Float32Array(256);
  const trainData = batchOf(64 * TRAIN_BATCHES_PER_CALL);
  let next = 0;
  return {
    params: scorer.parameterCount(),
    inferB1: {
      call: () => {
        scorer.score(x256.subarray((next % 256) * steps, ((next % 256) + 1) * steps), 1, scores);
        next++;
      },
      windows: 1,
    },
    inferB256: { call: () => scorer.score(x256, 256, scores), windows: 256 },
    trainB64: {
      call: () =>
        trainAutoencoder(trainee, trainData, 64 * TRAIN_BATCHES_PER_CALL, {
          epochs: 1,
          batchSize: 64,
          validationSplit: 0,
          workers: 1,
          seed: 1,
        }),
      windows: 64 * TRAIN_BATCHES_PER_CALL,
    },
  };
}
