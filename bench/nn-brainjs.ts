import { recurrent } from 'brain.js';
import type { Workload } from './nn-measure';

/** What the brain.js figures measure, where it differs from the others. */
export const BRAINJS_NOTE = 'LSTMTimeStep: one LSTM pass per window, no batching, per-window updates';

/**
 * brain.js 2.0.0-beta `recurrent.LSTMTimeStep`, its closest model to our autoencoder: one LSTM
 * layer of H units stepping through the T samples of a window and predicting the next one. It
 * has no batched API, so batch 256 is 256 sequential runs, and it trains one window at a time
 * (`train` with one iteration over 64 windows). It does one recurrent pass per window where the
 * autoencoder does two (encoder and decoder), which favours brain.js in the comparison.
 *
 * @param windows row-major [count, steps] samples used as inputs.
 */
export function brainjsWorkload(windows: Float32Array, count: number, steps: number, hidden: number): Workload {
  const rows = Array.from({ length: count }, (_, r) => Array.from(windows.subarray(r * steps, (r + 1) * steps)));
  const scorer = new recurrent.LSTMTimeStep({ inputSize: 1, hiddenLayers: [hidden], outputSize: 1 });
  const trainee = new recurrent.LSTMTimeStep({ inputSize: 1, hiddenLayers: [hidden], outputSize: 1 });
  // Training once sizes and initialises a model; it then runs windows of any length.
  scorer.train(rows.slice(0, 2), { iterations: 1, log: false, errorThresh: 0 });
  trainee.train(rows.slice(0, 2), { iterations: 1, log: false, errorThresh: 0 });
  const batch = Array.from({ length: 64 }, (_, i) => rows[i % count]);
  let next = 0;
  return {
    inferB1: { call: () => scorer.run(rows[next++ % count]), windows: 1 },
    inferB256: {
      call: () => {
        for (let i = 0; i < 256; i++) scorer.run(rows[(next + i) % count]);
        next += 256;
      },
      windows: 256,
    },
    trainB64: { call: () => trainee.train(batch, { iterations: 1, log: false, errorThresh: 0 }), windows: 64 },
  };
}
