import type { Floats } from './tensor';
import type { Cell, CellGrads, CellWeights } from './cell';
import { gemmAddAT, gemmAddBT, gemmBTFrom } from './linalg';
import { createActivations } from './activations';
import { lstmInferStep } from './lstm-infer';

// A set of its own, so V8 reads the exp tables as constants (see createActivations).
const { sigmoid, tanh } = createActivations();

/**
 * Long short-term memory (Hochreiter & Schmidhuber 1997, with the forget gate of Gers et al.
 * 2000), tfjs-layers' gate order i, f, c, o:
 *
 *   i = sigmoid(x Wi + h Ui + bi)    input gate
 *   f = sigmoid(x Wf + h Uf + bf)    forget gate (bias initialised to 1)
 *   g = tanh(x Wc + h Uc + bc)       candidate cell
 *   o = sigmoid(x Wo + h Uo + bo)    output gate
 *   c' = f * c + i * g,   h' = o * tanh(c')
 *
 * The gate cache holds i, f, g, o per step; tanh(c') is recomputed in backward.
 */
export const lstmCell: Cell = {
  kind: 'lstm',
  gates: 4,
  hasCellState: true,
  extraParams: [],
  initBias(bias: Floats, units: number): void {
    bias.fill(0);
    for (let u = units; u < 2 * units; u++) bias[u] = 1;
  },
  forward(w, B, xp, xpOff, hPrev, hpOff, cPrev, cpOff, gates, gOff, h, hOff, c, cOff): void {
    lstmForward(w, B, xp, xpOff, hPrev, hpOff, cPrev, cpOff, gates, gOff, h, hOff, c, cOff);
  },
  infer: lstmInferStep,
  backward(w, g, B, gates, gOff, hPrev, hpOff, cPrev, cpOff, c, cOff, dh, dc, dz, dzOff, dhPrev): void {
    lstmBackward(w, g, B, gates, gOff, cPrev, cpOff, c, cOff, dh, dc, dz, dzOff, dhPrev);
    void hPrev;
    void hpOff;
  },
  accumulateRecurrentGrad(
    w: CellWeights,
    g: CellGrads,
    rows: number,
    hPrevAll: Float64Array,
    _gatesAll: Float64Array,
    dzAll: Float64Array,
  ): void {
    const H = w.units;
    gemmAddAT(rows, H, 4 * H, hPrevAll, 0, H, dzAll, 0, 4 * H, g.recurrentKernel, 0, 4 * H);
  },
};

/**
 * LSTM step: the recurrent product for all four gates at once (x W + b is already in `xp`),
 * written into the gate cache as pre-activations, then per row the activations in place and the
 * c, h update. (Scoring uses the cache-free `lstmInferStep` instead.)
 */
export function lstmForward(
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
): void {
  const H = w.units;
  const G = 4 * H;
  gemmBTFrom(B, H, G, hPrev, hpOff, H, w.recurrentKernelT, 0, H, xp, xpOff, G, gates, gOff, G);
  for (let b = 0; b < B; b++) {
    // Activations in place, one per loop iteration (few live constants: V8 keeps the loop in
    // registers), then the state update.
    const gr = gOff + b * G;
    const gEnd = gr + 2 * H;
    const oBeg = gEnd + H;
    const rowEnd = gr + G;
    for (let j = gr; j < gEnd; j++) gates[j] = sigmoid(gates[j]);
    for (let j = gEnd; j < oBeg; j++) gates[j] = tanh(gates[j]);
    for (let j = oBeg; j < rowEnd; j++) gates[j] = sigmoid(gates[j]);
    const cp = cpOff + b * H;
    const co = cOff + b * H;
    const ho = hOff + b * H;
    for (let u = 0; u < H; u++) {
      const cc = gates[gr + H + u] * cPrev[cp + u] + gates[gr + u] * gates[gEnd + u];
      c[co + u] = cc;
      h[ho + u] = gates[oBeg + u] * tanh(cc);
    }
  }
}

/** LSTM step backward (see {@link Cell.backward}). */
export function lstmBackward(
  w: CellWeights,
  _g: CellGrads,
  B: number,
  gates: Float64Array,
  gOff: number,
  cPrev: Float64Array,
  cpOff: number,
  c: Float64Array,
  cOff: number,
  dh: Float64Array,
  dc: Float64Array,
  dz: Float64Array,
  dzOff: number,
  dhPrev: Float64Array,
): void {
  const H = w.units;
  const G = 4 * H;
  for (let b = 0; b < B; b++) {
    const gr = gOff + b * G;
    const zr = dzOff + b * G;
    for (let u = 0; u < H; u++) {
      const i = gates[gr + u];
      const f = gates[gr + H + u];
      const gg = gates[gr + 2 * H + u];
      const o = gates[gr + 3 * H + u];
      const tc = tanh(c[cOff + b * H + u]);
      const dhv = dh[b * H + u];
      const dcv = dc[b * H + u] + dhv * o * (1 - tc * tc);
      dz[zr + u] = dcv * gg * i * (1 - i);
      dz[zr + H + u] = dcv * cPrev[cpOff + b * H + u] * f * (1 - f);
      dz[zr + 2 * H + u] = dcv * i * (1 - gg * gg);
      dz[zr + 3 * H + u] = dhv * tc * o * (1 - o);
      dc[b * H + u] = dcv * f;
    }
  }
  // dh(t-1) = dz U^T: dot products along U's contiguous rows.
  dhPrev.fill(0, 0, B * H);
  gemmAddBT(B, G, H, dz, dzOff, G, w.recurrentKernel, 0, G, dhPrev, 0, H);
}
