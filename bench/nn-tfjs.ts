import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { figures, throughput, type MeasureOptions, type PeerFigures } from './nn-measure';

/** TF.js backends compared: the pure-JS CPU kernels and the WebAssembly (SIMD) kernels. */
export type TfjsBackend = 'cpu' | 'wasm';

let wasmPathsSet = false;

/** Selects `backend`; the wasm binaries are loaded from the installed package's `dist/` folder. */
async function useBackend(backend: TfjsBackend): Promise<void> {
  if (backend === 'wasm' && !wasmPathsSet) {
    // The package's main file sits in dist/, next to the .wasm files; the trailing slash matters.
    const main = createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm');
    setWasmPaths(`${dirname(main)}/`);
    wasmPathsSet = true;
  }
  if (!(await tf.setBackend(backend))) throw new Error(`TF.js backend "${backend}" failed to initialise`);
  await tf.ready();
}

/**
 * The same autoencoder in `tf.layers`: lstm(H) → repeatVector(T) → lstm(H, returnSequences) →
 * timeDistributed(dense(1)), MSE, Adam; TF.js's default initialisers.
 */
function buildModel(steps: number, hidden: number): tf.LayersModel {
  const model = tf.sequential();
  model.add(tf.layers.lstm({ units: hidden, inputShape: [steps, 1] }));
  model.add(tf.layers.repeatVector({ n: steps }));
  model.add(tf.layers.lstm({ units: hidden, returnSequences: true }));
  model.add(tf.layers.timeDistributed({ layer: tf.layers.dense({ units: 1 }) }));
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'meanSquaredError' });
  return model;
}

/**
 * Measures the TF.js autoencoder on `backend`: `predict` at batch 1 and 256 (reading the result
 * back, as a scorer must), `trainOnBatch` at batch 64.
 *
 * @param windows row-major [count, steps] samples (count >= 256 not required: batches wrap).
 */
export async function measureTfjs(
  backend: TfjsBackend,
  windows: Float32Array,
  count: number,
  steps: number,
  hidden: number,
  options: MeasureOptions,
): Promise<PeerFigures> {
  await useBackend(backend);
  const batchOf = (size: number): tf.Tensor3D => {
    const values = new Float32Array(size * steps);
    for (let i = 0; i < size; i++) values.set(windows.subarray((i % count) * steps, ((i % count) + 1) * steps), i * steps);
    return tf.tensor3d(values, [size, steps, 1]);
  };
  // Initialisers warn about orthogonal init of large matrices on console.warn: keep stderr readable.
  const warn = console.warn;
  console.warn = () => {};
  const model = buildModel(steps, hidden);
  console.warn = warn;
  const predict = (x: tf.Tensor) => () => {
    const y = model.predict(x) as tf.Tensor;
    y.dataSync();
    y.dispose();
  };
  const x1 = batchOf(1);
  const x256 = batchOf(256);
  const x64 = batchOf(64);
  try {
    const inferB1 = await throughput(predict(x1), 1, options);
    const inferB256 = await throughput(predict(x256), 256, options);
    const trainB64 = await throughput(() => model.trainOnBatch(x64, x64), 64, options);
    return figures(inferB1, inferB256, trainB64);
  } finally {
    tf.dispose([x1, x256, x64]);
    model.dispose();
  }
}
