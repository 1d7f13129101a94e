import { parentPort, workerData } from 'node:worker_threads';
import { SequenceAutoencoder } from './autoencoder';
import type { GradientWorkerData, ShardReply, ShardRequest } from './gradient-protocol';

/**
 * The body of one data-parallel gradient worker (see parallel.ts): builds the model from the
 * start-up data, then answers each request (weights + a shard of batch indices) with the
 * shard's loss and gradient.
 */
export function runGradientWorker(): void {
  const init = workerData as GradientWorkerData;
  const model = SequenceAutoencoder.fromJSON(init.model, { dtype: init.dtype });
  const net = model.net;
  const port = parentPort!;
  port.on('message', (request: ShardRequest) => {
    try {
      net.values.set(request.values);
      net.syncDerived();
      net.grads.fill(0);
      const n = request.indices.length;
      const loss = n > 0 ? model.lossAndGradient(init.data, request.indices, 0, n, request.gradScale, init.capacity) : 0;
      const grads = net.grads.slice();
      const reply: ShardReply = { loss, grads };
      port.postMessage(reply, [grads.buffer]);
    } catch (err) {
      const reply: ShardReply = { loss: Number.NaN, grads: new Float64Array(0), error: (err as Error).message };
      port.postMessage(reply);
    }
  });
}
