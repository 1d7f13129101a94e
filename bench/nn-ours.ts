import { SequenceAutoencoder, trainAutoencoder } from '../src/nn';
import { figures, throughput, type MeasureOptions, type PeerFigures } from './nn-measure';

/** Batches per timed training call: enough that per-call setup (Adam state) is negligible. */
const TRAIN_BATCHES_PER_CALL = 4;

/**
 * Our LSTM autoencoder (encoder LSTM(H) → latent = last state → decoder LSTM(H) fed the latent at
 * every step → dense(1) per step), on this thread only (`workers: 1`): `score` at batch 1 and
 * 256, and one-epoch `trainAutoencoder` runs over 4 batches of 64 (forward, BPTT, clipping and
 * the Adam step included).
 *
 * @param windows row-major [count, steps] samples; batches wrap around when count is small.
 */
export async function measureOurs(windows: Float32Array, count: number, steps: number, hidden: number, options: MeasureOptions): Promise<PeerFigures & { params: number }> {
  const model = SequenceAutoencoder.create({ cell: 'lstm', steps, hidden }, { seed: 1 });
  const batchOf = (size: number): Float32Array => {
    const out = new Float32Array(size * steps);
    for (let i = 0; i < size; i++) out.set(windows.subarray((i % count) * steps, ((i % count) + 1) * steps), i * steps);
    return out;
  };
  const x256 = batchOf(256);
  const scores = new Float32Array(256);
  let next = 0;
  const inferB1 = await throughput(() => {
    model.score(x256.subarray((next % 256) * steps, ((next % 256) + 1) * steps), 1, scores);
    next++;
  }, 1, options);
  const inferB256 = await throughput(() => model.score(x256, 256, scores), 256, options);
  const trainData = batchOf(64 * TRAIN_BATCHES_PER_CALL);
  const trainB64 = await throughput(
    () => trainAutoencoder(model, trainData, 64 * TRAIN_BATCHES_PER_CALL, { epochs: 1, batchSize: 64, validationSplit: 0, workers: 1, seed: 1 }),
    64 * TRAIN_BATCHES_PER_CALL,
    options,
  );
  return { ...figures(inferB1, inferB256, trainB64), params: model.parameterCount() };
}
