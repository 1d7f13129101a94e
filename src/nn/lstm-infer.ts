import type { CellWeights } from './cell';
import { createActivations } from './activations';

// A set of its own, so V8 reads the exp tables as constants (see createActivations).
const { expClamped } = createActivations();

/**
 * LSTM step for scoring: the same function as {@link lstmForward} (results differ by Float64
 * rounding only) without the gate cache that backpropagation needs, so it can do less work:
 *
 * - the recurrent product reads the unit-pair packed kernel (`recurrentKernelPaired`, see
 *   `packUnitPairs`): one running index per block instead of one per gate row. Two rows share
 *   each weight load (8 accumulators: 2 rows x 4 gates of one unit); a single row takes two
 *   units at a time instead (8 accumulators: 2 units x 4 gates), which is what makes batch-1
 *   scoring fast;
 * - the state update is one fraction per value. With E = 1 + e^-z for i, f and o and
 *   Eg = e^2zg (so g = (Eg - 1) / (Eg + 1)):
 *
 *     c' = f c + i g = (c Ei (Eg + 1) + (Eg - 1) Ef) / (Ef Ei (Eg + 1))
 *     h' = o tanh(c') = (Ec - 1) / (Eo (Ec + 1)),  Ec = e^2c'
 *
 *   two divisions instead of five, and no gate values stored.
 *
 * Pre-activations are summed in the same order as the training kernels (products from zero,
 * then the input projection added), so they are bit-identical to {@link lstmForward}'s.
 *
 * The loops are written for V8's code generator (checked in its disassembly and by same-process
 * A/B timing): running indices instead of `base + offset + u` expressions, and `(q + c) | 0`
 * for weight indices, which tells V8 the sum is an int32 so it drops an overflow check per
 * index. Both are exact (indices stay far below 2^31).
 *
 * All [B, H] blocks start at offset 0 with stride H; `xp` holds B rows of x W + b at `xpOff`.
 * `z` is scratch of at least min(B, 2) * 4H elements.
 */
export function lstmInferStep(
  w: CellWeights,
  B: number,
  xp: Float64Array,
  xpOff: number,
  hPrev: Float64Array,
  cPrev: Float64Array,
  h: Float64Array,
  c: Float64Array,
  z: Float64Array,
): void {
  const H = w.units;
  const G = 4 * H;
  let b = 0;
  for (; b + 1 < B; b += 2) {
    twoRowProduct(H, w.recurrentKernelPaired, xp, xpOff + b * G, hPrev, b * H, z);
    updateState(H, z, 0, cPrev, b * H, c, h);
    updateState(H, z, G, cPrev, (b + 1) * H, c, h);
  }
  if (b < B) {
    oneRowProduct(H, w.recurrentKernelPaired, xp, xpOff + b * G, hPrev, b * H, z);
    updateState(H, z, 0, cPrev, b * H, c, h);
  }
}

/**
 * Pre-activations of rows `h0` and `h0 + H` of `hPrev` into `z` [2, 4H]: per unit, 2 rows x 4
 * gates share each weight load. (The one- and two-row kernels are separate functions so V8
 * optimises each for the path it actually runs: batch-1 scoring never enters this one.)
 */
function twoRowProduct(H: number, P: Float64Array, xp: Float64Array, x0: number, hPrev: Float64Array, h0: number, z: Float64Array): void {
  const G = 4 * H;
  const x1 = x0 + G;
  for (let u = 0; u < H; u++) {
    let q = (u >> 1) * H * 8 + (u & 1) * 4;
    let ai = 0;
    let af = 0;
    let ag = 0;
    let ao = 0;
    let bi = 0;
    let bf = 0;
    let bg = 0;
    let bo = 0;
    for (let k = h0, end = h0 + H; k < end; k++) {
      const p0 = hPrev[k];
      const p1 = hPrev[(k + H) | 0];
      const wi = P[q];
      const wf = P[(q + 1) | 0];
      const wg = P[(q + 2) | 0];
      const wo = P[(q + 3) | 0];
      ai += p0 * wi;
      af += p0 * wf;
      ag += p0 * wg;
      ao += p0 * wo;
      bi += p1 * wi;
      bf += p1 * wf;
      bg += p1 * wg;
      bo += p1 * wo;
      q = (q + 8) | 0;
    }
    z[u] = xp[x0 + u] + ai;
    z[H + u] = xp[x0 + H + u] + af;
    z[2 * H + u] = xp[x0 + 2 * H + u] + ag;
    z[3 * H + u] = xp[x0 + 3 * H + u] + ao;
    z[G + u] = xp[x1 + u] + bi;
    z[G + H + u] = xp[x1 + H + u] + bf;
    z[G + 2 * H + u] = xp[x1 + 2 * H + u] + bg;
    z[G + 3 * H + u] = xp[x1 + 3 * H + u] + bo;
  }
}

