/**
 * The few dense kernels the engine needs, over row-major typed arrays addressed by
 * (offset, row stride) so callers can work on slices of their workspaces without copying.
 * The products ACCUMULATE into `out` (out += ...); callers zero or preset `out` first
 * ({@link affineRows} and the `...From` kernels write it).
 * Everything is Float64 so the loops stay monomorphic.
 */

/**
 * out[r, j] += sum_k a[r, k] * b[j, k]  (a times b transposed): every output is a dot product of
 * two contiguous rows. The hot kernel of the recurrences (see {@link gemmBTFrom}, which it is
 * with `out` as its own preset).
 */
export function gemmAddBT(
  rows: number,
  inner: number,
  cols: number,
  a: Float64Array,
  aOff: number,
  aStride: number,
  b: Float64Array,
  bOff: number,
  bStride: number,
  out: Float64Array,
  outOff: number,
  outStride: number,
): void {
  gemmBTFrom(rows, inner, cols, a, aOff, aStride, b, bOff, bStride, out, outOff, outStride, out, outOff, outStride);
}

/**
 * out[r, j] = base[r, j] + sum_k a[r, k] * b[j, k]. With `base` = `out` this accumulates
 * ({@link gemmAddBT}); with the LSTM step's input projection as `base` it spares copying that
 * preset into the gate cache. Blocks of 2 rows x 4 columns keep 8 accumulators in registers,
 * so each load feeds 1.33 multiply-adds instead of 0.5; the sums run in the same order
 * whatever `base` is, so both uses are bit-identical to copy-then-accumulate.
 */
export function gemmBTFrom(
  rows: number,
  inner: number,
  cols: number,
  a: Float64Array,
  aOff: number,
  aStride: number,
  b: Float64Array,
  bOff: number,
  bStride: number,
  base: Float64Array,
  baseOff: number,
  baseStride: number,
  out: Float64Array,
  outOff: number,
  outStride: number,
): void {
  const inPlace = base === out && baseOff === outOff && baseStride === outStride;
  if (rows === 1) {
    if (!inPlace) copyRows(1, cols, base, baseOff, baseStride, out, outOff, outStride);
    gemvAddBT(inner, cols, a, aOff, b, bOff, bStride, out, outOff);
    return;
  }
  const cols4 = cols - (cols % 4);
  let r = 0;
  for (; r + 1 < rows; r += 2) {
    const a0 = aOff + r * aStride;
    const a1 = a0 + aStride;
    const p0 = baseOff + r * baseStride;
    const p1 = p0 + baseStride;
    const o0 = outOff + r * outStride;
    const o1 = o0 + outStride;
    let j = 0;
    for (; j < cols4; j += 4) {
      const b0 = bOff + j * bStride;
      const b1 = b0 + bStride;
      const b2 = b1 + bStride;
      const b3 = b2 + bStride;
      let s00 = 0;
      let s01 = 0;
      let s02 = 0;
      let s03 = 0;
      let s10 = 0;
      let s11 = 0;
      let s12 = 0;
      let s13 = 0;
      for (let k = 0; k < inner; k++) {
        const x0 = a[a0 + k];
        const x1 = a[a1 + k];
        const w0 = b[b0 + k];
        const w1 = b[b1 + k];
        const w2 = b[b2 + k];
        const w3 = b[b3 + k];
        s00 += x0 * w0;
        s01 += x0 * w1;
        s02 += x0 * w2;
        s03 += x0 * w3;
        s10 += x1 * w0;
        s11 += x1 * w1;
        s12 += x1 * w2;
        s13 += x1 * w3;
      }
      out[o0 + j] = base[p0 + j] + s00;
      out[o0 + j + 1] = base[p0 + j + 1] + s01;
      out[o0 + j + 2] = base[p0 + j + 2] + s02;
      out[o0 + j + 3] = base[p0 + j + 3] + s03;
      out[o1 + j] = base[p1 + j] + s10;
      out[o1 + j + 1] = base[p1 + j + 1] + s11;
      out[o1 + j + 2] = base[p1 + j + 2] + s12;
      out[o1 + j + 3] = base[p1 + j + 3] + s13;
    }
    for (; j < cols; j++) {
      const bj = bOff + j * bStride;
      let s0 = 0;
      let s1 = 0;
      for (let k = 0; k < inner; k++) {
        const w = b[bj + k];
        s0 += a[a0 + k] * w;
        s1 += a[a1 + k] * w;
      }
      out[o0 + j] = base[p0 + j] + s0;
      out[o1 + j] = base[p1 + j] + s1;
    }
  }
  if (r < rows) {
    // Odd last row: the single-row kernel on a preset row.
    const o0 = outOff + r * outStride;
    if (!inPlace) copyRows(1, cols, base, baseOff + r * baseStride, baseStride, out, o0, outStride);
    gemvAddBT(inner, cols, a, aOff + r * aStride, b, bOff, bStride, out, o0);
  }
}

/**
 * out[j] += sum_k a[k] * b[j, k]: the single-row case of {@link gemmAddBT} (scoring one window
 * at a time), kept in its own small function so V8 optimises it for exactly this shape.
 */
