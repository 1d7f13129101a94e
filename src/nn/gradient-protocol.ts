import type { Floats } from './tensor';

/**
 * The messages between the training thread (parallel.ts) and its gradient workers
 * (gradient-worker.ts), in a module of their own so neither side imports the other's module
 * for its types.
 */

/** Marks the workerData of our gradient workers, so loading parallel.ts in one starts the loop. */
export const WORKER_TAG = 'beatwatch-gradient-worker';

/** Message to a worker: compute the gradient of a shard at the given weights. */
export interface ShardRequest {
  values: Floats;
  indices: Uint32Array;
  gradScale: number;
}

/** A worker's reply. */
export interface ShardReply {
  loss: number;
  grads: Float64Array;
  error?: string;
}

/** What a worker is started with. */
export interface GradientWorkerData {
  tag: typeof WORKER_TAG;
  model: unknown;
  dtype: 'float32' | 'float64';
  data: Float32Array;
  capacity: number;
}
