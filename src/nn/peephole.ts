import type { Floats } from './tensor';
import type { Cell, CellGrads, CellWeights } from './cell';
import { createActivations } from './activations';
import { copyRows, gemmAddAT, gemmAddBT } from './linalg';

// A set of its own, so V8 reads the exp tables as constants (see createActivations).
const { sigmoid, tanh } = createActivations();

/**
 * Peephole LSTM (Gers & Schmidhuber 2000): the gates also see the cell state through diagonal
 * weights. The input and forget gates see c(t-1); the output gate sees the new c(t):
 *
 *   i = sigmoid(x Wi + h Ui + pi * c + bi)
 *   f = sigmoid(x Wf + h Uf + pf * c + bf)
 *   g = tanh(x Wc + h Uc + bc)
 *   c' = f * c + i * g
 *   o = sigmoid(x Wo + h Uo + po * c' + bo)
 *   h' = o * tanh(c')
 *
 * Same fused layout as {@link lstmCell} plus three [H] vectors `peephole_input`,
 * `peephole_forget`, `peephole_output` (initialised to 0: training starts from a plain LSTM).
 */
export const peepholeCell: Cell = {
  kind: 'peephole',
  gates: 4,
  hasCellState: true,
  extraParams: ['peephole_input', 'peephole_forget', 'peephole_output'],
  initBias(bias: Floats, units: number): void {
    bias.fill(0);
    for (let u = units; u < 2 * units; u++) bias[u] = 1;
  },
  forward(w, B, xp, xpOff, hPrev, hpOff, cPrev, cpOff, gates, gOff, h, hOff, c, cOff): void {
    const H = w.units;
    const G = 4 * H;
    const pi = w.extras[0];
    const pf = w.extras[1];
    const po = w.extras[2];
    copyRows(B, G, xp, xpOff, G, gates, gOff, G);
    gemmAddBT(B, H, G, hPrev, hpOff, H, w.recurrentKernelT, 0, H, gates, gOff, G);
    for (let b = 0; b < B; b++) {
      const gr = gOff + b * G;
      for (let u = 0; u < H; u++) {
        const cp = cPrev[cpOff + b * H + u];
        const i = sigmoid(gates[gr + u] + pi[u] * cp);
        const f = sigmoid(gates[gr + H + u] + pf[u] * cp);
        const gg = tanh(gates[gr + 2 * H + u]);
        const cc = f * cp + i * gg;
        const o = sigmoid(gates[gr + 3 * H + u] + po[u] * cc);
        c[cOff + b * H + u] = cc;
        h[hOff + b * H + u] = o * tanh(cc);
        gates[gr + u] = i;
        gates[gr + H + u] = f;
        gates[gr + 2 * H + u] = gg;
        gates[gr + 3 * H + u] = o;
      }
    }
  },
  backward(w, g, B, gates, gOff, _hPrev, _hpOff, cPrev, cpOff, c, cOff, dh, dc, dz, dzOff, dhPrev): void {
    const H = w.units;
    const G = 4 * H;
    const pi = w.extras[0];
    const pf = w.extras[1];
    const po = w.extras[2];
    const gpi = g.extras[0];
    const gpf = g.extras[1];
    const gpo = g.extras[2];
    for (let b = 0; b < B; b++) {
      const gr = gOff + b * G;
      const zr = dzOff + b * G;
      for (let u = 0; u < H; u++) {
        const i = gates[gr + u];
        const f = gates[gr + H + u];
        const gg = gates[gr + 2 * H + u];
        const o = gates[gr + 3 * H + u];
        const cc = c[cOff + b * H + u];
        const cp = cPrev[cpOff + b * H + u];
        const tc = tanh(cc);
        const dhv = dh[b * H + u];
        const dzo = dhv * tc * o * (1 - o);
        // c(t) reaches the loss through h(t), through c(t+1) and through the output peephole.
        const dcv = dc[b * H + u] + dhv * o * (1 - tc * tc) + dzo * po[u];
        const dzi = dcv * gg * i * (1 - i);
        const dzf = dcv * cp * f * (1 - f);
        dz[zr + u] = dzi;
        dz[zr + H + u] = dzf;
        dz[zr + 2 * H + u] = dcv * i * (1 - gg * gg);
        dz[zr + 3 * H + u] = dzo;
        dc[b * H + u] = dcv * f + dzi * pi[u] + dzf * pf[u];
        gpi[u] += dzi * cp;
        gpf[u] += dzf * cp;
        gpo[u] += dzo * cc;
      }
    }
    dhPrev.fill(0, 0, B * H);
    gemmAddBT(B, G, H, dz, dzOff, G, w.recurrentKernel, 0, G, dhPrev, 0, H);
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
