/**
 * The few dense kernels the engine needs, over row-major typed arrays addressed by
 * (offset, row stride) so callers can work on slices of their workspaces without copying.
 * All of them ACCUMULATE into `out` (out += ...); callers zero or preset `out` first.
 * Everything is Float64 so the loops stay monomorphic.
 */

/**
 * out[r, j] += sum_k a[r, k] * w[k, j]  for r < rows, j < cols, k < inner.
 * Loop order r, k, j keeps the innermost loop contiguous in `w` and `out`.
 */
export function gemmAdd(
  rows: number, inner: number, cols: number,
  a: Float64Array, aOff: number, aStride: number,
  w: Float64Array, wOff: number, wStride: number,
  out: Float64Array, outOff: number, outStride: number,
): void {
  for (let r = 0; r < rows; r++) {
    const ar = aOff + r * aStride;
    const or = outOff + r * outStride;
    for (let k = 0; k < inner; k++) {
      const av = a[ar + k];
      if (av === 0) continue;
      const wk = wOff + k * wStride;
      for (let j = 0; j < cols; j++) out[or + j] += av * w[wk + j];
    }
  }
}

/**
 * out[r, j] += sum_k a[r, k] * b[j, k]  (a times b transposed): each output is a dot product of
 * two contiguous rows, so it accumulates in a register. Two rows of `a` share each load of `b`.
 */
export function gemmAddBT(
  rows: number, inner: number, cols: number,
  a: Float64Array, aOff: number, aStride: number,
  b: Float64Array, bOff: number, bStride: number,
  out: Float64Array, outOff: number, outStride: number,
): void {
  let r = 0;
  for (; r + 1 < rows; r += 2) {
    const a0 = aOff + r * aStride;
    const a1 = a0 + aStride;
    const o0 = outOff + r * outStride;
    const o1 = o0 + outStride;
    for (let j = 0; j < cols; j++) {
      const bj = bOff + j * bStride;
      let s0 = 0;
      let s1 = 0;
      for (let k = 0; k < inner; k++) {
        const bv = b[bj + k];
        s0 += a[a0 + k] * bv;
        s1 += a[a1 + k] * bv;
      }
      out[o0 + j] += s0;
      out[o1 + j] += s1;
    }
  }
  for (; r < rows; r++) {
    const a0 = aOff + r * aStride;
    const o0 = outOff + r * outStride;
    for (let j = 0; j < cols; j++) {
      const bj = bOff + j * bStride;
      let s0 = 0;
      for (let k = 0; k < inner; k++) s0 += a[a0 + k] * b[bj + k];
      out[o0 + j] += s0;
    }
  }
}

/**
 * out[k, j] += sum_r a[r, k] * b[r, j]  (a transposed times b): the weight-gradient product,
 * summing over all rows (batch x time) at once.
 */
export function gemmAddAT(
  rows: number, p: number, q: number,
  a: Float64Array, aOff: number, aStride: number,
  b: Float64Array, bOff: number, bStride: number,
  out: Float64Array, outOff: number, outStride: number,
): void {
  for (let r = 0; r < rows; r++) {
    const ar = aOff + r * aStride;
    const br = bOff + r * bStride;
    for (let k = 0; k < p; k++) {
      const av = a[ar + k];
      if (av === 0) continue;
      const ok = outOff + k * outStride;
      for (let j = 0; j < q; j++) out[ok + j] += av * b[br + j];
    }
  }
}

/** out[r, j] = bias[j] for every row: presets a product's output with its bias. */
export function fillRows(rows: number, cols: number, bias: Float64Array, out: Float64Array, outOff: number, outStride: number): void {
  for (let r = 0; r < rows; r++) {
    const or = outOff + r * outStride;
    for (let j = 0; j < cols; j++) out[or + j] = bias[j];
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

/** Logistic sigmoid. */
export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}
