import type { Floats } from './tensor';
import type { Cell, CellGrads, CellWeights } from './cell';
import { createActivations } from './activations';
import { copyRows, gemmAddAT, gemmAddBT } from './linalg';

// A set of its own, so V8 reads the exp tables as constants (see createActivations).
const { sigmoid, tanh } = createActivations();

/** Rows per chunk of the GRU step: bounds the r * h scratch (GRU_CHUNK x H) a layer allocates. */
export const GRU_CHUNK = 64;

/**
 * Gated recurrent unit (Cho et al. 2014, the original form where the reset gate acts before the
 * recurrent product), tfjs-layers' gate order z, r, h:
 *
 *   z = sigmoid(x Wz + h Uz + bz)            update gate
 *   r = sigmoid(x Wr + h Ur + br)            reset gate
 *   n = tanh(x Wh + (r * h) Uh + bh)         candidate
 *   h' = z * h + (1 - z) * n
 *
 * The gate cache holds z, r, n per step; r * h is recomputed where needed. Rows are processed in
 * chunks of {@link GRU_CHUNK} so r * h for a chunk fits the layer's scratch.
 */
export const gruCell: Cell = {
  kind: 'gru',
  gates: 3,
  hasCellState: false,
  extraParams: [],
  initBias(bias: Floats): void {
    bias.fill(0);
  },
  forward(w, B, xp, xpOff, hPrev, hpOff, _cPrev, _cpOff, gates, gOff, h, hOff): void {
    const H = w.units;
    const G = 3 * H;
    const UT = w.recurrentKernelT;
    const rh = w.scratch;
    copyRows(B, G, xp, xpOff, G, gates, gOff, G);
    // z and r: h(t-1) times the first 2H columns of U.
    gemmAddBT(B, H, 2 * H, hPrev, hpOff, H, UT, 0, H, gates, gOff, G);
    for (let from = 0; from < B; from += GRU_CHUNK) {
      const rows = Math.min(GRU_CHUNK, B - from);
      for (let b = 0; b < rows; b++) {
        const gr = gOff + (from + b) * G;
        const hr = hpOff + (from + b) * H;
        for (let u = 0; u < H; u++) {
          const r = sigmoid(gates[gr + H + u]);
          gates[gr + u] = sigmoid(gates[gr + u]);
          gates[gr + H + u] = r;
          rh[b * H + u] = r * hPrev[hr + u];
        }
      }
      // Candidate: (r * h) times the last H columns of U.
      gemmAddBT(rows, H, H, rh, 0, H, UT, 2 * H * H, H, gates, gOff + from * G + 2 * H, G);
      for (let b = 0; b < rows; b++) {
        const gr = gOff + (from + b) * G;
        const hr = hpOff + (from + b) * H;
        const ho = hOff + (from + b) * H;
        for (let u = 0; u < H; u++) {
          const n = tanh(gates[gr + 2 * H + u]);
          const z = gates[gr + u];
          gates[gr + 2 * H + u] = n;
          h[ho + u] = z * hPrev[hr + u] + (1 - z) * n;
        }
      }
    }
  },
  backward(w, _g, B, gates, gOff, hPrev, hpOff, _cPrev, _cpOff, _c, _cOff, dh, _dc, dz, dzOff, dhPrev): void {
    const H = w.units;
    const G = 3 * H;
    const U = w.recurrentKernel;
    const drh = w.scratch;
    for (let from = 0; from < B; from += GRU_CHUNK) {
      const rows = Math.min(GRU_CHUNK, B - from);
      for (let b = 0; b < rows; b++) {
        const gr = gOff + (from + b) * G;
        const zr = dzOff + (from + b) * G;
        const hr = hpOff + (from + b) * H;
        const dr = (from + b) * H;
        for (let u = 0; u < H; u++) {
          const z = gates[gr + u];
          const n = gates[gr + 2 * H + u];
          const dhv = dh[dr + u];
          dz[zr + u] = dhv * (hPrev[hr + u] - n) * z * (1 - z);
          dz[zr + 2 * H + u] = dhv * (1 - z) * (1 - n * n);
          dhPrev[dr + u] = dhv * z;
        }
      }
      // d(r * h) = dn_pre Uh^T, then split between the reset gate and h(t-1).
      drh.fill(0, 0, rows * H);
      gemmAddBT(rows, H, H, dz, dzOff + from * G + 2 * H, G, U, 2 * H, G, drh, 0, H);
      for (let b = 0; b < rows; b++) {
        const gr = gOff + (from + b) * G;
        const zr = dzOff + (from + b) * G;
        const hr = hpOff + (from + b) * H;
        const dr = (from + b) * H;
        for (let k = 0; k < H; k++) {
          const r = gates[gr + H + k];
          const d = drh[b * H + k];
          dz[zr + H + k] = d * hPrev[hr + k] * r * (1 - r);
          dhPrev[dr + k] += d * r;
        }
      }
    }
    // The z and r pre-activations reach h(t-1) through Uz and Ur.
    gemmAddBT(B, 2 * H, H, dz, dzOff, G, U, 0, G, dhPrev, 0, H);
  },
  accumulateRecurrentGrad(
    w: CellWeights,
    g: CellGrads,
    rows: number,
    hPrevAll: Float64Array,
    gatesAll: Float64Array,
    dzAll: Float64Array,
    scratch: Float64Array,
  ): void {
    const H = w.units;
    const G = 3 * H;
    // Uz, Ur multiply h(t-1); Uh multiplies r * h(t-1).
    gemmAddAT(rows, H, 2 * H, hPrevAll, 0, H, dzAll, 0, G, g.recurrentKernel, 0, G);
    for (let n = 0; n < rows; n++) {
      for (let k = 0; k < H; k++) scratch[n * H + k] = gatesAll[n * G + H + k] * hPrevAll[n * H + k];
    }
    gemmAddAT(rows, H, H, scratch, 0, H, dzAll, 2 * H, G, g.recurrentKernel, 2 * H, G);
  },
};
