import type { Cell, CellGrads, CellWeights } from './cell';
import type { Param, ParamSpec } from './tensor';
import { affineRows, colSumAdd, gemmAddAT, gemmAddBT, transpose } from './linalg';
import { glorotUniform, orthogonal } from './init';
import type { Random } from '../random';
import { GRU_CHUNK } from './gru';
import { packUnitPairs, packedUnitPairsLength } from './pack';

/**
 * Buffers of one layer for training on batches of up to `capacity` rows over T steps. Slot t of a
 * per-step buffer starts at t * B * width, B being the batch actually run (<= capacity), so one
 * workspace serves every smaller batch.
 */
export interface LayerTrainWorkspace {
  readonly capacity: number;
  /** Input projection x W + b: [B, G*H] for a constant input, else [T, B, G*H]. */
  readonly xp: Float64Array;
  /** Hidden states, slots 0..T ([T+1, B, H]); slot 0 is the zero initial state. */
  readonly hs: Float64Array;
  /** Cell states like `hs` (LSTM kinds only; empty otherwise). */
  readonly cs: Float64Array;
  /** Gate activations per step [T, B, G*H]. */
  readonly gates: Float64Array;
  /** Pre-activation gradients per step [T, B, G*H]. */
  readonly dz: Float64Array;
  readonly dh: Float64Array;
  readonly dc: Float64Array;
  readonly dhA: Float64Array;
  readonly dhB: Float64Array;
  /** Summed dz over time, for a constant input [B, G*H]. */
  readonly dxp: Float64Array;
  /** Cell scratch [T, B, H] for recurrent-gradient products (GRU). */
  readonly scratch: Float64Array;
  /** Gradient w.r.t. the layer input: [B, in] (constant) or [T, B, in]. */
  readonly dx: Float64Array;
}

/**
 * One recurrent layer: fused kernels `kernel` [in, G*H], `recurrent_kernel` [H, G*H], `bias`
 * [G*H] (tfjs-layers names and layout), plus the cell's extra vectors. Runs a whole sequence
 * forward with caches and back through time; the cell does the per-step math.
 */
export class RecurrentLayer {
  readonly kernel: Param;
  readonly recurrentKernel: Param;
  readonly bias: Param;
  readonly extras: readonly Param[];
  /** What the cell reads; `recurrentKernelT` is derived, refreshed by {@link syncDerived}. */
  readonly weights: CellWeights;
  readonly grads: CellGrads;
  private readonly gateWidth: number;

  /** Parameter names and shapes of a layer, in storage order. */
  static specs(cell: Cell, prefix: string, inputSize: number, units: number): ParamSpec[] {
    const G = cell.gates * units;
    return [
      { name: `${prefix}/kernel`, shape: [inputSize, G] },
      { name: `${prefix}/recurrent_kernel`, shape: [units, G] },
      { name: `${prefix}/bias`, shape: [G] },
      ...cell.extraParams.map((e) => ({ name: `${prefix}/${e}`, shape: [units] })),
    ];
  }

  /** `params` are this layer's tensors in {@link RecurrentLayer.specs} order. */
  constructor(
    readonly cell: Cell,
    readonly inputSize: number,
    readonly units: number,
    params: readonly Param[],
  ) {
    this.kernel = params[0];
    this.recurrentKernel = params[1];
    this.bias = params[2];
    this.extras = params.slice(3);
    this.gateWidth = cell.gates * units;
    this.weights = {
      units,
      recurrentKernel: this.recurrentKernel.data,
      recurrentKernelT: new Float64Array(units * this.gateWidth),
      // Only cells with a scoring step read the packed copy.
      recurrentKernelPaired: new Float64Array(cell.infer ? packedUnitPairsLength(units, cell.gates) : 0),
      extras: this.extras.map((p) => p.data),
      scratch: new Float64Array(cell.kind === 'gru' ? GRU_CHUNK * units : units),
    };
    this.grads = { recurrentKernel: this.recurrentKernel.grad, extras: this.extras.map((p) => p.grad) };
  }

  /**
   * Glorot kernel, orthogonal recurrent kernel, cell-specific bias, zero extras (written to the
   * stored values; the owner syncs the compute copy).
   */
  initialize(rng: Random): void {
    glorotUniform(this.kernel.value, this.inputSize, this.gateWidth, rng);
    orthogonal(this.recurrentKernel.value, this.units, this.gateWidth, rng);
    this.cell.initBias(this.bias.value, this.units);
    for (const e of this.extras) e.value.fill(0);
  }

  /** Refreshes derived copies of the weights from the compute copy; call after any weight change. */
  syncDerived(): void {
    transpose(this.units, this.gateWidth, this.recurrentKernel.data, this.weights.recurrentKernelT);
    if (this.cell.infer) packUnitPairs(this.units, this.cell.gates, this.recurrentKernel.data, this.weights.recurrentKernelPaired);
  }

