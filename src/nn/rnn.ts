import type { Floats } from './tensor';
import type { Cell, CellGrads, CellWeights } from './cell';
import { createActivations } from './activations';
import { copyRows, gemmAddAT, gemmAddBT } from './linalg';

// A set of its own, so V8 reads the exp tables as constants (see createActivations).
const { tanh } = createActivations();

/**
 * Plain (Elman) recurrent cell: h' = tanh(x W + h U + b). One gate block; the cache holds h'.
 */
export const rnnCell: Cell = {
  kind: 'rnn',
  gates: 1,
  hasCellState: false,
  extraParams: [],
  initBias(bias: Floats): void {
    bias.fill(0);
  },
  forward(w, B, xp, xpOff, hPrev, hpOff, _cPrev, _cpOff, gates, gOff, h, hOff): void {
    const H = w.units;
    copyRows(B, H, xp, xpOff, H, gates, gOff, H);
    gemmAddBT(B, H, H, hPrev, hpOff, H, w.recurrentKernelT, 0, H, gates, gOff, H);
    for (let n = 0; n < B * H; n++) {
      const hv = tanh(gates[gOff + n]);
      gates[gOff + n] = hv;
      h[hOff + n] = hv;
    }
  },
  backward(w, _g, B, gates, gOff, _hPrev, _hpOff, _cPrev, _cpOff, _c, _cOff, dh, _dc, dz, dzOff, dhPrev): void {
    const H = w.units;
    for (let n = 0; n < B * H; n++) {
      const hv = gates[gOff + n];
      dz[dzOff + n] = dh[n] * (1 - hv * hv);
    }
    dhPrev.fill(0, 0, B * H);
    gemmAddBT(B, H, H, dz, dzOff, H, w.recurrentKernel, 0, H, dhPrev, 0, H);
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
    gemmAddAT(rows, H, H, hPrevAll, 0, H, dzAll, 0, H, g.recurrentKernel, 0, H);
  },
};
