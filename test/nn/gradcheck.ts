// Shared finite-difference helpers for the gradient-check tests (not a test file itself).

/** Relative error ||a - b|| / max(||a|| + ||b||, tiny) between two gradient vectors. */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let diff = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    diff += (a[i] - b[i]) ** 2;
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return Math.sqrt(diff) / Math.max(Math.sqrt(na) + Math.sqrt(nb), 1e-300);
}

/**
 * Central-difference gradient of `loss` w.r.t. every element of `values` (perturbed in place
 * and restored). `refresh` runs after each perturbation (e.g. to resync derived weights).
 */
export function numericGradient(values: Float64Array, loss: () => number, eps: number, refresh: () => void = () => {}): Float64Array {
  const g = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    values[i] = v + eps;
    refresh();
    const up = loss();
    values[i] = v - eps;
    refresh();
    const down = loss();
    values[i] = v;
    refresh();
    g[i] = (up - down) / (2 * eps);
  }
  return g;
}
