import { recurrent } from 'brain.js';
import { figures, throughput, type MeasureOptions, type PeerFigures } from './nn-measure';

/**
 * brain.js 2.0.0-beta `recurrent.LSTMTimeStep`, its closest model to our autoencoder: one LSTM
 * layer of H units stepping through the T samples of a window and predicting the next one. It
 * has no batched API, so batch 256 is 256 sequential runs, and it trains one window at a time
 * (`train` with one iteration over 64 windows). It does one recurrent pass per window where the
 * autoencoder does two (encoder and decoder), which favours brain.js in the comparison.
 *
 * @param windows row-major [count, steps] samples used as inputs.
 */
export async function measureBrainjs(windows: Float32Array, count: number, steps: number, hidden: number, options: MeasureOptions): Promise<PeerFigures> {
  const rows = Array.from({ length: count }, (_, r) => Array.from(windows.subarray(r * steps, (r + 1) * steps)));
  const net = new recurrent.LSTMTimeStep({ inputSize: 1, hiddenLayers: [hidden], outputSize: 1 });
  // Training once sizes and initialises the model; it then runs windows of any length.
  net.train(rows.slice(0, 2), { iterations: 1, log: false, errorThresh: 0 });

  let next = 0;
  const inferB1 = await throughput(() => net.run(rows[next++ % count]), 1, options);
  const inferB256 = await throughput(() => {
    for (let i = 0; i < 256; i++) net.run(rows[(next + i) % count]);
    next += 256;
  }, 256, options);
  const batch = Array.from({ length: 64 }, (_, i) => rows[i % count]);
  const trainB64 = await throughput(() => net.train(batch, { iterations: 1, log: false, errorThresh: 0 }), 64, options);
  return figures(inferB1, inferB256, trainB64, 'LSTMTimeStep: one LSTM pass per window, no batching, per-window updates');
}
