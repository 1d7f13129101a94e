import type { AutoencoderNet } from './net';
import { affineRows, colSumAdd, gemmAddAT, gemmAddBT } from './linalg';
import type { LayerTrainWorkspace } from './recurrent-layer';

/**
 * One training forward + backward pass over a mini-batch: layer by layer over whole sequences,
 * caching what backpropagation through time needs, then back through decoder, latent and
 * encoder. Buffers are allocated once for batches of up to `capacity` windows.
 */
export class TrainingPass {
  private readonly x: Float64Array;
  private readonly y: Float64Array;
  private readonly dy: Float64Array;
  private readonly dTop: Float64Array;
  private readonly dEnc: Float64Array;
  private readonly latent: Float64Array;
  private readonly enc: LayerTrainWorkspace[];
  private readonly dec: LayerTrainWorkspace[];

  constructor(
    private readonly net: AutoencoderNet,
    readonly capacity: number,
  ) {
    const { steps: T, inputSize: I, hidden: H, latent: L } = net.config;
    const n = capacity * T;
    this.x = new Float64Array(n * I);
    this.y = new Float64Array(n * I);
    this.dy = new Float64Array(n * I);
    this.dTop = new Float64Array(n * H);
    this.dEnc = new Float64Array(n * H);
    this.latent = new Float64Array(capacity * L);
    this.enc = net.encoders.map((layer) => layer.createTrainWorkspace(capacity, T, false));
    this.dec = net.decoders.map((layer, l) => layer.createTrainWorkspace(capacity, T, l === 0));
  }

  /**
   * Forward and backward over the windows `data[indices[k]]` for k in [from, from + B).
   * Adds `gradScale` x d(sum of the windows' losses)/d(params) into the net's gradient buffer
   * (the caller zeroes it) and returns the sum of the B window losses.
   */
  lossAndGradient(data: Float32Array | Float64Array, indices: ArrayLike<number>, from: number, B: number, gradScale: number): number {
    if (B > this.capacity) throw new RangeError(`TrainingPass: batch ${B} exceeds capacity ${this.capacity}`);
    const net = this.net;
    const { steps: T, inputSize: I, hidden: H, loss } = net.config;
    const TI = T * I;
    const x = this.x;
    // Gather the batch time-major: x[t, b, i].
    for (let b = 0; b < B; b++) {
      const src = indices[from + b] * TI;
      for (let t = 0; t < T; t++) {
        const dst = (t * B + b) * I;
        for (let i = 0; i < I; i++) x[dst + i] = data[src + t * I + i];
      }
    }

    // Encoder, layer by layer over whole sequences.
    const enc = net.encoders;
    for (let l = 0; l < enc.length; l++) {
      if (l === 0) enc[0].forwardSequence(this.enc[0], B, T, x, 0, false);
      else enc[l].forwardSequence(this.enc[l], B, T, this.enc[l - 1].hs, B * H, false);
    }
    const encTop = this.enc[enc.length - 1];
    const lastOff = T * B * H;
    let latent: Float64Array = encTop.hs;
    let latentOff = lastOff;
    if (net.latent) {
      const d = net.latent;
      affineRows(B, H, d.outputSize, encTop.hs, lastOff, H, d.kernel.data, 0, d.outputSize, d.bias.data, this.latent, 0, d.outputSize);
      latent = this.latent;
      latentOff = 0;
    }

    // Decoder: the latent is the constant input of its first layer.
    const dec = net.decoders;
    for (let l = 0; l < dec.length; l++) {
      if (l === 0) dec[0].forwardSequence(this.dec[0], B, T, latent, latentOff, true);
      else dec[l].forwardSequence(this.dec[l], B, T, this.dec[l - 1].hs, B * H, false);
    }
    const decTop = this.dec[dec.length - 1];
    const out = net.output;
    const rows = T * B;
    affineRows(rows, H, I, decTop.hs, B * H, H, out.kernel.data, 0, I, out.bias.data, this.y, 0, I);

    // Loss (mean over T*I per window) and its gradient, scaled for the caller's reduction.
    const y = this.y;
    const dy = this.dy;
    const scale = gradScale / TI;
    let total = 0;
    for (let n = 0; n < rows * I; n++) {
      const d = y[n] - x[n];
      if (loss === 'mse') {
        total += d * d;
        dy[n] = 2 * d * scale;
      } else {
        total += Math.abs(d);
        dy[n] = (d > 0 ? 1 : d < 0 ? -1 : 0) * scale;
      }
    }

    // Output layer.
    colSumAdd(rows, I, dy, 0, I, out.bias.grad);
    gemmAddAT(rows, H, I, decTop.hs, B * H, H, dy, 0, I, out.kernel.grad, 0, I);
    this.dTop.fill(0, 0, rows * H);
    gemmAddBT(rows, I, H, dy, 0, I, out.kernel.data, 0, I, this.dTop, 0, H);

    // Decoder, top down; each layer's input gradient is the gradient of the layer below's h.
    for (let l = dec.length - 1; l >= 0; l--) {
      const dHext = l === dec.length - 1 ? this.dTop : this.dec[l + 1].dx;
      if (l === 0) dec[0].backwardSequence(this.dec[0], B, T, latent, latentOff, true, dHext, true);
      else dec[l].backwardSequence(this.dec[l], B, T, this.dec[l - 1].hs, B * H, false, dHext, true);
    }

    // Latent: only the encoder's last step receives a gradient.
    const dLatent = this.dec[0].dx;
    const dEnc = this.dEnc;
    dEnc.fill(0, 0, rows * H);
    const lastSlot = (T - 1) * B * H;
    if (net.latent) {
      const d = net.latent;
      colSumAdd(B, d.outputSize, dLatent, 0, d.outputSize, d.bias.grad);
      gemmAddAT(B, H, d.outputSize, encTop.hs, lastOff, H, dLatent, 0, d.outputSize, d.kernel.grad, 0, d.outputSize);
      gemmAddBT(B, d.outputSize, H, dLatent, 0, d.outputSize, d.kernel.data, 0, d.outputSize, dEnc, lastSlot, H);
    } else {
      for (let n = 0; n < B * H; n++) dEnc[lastSlot + n] = dLatent[n];
    }

    for (let l = enc.length - 1; l >= 0; l--) {
      const dHext = l === enc.length - 1 ? dEnc : this.enc[l + 1].dx;
      if (l === 0) enc[0].backwardSequence(this.enc[0], B, T, x, 0, false, dHext, false);
      else enc[l].backwardSequence(this.enc[l], B, T, this.enc[l - 1].hs, B * H, false, dHext, true);
    }
    return total / TI;
  }
}
