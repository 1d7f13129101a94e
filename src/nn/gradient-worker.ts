import { parentPort, workerData } from 'node:worker_threads';
import { SequenceAutoencoder } from './autoencoder';
import type { GradientWorkerData, ShardReply, ShardRequest } from './parallel';

// One data-parallel gradient worker (see parallel.ts): receives weights and a shard of batch
// indices, replies with the shard's loss and gradient.
const init = workerData as GradientWorkerData;
const model = SequenceAutoencoder.fromJSON(init.model, { dtype: init.dtype });
const net = model.net;

parentPort!.on('message', (request: ShardRequest) => {
  try {
    net.values.set(request.values);
    net.syncDerived();
    net.grads.fill(0);
    const loss = request.indices.length > 0 ? model.lossAndGradient(init.data, request.indices, 0, request.indices.length, request.gradScale, init.capacity) : 0;
    const grads = net.grads.slice();
    const reply: ShardReply = { loss, grads };
    parentPort!.postMessage(reply, [grads.buffer]);
  } catch (err) {
    const reply: ShardReply = { loss: NaN, grads: new Float64Array(0), error: (err as Error).message };
    parentPort!.postMessage(reply);
  }
});
