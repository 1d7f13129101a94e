import type { Floats } from './tensor';

/** The recurrent cells the engine implements. */
export type CellKind = 'lstm' | 'peephole' | 'gru' | 'rnn';

/** Every cell kind, in a stable order (for CLI choices and validation). */
export const CELL_KINDS: readonly CellKind[] = ['lstm', 'peephole', 'gru', 'rnn'];

/** What a cell reads of its layer's weights during a step. */
export interface CellWeights {
  /** Units (hidden size) H. */
  readonly units: number;
  /** Recurrent kernel [H, G*H] (tfjs layout, gates fused along columns). */
  readonly recurrentKernel: Float64Array;
  /** The same transposed, [G*H, H], so forward products are contiguous dot products. */
  readonly recurrentKernelT: Float64Array;
  /** The same packed by unit pairs for a cell's scoring step (see `packUnitPairs`); empty for cells without one. */
  readonly recurrentKernelPaired: Float64Array;
  /** Cell-specific vectors (peephole weights), each [H], in `Cell.extraParams` order. */
  readonly extras: readonly Float64Array[];
  /** Per-row temporary of at least H elements (the GRU's r * h). */
  readonly scratch: Float64Array;
}

/** Where a cell accumulates the gradients of its recurrent weights. */
export interface CellGrads {
  readonly recurrentKernel: Float64Array;
  readonly extras: readonly Float64Array[];
}

/**
 * One recurrent cell. A layer owns the weights and the time loop; the cell does one time step
 * for a batch of B rows, forward and backward, on slices of the layer's workspaces.
 *
 * Layout: every [B, X] block is row-major with row stride X. `xp` holds the input projection
 * x*W + b for the step ([B, G*H]; the same block every step when the input is constant, which
 * is how the decoder's repeated latent costs one projection per sequence). `gates` receives the
 * activations the backward pass needs. Cells without a cell state ignore `cPrev` and `c`.
 */
export interface Cell {
  readonly kind: CellKind;
  /** Gate blocks G fused in the kernels (LSTM 4: i, f, c, o; GRU 3: z, r, h; RNN 1). */
  readonly gates: number;
  /** Whether the cell carries a cell state c besides h. */
  readonly hasCellState: boolean;
  /** Names of extra [H] weight vectors (peepholes), e.g. `peephole_input`. */
  readonly extraParams: readonly string[];
  /** Initialises the fused bias [G*H] (LSTM: forget gate 1, the rest 0). */
  initBias(bias: Floats, units: number): void;
  /** One step forward for B rows. */
  forward(
    w: CellWeights,
    B: number,
    xp: Float64Array,
    xpOff: number,
    hPrev: Float64Array,
    hpOff: number,
    cPrev: Float64Array,
    cpOff: number,
    gates: Float64Array,
    gOff: number,
    h: Float64Array,
    hOff: number,
    c: Float64Array,
    cOff: number,
  ): void;
  /**
   * Optional forward step for scoring only: the same function as `forward` without the gate
   * cache, for B rows whose [B, H] blocks all start at offset 0. `z` is scratch of at least
   * min(B, 2) * G*H elements. Cells without it are scored through `forward`.
   */
  infer?(
    w: CellWeights,
    B: number,
    xp: Float64Array,
    xpOff: number,
    hPrev: Float64Array,
    cPrev: Float64Array,
    h: Float64Array,
    c: Float64Array,
    z: Float64Array,
  ): void;
  /**
   * One step backward for B rows. `dh` [B, H] is dL/dh(t) (from above and from t+1); `dc` [B, H]
   * is dL/dc(t) from t+1 on entry and dL/dc(t-1) on exit. Writes the pre-activation gradients
   * into `dz` [B, G*H] at `dzOff` and dL/dh(t-1) through the recurrence into `dhPrev` [B, H].
   * Accumulates the gradients of extra (peephole) weights; recurrent-kernel gradients are
   * accumulated once per sequence by `accumulateRecurrentGrad`.
   */
  backward(
    w: CellWeights,
    g: CellGrads,
    B: number,
    gates: Float64Array,
    gOff: number,
    hPrev: Float64Array,
    hpOff: number,
    cPrev: Float64Array,
    cpOff: number,
    c: Float64Array,
    cOff: number,
    dh: Float64Array,
    dc: Float64Array,
    dz: Float64Array,
    dzOff: number,
    dhPrev: Float64Array,
  ): void;
  /**
   * Adds the recurrent-kernel gradient of a whole sequence: `rows` = T*B rows of previous hidden
   * states `hPrevAll` [rows, H], cached `gatesAll` and pre-activation gradients `dzAll`
   * [rows, G*H]. `scratch` has room for [rows, H].
   */
  accumulateRecurrentGrad(
    w: CellWeights,
    g: CellGrads,
    rows: number,
    hPrevAll: Float64Array,
    gatesAll: Float64Array,
    dzAll: Float64Array,
    scratch: Float64Array,
  ): void;
}
