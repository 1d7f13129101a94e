import type { Floats } from './tensor';
import type { Cell, CellGrads, CellWeights } from './cell';
import { sigmoid, tanh } from './activations';
import { gemmAddAT } from './linalg';

/**
 * Gated recurrent unit (Cho et al. 2014, the original form where the reset gate acts before the
 * recurrent product), tfjs-layers' gate order z, r, h:
 *
 *   z = sigmoid(x Wz + h Uz + bz)            update gate
 *   r = sigmoid(x Wr + h Ur + br)            reset gate
 *   n = tanh(x Wh + (r * h) Uh + bh)         candidate
 *   h' = z * h + (1 - z) * n
 *
 * The gate cache holds z, r, n per step; r * h is recomputed where needed.
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
    for (let b = 0; b < B; b++) {
      const xr = xpOff + b * G;
      const hr = hpOff + b * H;
      const gr = gOff + b * G;
      for (let u = 0; u < H; u++) {
        let az = xp[xr + u];
        let ar = xp[xr + H + u];
        const rz = u * H;
        const rr = (H + u) * H;
        for (let k = 0; k < H; k++) {
          const hk = hPrev[hr + k];
          az += hk * UT[rz + k];
          ar += hk * UT[rr + k];
        }
        const r = sigmoid(ar);
        gates[gr + u] = sigmoid(az);
        gates[gr + H + u] = r;
        rh[u] = r * hPrev[hr + u];
      }
      for (let u = 0; u < H; u++) {
        let an = xp[xr + 2 * H + u];
        const rn = (2 * H + u) * H;
        for (let k = 0; k < H; k++) an += rh[k] * UT[rn + k];
        const n = tanh(an);
        const z = gates[gr + u];
        gates[gr + 2 * H + u] = n;
        h[hOff + b * H + u] = z * hPrev[hr + u] + (1 - z) * n;
      }
    }
  },
  backward(w, _g, B, gates, gOff, hPrev, hpOff, _cPrev, _cpOff, _c, _cOff, dh, _dc, dz, dzOff, dhPrev): void {
    const H = w.units;
    const G = 3 * H;
    const U = w.recurrentKernel;
    for (let b = 0; b < B; b++) {
      const gr = gOff + b * G;
      const zr = dzOff + b * G;
      const hr = hpOff + b * H;
      const dr = b * H;
      for (let u = 0; u < H; u++) {
        const z = gates[gr + u];
        const n = gates[gr + 2 * H + u];
        const dhv = dh[dr + u];
        dz[zr + u] = dhv * (hPrev[hr + u] - n) * z * (1 - z);
        dz[zr + 2 * H + u] = dhv * (1 - z) * (1 - n * n);
        dhPrev[dr + u] = dhv * z;
      }
      // d(r*h) = dn_pre Uh^T, then split into the reset gate and h(t-1).
      for (let k = 0; k < H; k++) {
        const uk = k * G + 2 * H;
        let drh = 0;
        for (let u = 0; u < H; u++) drh += dz[zr + 2 * H + u] * U[uk + u];
        const r = gates[gr + H + k];
        const hp = hPrev[hr + k];
        dz[zr + H + k] = drh * hp * r * (1 - r);
        dhPrev[dr + k] += drh * r;
      }
      // The z and r pre-activations reach h(t-1) through Uz and Ur.
      for (let k = 0; k < H; k++) {
        const uk = k * G;
        let s = 0;
        for (let j = 0; j < 2 * H; j++) s += dz[zr + j] * U[uk + j];
        dhPrev[dr + k] += s;
      }
    }
  },
  accumulateRecurrentGrad(w: CellWeights, g: CellGrads, rows: number, hPrevAll: Float64Array, gatesAll: Float64Array, dzAll: Float64Array, scratch: Float64Array): void {
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