export function gemvAddBT(
  inner: number,
  cols: number,
  a: Float64Array,
  aOff: number,
  b: Float64Array,
  bOff: number,
  bStride: number,
  out: Float64Array,
  outOff: number,
): void {
  let j = 0;
  for (; j + 3 < cols; j += 4) {
    const b0 = bOff + j * bStride;
    const b1 = b0 + bStride;
    const b2 = b1 + bStride;
    const b3 = b2 + bStride;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let k = 0; k < inner; k++) {
      const x = a[aOff + k];
      s0 += x * b[b0 + k];
      s1 += x * b[b1 + k];
      s2 += x * b[b2 + k];
      s3 += x * b[b3 + k];
    }
    out[outOff + j] += s0;
    out[outOff + j + 1] += s1;
    out[outOff + j + 2] += s2;
    out[outOff + j + 3] += s3;
  }
  for (; j < cols; j++) {
    const bj = bOff + j * bStride;
    let s = 0;
    for (let k = 0; k < inner; k++) s += a[aOff + k] * b[bj + k];
    out[outOff + j] += s;
  }
}

/** out[r, 0..cols) = src[r, 0..cols) for `rows` rows: presets a product with a projection. */
export function copyRows(
  rows: number,
  cols: number,
  src: Float64Array,
  srcOff: number,
  srcStride: number,
  out: Float64Array,
  outOff: number,
  outStride: number,
): void {
  for (let r = 0; r < rows; r++) {
    const s = srcOff + r * srcStride;
    const o = outOff + r * outStride;
    for (let j = 0; j < cols; j++) out[o + j] = src[s + j];
  }
}

/**
 * out[k, j] += sum_r a[r, k] * b[r, j]  (a transposed times b): the weight-gradient product,
 * summing over all rows (batch x time) at once. Eight rows per pass, so each load and store of
 * `out` carries eight multiply-adds.
 */
export function gemmAddAT(
  rows: number,
  p: number,
  q: number,
  a: Float64Array,
  aOff: number,
  aStride: number,
  b: Float64Array,
  bOff: number,
  bStride: number,
  out: Float64Array,
  outOff: number,
  outStride: number,
): void {
  let r = 0;
  for (; r + 7 < rows; r += 8) {
    const a0 = aOff + r * aStride;
    const b0 = bOff + r * bStride;
    const b1 = b0 + bStride;
    const b2 = b1 + bStride;
    const b3 = b2 + bStride;
    const b4 = b3 + bStride;
    const b5 = b4 + bStride;
    const b6 = b5 + bStride;
    const b7 = b6 + bStride;
    for (let k = 0; k < p; k++) {
      const v0 = a[a0 + k];
      const v1 = a[a0 + aStride + k];
      const v2 = a[a0 + 2 * aStride + k];
      const v3 = a[a0 + 3 * aStride + k];
      const v4 = a[a0 + 4 * aStride + k];
      const v5 = a[a0 + 5 * aStride + k];
      const v6 = a[a0 + 6 * aStride + k];
      const v7 = a[a0 + 7 * aStride + k];
      const ok = outOff + k * outStride;
      for (let j = 0; j < q; j++) {
        out[ok + j] +=
          v0 * b[b0 + j] +
          v1 * b[b1 + j] +
          v2 * b[b2 + j] +
          v3 * b[b3 + j] +
          v4 * b[b4 + j] +
          v5 * b[b5 + j] +
          v6 * b[b6 + j] +
          v7 * b[b7 + j];
      }
    }
  }
  for (; r < rows; r++) {
    const ar = aOff + r * aStride;
    const br = bOff + r * bStride;
    for (let k = 0; k < p; k++) {
      const av = a[ar + k];
      const ok = outOff + k * outStride;
      for (let j = 0; j < q; j++) out[ok + j] += av * b[br + j];
    }
  }
}

/**
 * out[r, j] = bias[j] + sum_k a[r, k] * w[k, j]: a dense layer over `rows` rows in one pass
 * (bias first, then the products in k order). A single input (the ECG sample) is one
 * multiply-add per output; a single output (the reconstruction) is one dot product per row.
 *
 * @example
 * // x [B, in] -> y [B, out]
 * affineRows(B, inSize, outSize, x, 0, inSize, kernel, 0, outSize, bias, y, 0, outSize);
 */
export function affineRows(
  rows: number,
  inner: number,
  cols: number,
  a: Float64Array,
  aOff: number,
  aStride: number,
  w: Float64Array,
  wOff: number,
  wStride: number,
  bias: Float64Array,
  out: Float64Array,
  outOff: number,
  outStride: number,
): void {
  if (inner === 1) {
    for (let r = 0; r < rows; r++) {
      const av = a[aOff + r * aStride];
      const or = outOff + r * outStride;
      for (let j = 0; j < cols; j++) out[or + j] = bias[j] + av * w[wOff + j];
    }
    return;
  }
  for (let r = 0; r < rows; r++) {
    const ar = aOff + r * aStride;
    const or = outOff + r * outStride;
    for (let j = 0; j < cols; j++) {
      let s = bias[j];
      for (let k = 0; k < inner; k++) s += a[ar + k] * w[wOff + k * wStride + j];
      out[or + j] = s;
    }
  }
}

/** out[j] += sum_r a[r, j]: the bias gradient. */
export function colSumAdd(rows: number, cols: number, a: Float64Array, aOff: number, aStride: number, out: Float64Array): void {
  for (let r = 0; r < rows; r++) {
    const ar = aOff + r * aStride;
    for (let j = 0; j < cols; j++) out[j] += a[ar + j];
  }
}

/** out[c, r] = a[r, c]: a [rows, cols] matrix transposed into `out`. */
export function transpose(rows: number, cols: number, a: Float64Array, out: Float64Array): void {
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) out[c * rows + r] = a[r * cols + c];
  }
}
