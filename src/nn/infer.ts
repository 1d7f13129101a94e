import type { AutoencoderNet } from './net';
import { affineRows } from './linalg';
import type { RecurrentLayer } from './recurrent-layer';

/** Per-layer buffers of the step-interleaved forward pass: only the current state is kept. */
interface LayerState {
  readonly layer: RecurrentLayer;
  readonly xp: Float64Array;
  readonly gates: Float64Array;
  h: Float64Array;
  hNext: Float64Array;
  c: Float64Array;
  cNext: Float64Array;
}

/**
 * Forward-only pass for scoring and reconstruction. All layers advance together one time step
 * at a time, so memory is O(batch x hidden) whatever T is and every buffer stays in cache.
 * The decoder's first-layer input projection is computed once per window (the latent is the
 * same at every step). Buffers are allocated once for up to `capacity` windows.
 */
export class InferenceRunner {
  private readonly encoder: LayerState[];
  private readonly decoder: LayerState[];
  private readonly latent: Float64Array;
  private readonly y: Float64Array;
  private readonly xin: Float64Array;

  constructor(
    private readonly net: AutoencoderNet,
    readonly capacity: number,
  ) {
    const state = (layer: RecurrentLayer): LayerState => {
      const G = layer.cell.gates * layer.units;
      const hc = capacity * layer.units;
      return {
        layer,
        xp: new Float64Array(capacity * G),
        gates: new Float64Array(capacity * G),
        h: new Float64Array(hc),
        hNext: new Float64Array(hc),
        c: new Float64Array(layer.cell.hasCellState ? hc : 0),
        cNext: new Float64Array(layer.cell.hasCellState ? hc : 0),
      };
    };
    this.encoder = net.encoders.map(state);
    this.decoder = net.decoders.map(state);
    this.latent = new Float64Array(capacity * net.config.latent);
    this.y = new Float64Array(capacity * net.config.inputSize);
    this.xin = new Float64Array(capacity * net.config.inputSize);
  }

  /**
   * Runs windows `start .. start+B-1` of `windows` ([count, T, in], row-major). Adds each
   * window's mean loss into `errors[errOff + b]` (which the caller zeroes), and when `recon` is
   * given writes the reconstruction there in the same layout as `windows`.
   */
  run(windows: Float32Array, start: number, B: number, errors: Float64Array, errOff: number, recon: Float32Array | null): void {
    if (B > this.capacity) throw new RangeError(`InferenceRunner: batch ${B} exceeds capacity ${this.capacity}`);
    const { steps: T, inputSize: I, loss } = this.net.config;
    const TI = T * I;
    for (const s of this.encoder) resetState(s, B);
    for (const s of this.decoder) resetState(s, B);

    const xin = this.xin;
    for (let t = 0; t < T; t++) {
      // Gather this step's inputs into Float64 so the kernels only ever see Float64Array.
      for (let b = 0; b < B; b++) {
        const src = (start + b) * TI + t * I;
        for (let i = 0; i < I; i++) xin[b * I + i] = windows[src + i];
      }
      let input = xin;
      let inOff = 0;
      let inStride = I;
      for (const s of this.encoder) {
        stepLayer(s, B, input, inOff, inStride);
        input = s.h;
        inOff = 0;
        inStride = s.layer.units;
      }
    }

    const H = this.net.config.hidden;
    const top = this.encoder[this.encoder.length - 1];
    let latent = top.h;
    if (this.net.latent) {
      const d = this.net.latent;
      affineRows(B, H, d.outputSize, top.h, 0, H, d.kernel.data, 0, d.outputSize, d.bias.data, this.latent, 0, d.outputSize);
      latent = this.latent;
    }
    // Project the latent once; the first decoder layer reuses it at every step.
    const first = this.decoder[0];
    const L = this.net.config.latent;
    const G0 = first.layer.cell.gates * H;
    affineRows(B, L, G0, latent, 0, L, first.layer.kernel.data, 0, G0, first.layer.bias.data, first.xp, 0, G0);

    const out = this.net.output;
    const y = this.y;
    const invN = 1 / TI;
    for (let t = 0; t < T; t++) {
      advance(first, B);
      let prev = first;
      for (let l = 1; l < this.decoder.length; l++) {
        const s = this.decoder[l];
        stepLayer(s, B, prev.h, 0, H);
        prev = s;
      }
      affineRows(B, H, I, prev.h, 0, H, out.kernel.data, 0, I, out.bias.data, y, 0, I);
      for (let b = 0; b < B; b++) {
        const xo = (start + b) * TI + t * I;
        let e = 0;
        for (let i = 0; i < I; i++) {
          const d = y[b * I + i] - windows[xo + i];
          e += loss === 'mse' ? d * d : Math.abs(d);
          if (recon) recon[xo + i] = y[b * I + i];
        }
        errors[errOff + b] += e * invN;
      }
    }
  }
}

function resetState(s: LayerState, B: number): void {
  const n = B * s.layer.units;
  s.h.fill(0, 0, n);
  s.c.fill(0, 0, s.layer.cell.hasCellState ? n : 0);
}

/** Projects one step's input (rows of `input` at `inStride`) and advances the layer. */
function stepLayer(s: LayerState, B: number, input: Float64Array, inOff: number, inStride: number): void {
  const layer = s.layer;
  const G = layer.cell.gates * layer.units;
  affineRows(B, layer.inputSize, G, input, inOff, inStride, layer.kernel.data, 0, G, layer.bias.data, s.xp, 0, G);
  advance(s, B);
}

/**
 * One cell step from the projection already in `s.xp` (the cell's cache-free scoring step when
 * it has one); swaps the state buffers.
 */
function advance(s: LayerState, B: number): void {
  const cell = s.layer.cell;
  if (cell.infer) cell.infer(s.layer.weights, B, s.xp, 0, s.h, s.c, s.hNext, s.cNext, s.gates);
  else cell.forward(s.layer.weights, B, s.xp, 0, s.h, 0, s.c, 0, s.gates, 0, s.hNext, 0, s.cNext, 0);
  const h = s.h;
  s.h = s.hNext;
  s.hNext = h;
  const c = s.c;
  s.c = s.cNext;
  s.cNext = c;
}