  /** Allocates training buffers for batches of up to `capacity` rows over `steps` steps. */
  createTrainWorkspace(capacity: number, steps: number, constantInput: boolean): LayerTrainWorkspace {
    const H = this.units;
    const G = this.gateWidth;
    const n = capacity * steps;
    return {
      capacity,
      xp: new Float64Array((constantInput ? capacity : n) * G),
      hs: new Float64Array((n + capacity) * H),
      cs: new Float64Array(this.cell.hasCellState ? (n + capacity) * H : 0),
      gates: new Float64Array(n * G),
      dz: new Float64Array(n * G),
      dh: new Float64Array(capacity * H),
      dc: new Float64Array(capacity * H),
      dhA: new Float64Array(capacity * H),
      dhB: new Float64Array(capacity * H),
      dxp: new Float64Array(constantInput ? capacity * G : 0),
      scratch: new Float64Array(this.cell.kind === 'gru' ? n * H : 0),
      dx: new Float64Array((constantInput ? capacity : n) * this.inputSize),
    };
  }

  /**
   * Runs B sequences of T steps. `x` holds the input time-major at `xOff`: [T, B, in], or [B, in]
   * when `constantInput` (fed at every step). Hidden states land in `ws.hs` slots 1..T.
   */
  forwardSequence(ws: LayerTrainWorkspace, B: number, T: number, x: Float64Array, xOff: number, constantInput: boolean): void {
    const H = this.units;
    const G = this.gateWidth;
    const inRows = constantInput ? B : T * B;
    affineRows(inRows, this.inputSize, G, x, xOff, this.inputSize, this.kernel.data, 0, G, this.bias.data, ws.xp, 0, G);
    ws.hs.fill(0, 0, B * H);
    if (this.cell.hasCellState) ws.cs.fill(0, 0, B * H);
    const cell = this.cell;
    for (let t = 0; t < T; t++) {
      cell.forward(
        this.weights,
        B,
        ws.xp,
        constantInput ? 0 : t * B * G,
        ws.hs,
        t * B * H,
        ws.cs,
        t * B * H,
        ws.gates,
        t * B * G,
        ws.hs,
        (t + 1) * B * H,
        ws.cs,
        (t + 1) * B * H,
      );
    }
  }

  /**
   * Backpropagation through time after {@link forwardSequence} with the same arguments.
   * `dHext` [T, B, H] is the gradient reaching h(1..T) from outside the layer. Accumulates
   * parameter gradients; when `wantInputGrad`, leaves dL/dx in `ws.dx` (same layout as `x`).
   */
  backwardSequence(
    ws: LayerTrainWorkspace,
    B: number,
    T: number,
    x: Float64Array,
    xOff: number,
    constantInput: boolean,
    dHext: Float64Array,
    wantInputGrad: boolean,
  ): void {
    const H = this.units;
    const G = this.gateWidth;
    const BH = B * H;
    const cell = this.cell;
    const dh = ws.dh;
    let dhNext = ws.dhA;
    let dhPrev = ws.dhB;
    dhNext.fill(0, 0, BH);
    ws.dc.fill(0, 0, BH);
    for (let t = T - 1; t >= 0; t--) {
      const e = t * BH;
      for (let n = 0; n < BH; n++) dh[n] = dHext[e + n] + dhNext[n];
      cell.backward(
        this.weights,
        this.grads,
        B,
        ws.gates,
        t * B * G,
        ws.hs,
        t * BH,
        ws.cs,
        t * BH,
        ws.cs,
        (t + 1) * BH,
        dh,
        ws.dc,
        ws.dz,
        t * B * G,
        dhPrev,
      );
      const swap = dhNext;
      dhNext = dhPrev;
      dhPrev = swap;
    }
    cell.accumulateRecurrentGrad(this.weights, this.grads, T * B, ws.hs, ws.gates, ws.dz, ws.scratch);

    let dIn = ws.dz;
    let inRows = T * B;
    if (constantInput) {
      // The same projection fed every step: its gradient is the sum over time.
      const dxp = ws.dxp;
      dxp.fill(0, 0, B * G);
      for (let t = 0; t < T; t++) {
        const o = t * B * G;
        for (let n = 0; n < B * G; n++) dxp[n] += ws.dz[o + n];
      }
      dIn = dxp;
      inRows = B;
    }
    colSumAdd(inRows, G, dIn, 0, G, this.bias.grad);
    gemmAddAT(inRows, this.inputSize, G, x, xOff, this.inputSize, dIn, 0, G, this.kernel.grad, 0, G);
    if (wantInputGrad) {
      ws.dx.fill(0, 0, inRows * this.inputSize);
      gemmAddBT(inRows, G, this.inputSize, dIn, 0, G, this.kernel.data, 0, G, ws.dx, 0, this.inputSize);
    }
  }
}
