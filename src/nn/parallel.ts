import { isMainThread, Worker, workerData } from 'node:worker_threads';
import type { SequenceAutoencoder } from './autoencoder';
import { runGradientWorker } from './gradient-worker';
import { WORKER_TAG, type GradientWorkerData, type ShardReply, type ShardRequest } from './gradient-protocol';

// Inside a gradient worker: whichever file the worker was started from (the TypeScript entry,
// or a bundle that contains this module), loading this module starts the worker loop.
if (!isMainThread && (workerData as { tag?: unknown } | null)?.tag === WORKER_TAG) runGradientWorker();

/**
 * The file a gradient worker runs. From sources (tsx, vitest) the worker needs the TypeScript
 * loader, which a small .mjs entry registers; in a bundle (the retrain Lambda) this module's URL
 * is the bundle itself, which starts the loop above when loaded as a tagged worker.
 */
function workerEntry(): URL {
  return import.meta.url.endsWith('.ts') ? new URL('./gradient-worker-entry.mjs', import.meta.url) : new URL(import.meta.url);
}

/** Data-parallel gradient computation over worker threads plus the calling thread. */
export interface GradientWorkers {
  /**
   * Like `SequenceAutoencoder.lossAndGradient` for `indices[from..from+B)`: the batch is cut
   * into contiguous shards, shard 0 computed here, the others in the workers, and the shard
   * gradients summed in shard order, so the result depends only on the data and worker count.
   */
  lossAndGradient(indices: Uint32Array, from: number, B: number, gradScale: number): Promise<number>;
  close(): Promise<void>;
}

/**
 * Starts `extra` worker threads, each with a copy of the model architecture and of the training
 * windows. Weights travel with every request (a few tens of KB), so workers hold no state that
 * could drift from the main model.
 */
export async function createGradientWorkers(
  model: SequenceAutoencoder,
  data: Float32Array,
  count: number,
  extra: number,
  batchSize: number,
): Promise<GradientWorkers> {
  const TI = model.config.steps * model.config.inputSize;
  const shared = data.slice(0, count * TI);
  const capacity = Math.ceil(batchSize / (extra + 1));
  const startData: GradientWorkerData = { tag: WORKER_TAG, model: model.toJSON(), dtype: model.dtype, data: shared, capacity };
  const workers: Worker[] = [];
  for (let w = 0; w < extra; w++) {
    workers.push(new Worker(workerEntry(), { workerData: startData }));
  }
  const net = model.net;
  const call = (worker: Worker, request: ShardRequest): Promise<ShardReply> =>
    new Promise((resolve, reject) => {
      const done = (): void => {
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
      };
      const onMessage = (reply: ShardReply): void => {
        done();
        if (reply.error) reject(new Error(`gradient worker: ${reply.error}`));
        else resolve(reply);
      };
      const onError = (err: Error): void => {
        done();
        reject(err);
      };
      // A worker that dies without an error event would otherwise leave training waiting forever.
      const onExit = (code: number): void => {
        done();
        reject(new Error(`gradient worker exited (code ${code}) before replying`));
      };
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
      worker.postMessage(request);
    });

  return {
    async lossAndGradient(indices, from, B, gradScale) {
      const shards = workers.length + 1;
      const bounds: number[] = [];
      for (let s = 0; s <= shards; s++) bounds.push(from + Math.floor((s * B) / shards));
      const pending: Promise<ShardReply>[] = [];
      for (let w = 0; w < workers.length; w++) {
        const lo = bounds[w + 1];
        const hi = bounds[w + 2];
        pending.push(call(workers[w], { values: net.values.slice(), indices: indices.slice(lo, hi), gradScale }));
      }
      // Awaited below; this only keeps a rejection from going unhandled if shard 0 throws first.
      for (const p of pending) p.catch(() => {});
      let loss = bounds[1] > bounds[0] ? model.lossAndGradient(data, indices, bounds[0], bounds[1] - bounds[0], gradScale, capacity) : 0;
      const replies = await Promise.all(pending);
      const grads = net.grads;
      for (const reply of replies) {
        loss += reply.loss;
        const g = reply.grads;
        for (let i = 0; i < grads.length; i++) grads[i] += g[i];
      }
      return loss;
    },
    async close() {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