/** Pre-activations of row `h0` of `hPrev` into `z` [4H]: two units x 4 gates per weight pass. */
function oneRowProduct(H: number, P: Float64Array, xp: Float64Array, x0: number, hPrev: Float64Array, h0: number, z: Float64Array): void {
  for (let u = 0; u < H; u += 2) {
    let q = (u >> 1) * H * 8;
    let si = 0;
    let sf = 0;
    let sg = 0;
    let so = 0;
    let ti = 0;
    let tf = 0;
    let tg = 0;
    let to = 0;
    for (let k = h0, end = h0 + H; k < end; k++) {
      const p = hPrev[k];
      si += p * P[q];
      sf += p * P[(q + 1) | 0];
      sg += p * P[(q + 2) | 0];
      so += p * P[(q + 3) | 0];
      ti += p * P[(q + 4) | 0];
      tf += p * P[(q + 5) | 0];
      tg += p * P[(q + 6) | 0];
      to += p * P[(q + 7) | 0];
      q = (q + 8) | 0;
    }
    z[u] = xp[x0 + u] + si;
    z[H + u] = xp[x0 + H + u] + sf;
    z[2 * H + u] = xp[x0 + 2 * H + u] + sg;
    z[3 * H + u] = xp[x0 + 3 * H + u] + so;
    if (u + 1 < H) {
      z[u + 1] = xp[x0 + u + 1] + ti;
      z[H + u + 1] = xp[x0 + H + u + 1] + tf;
      z[2 * H + u + 1] = xp[x0 + 2 * H + u + 1] + tg;
      z[3 * H + u + 1] = xp[x0 + 3 * H + u + 1] + to;
    }
  }
}

/** e^x with x clamped to [-40, 40], the range {@link expClamped} takes (NaN passes through). */
function expWithin40(x: number): number {
  return expClamped(x < -40 ? -40 : x > 40 ? 40 : x);
}

/**
 * c' and h' of one row from its pre-activations `z[zOff ..]` (gate blocks i, f, c, o), which
 * it overwrites. The exponentials run first, each block in a loop of its own (one exp per
 * iteration keeps few constants live, so V8 keeps everything in registers and the iterations
 * overlap), then the two fractions: measured a few percent faster than one loop doing it all.
 */
function updateState(H: number, z: Float64Array, zOff: number, cPrev: Float64Array, off: number, c: Float64Array, h: Float64Array): void {
  const gOff = zOff + 2 * H;
  const oOff = gOff + H;
  const zEnd = oOff + H;
  for (let j = zOff; j < gOff; j++) z[j] = expWithin40(-z[j]);
  for (let j = gOff; j < oOff; j++) z[j] = expWithin40(2 * z[j]);
  for (let j = oOff; j < zEnd; j++) z[j] = expWithin40(-z[j]);
  const end = off + H;
  for (let n = off, zi = zOff; n < end; n++, zi++) {
    const ei = 1 + z[zi];
    const ef = 1 + z[(zi + H) | 0];
    const eg = z[(zi + 2 * H) | 0];
    const egp = eg + 1;
    const cc = (cPrev[n] * ei * egp + (eg - 1) * ef) / (ef * ei * egp);
    c[n] = cc;
    z[(zi + 2 * H) | 0] = 2 * cc;
  }
  for (let j = gOff; j < oOff; j++) z[j] = expWithin40(z[j]);
  for (let n = off, zi = gOff; n < end; n++, zi++) {
    const ec = z[zi];
    h[n] = (ec - 1) / ((1 + z[(zi + H) | 0]) * (ec + 1));
  }
}
