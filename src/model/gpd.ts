/**
 * Generalised Pareto distribution (GPD) fitted to threshold excesses by maximum likelihood,
 * using Grimshaw's reduction of the two-parameter problem to one equation in x = γ/σ
 * (S. D. Grimshaw, "Computing maximum likelihood estimates for the generalized Pareto
 * distribution", Technometrics 35(2), 1993), as SPOT does for streaming thresholds
 * (Siffer et al., KDD 2017).
 */

/** GPD parameters: shape γ (xi) and scale σ > 0. γ = 0 is the exponential tail. */
export interface GpdFit {
  shape: number;
  scale: number;
  /** Log-likelihood of the excesses under the fit. */
  logLikelihood: number;
}

/** Log-likelihood of excesses `y` (all ≥ 0) under GPD(shape, scale); -Infinity off support. */
export function gpdLogLikelihood(y: ArrayLike<number>, shape: number, scale: number): number {
  const n = y.length;
  if (!(scale > 0)) return -Infinity;
  if (Math.abs(shape) < 1e-12) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += y[i];
    return -n * Math.log(scale) - sum / scale;
  }
  let sumLog = 0;
  for (let i = 0; i < n; i++) {
    const z = 1 + (shape * y[i]) / scale;
    if (z <= 0) return -Infinity;
    sumLog += Math.log(z);
  }
  return -n * Math.log(scale) - (1 + 1 / shape) * sumLog;
}

/** The GPD parameters implied by a root candidate x = γ/σ (Grimshaw): γ = v(x) − 1, σ = γ/x. */
function candidateAt(y: ArrayLike<number>, x: number): { shape: number; scale: number } {
  let sumLog = 0;
  for (let i = 0; i < y.length; i++) sumLog += Math.log1p(x * y[i]);
  const shape = sumLog / y.length;
  return { shape, scale: shape / x };
}

/** Grimshaw's equation w(x) = u(x)·v(x) − 1, zero at the likelihood's stationary points. */
function grimshaw(y: ArrayLike<number>, x: number): number {
  let u = 0;
  let v = 0;
  for (let i = 0; i < y.length; i++) {
    u += 1 / (1 + x * y[i]);
    v += Math.log1p(x * y[i]);
  }
  const n = y.length;
  return (u / n) * (1 + v / n) - 1;
}

/** Log-spaced nodes from `from` to `to` (same sign, |from| < |to|), `count` of them. */
function logNodes(from: number, to: number, count: number): number[] {
  const sign = Math.sign(to);
  const a = Math.log(Math.abs(from));
  const b = Math.log(Math.abs(to));
  return Array.from({ length: count }, (_, k) => sign * Math.exp(a + ((b - a) * k) / (count - 1)));
}

/** Sign changes of w between consecutive sorted `nodes`, each bisected to full precision. */
function rootsAmong(y: ArrayLike<number>, nodes: number[]): number[] {
  const roots: number[] = [];
  for (let k = 1; k < nodes.length; k++) {
    let left = nodes[k - 1];
    let right = nodes[k];
    let fl = grimshaw(y, left);
    const fr = grimshaw(y, right);
    if (!Number.isFinite(fl) || !Number.isFinite(fr) || fl * fr > 0) continue;
    for (let it = 0; it < 200 && right - left > 1e-15 * Math.max(Math.abs(left), Math.abs(right)); it++) {
      const mid = 0.5 * (left + right);
      const fm = grimshaw(y, mid);
      if (fl * fm <= 0) right = mid;
      else {
        left = mid;
        fl = fm;
      }
    }
    roots.push(0.5 * (left + right));
  }
  return roots;
}

/**
 * Maximum-likelihood GPD fit of non-negative excesses. Candidates are the exponential fit
 * (γ = 0, σ = mean) and every root of Grimshaw's equation on the two intervals where roots
 * can lie; the candidate with the highest likelihood wins, so the result is never worse than
 * the exponential tail.
 *
 * @throws RangeError when there are fewer than 2 excesses, one is negative or not finite, or
 *   all are zero.
 * @example
 * const fit = fitGpd(Float64Array.from([0.1, 0.4, 0.05, 1.2, 0.3]));
 * fit.shape; fit.scale;
 */
export function fitGpd(excesses: ArrayLike<number>): GpdFit {
  const n = excesses.length;
  if (n < 2) throw new RangeError(`fitGpd: needs at least 2 excesses, got ${n}`);
  let min = Infinity;
  let max = -Infinity;
  let mean = 0;
  for (let i = 0; i < n; i++) {
    const v = excesses[i];
    if (!Number.isFinite(v) || v < 0) throw new RangeError(`fitGpd: excess ${i} must be a finite number >= 0, got ${v}`);
    min = Math.min(min, v);
    max = Math.max(max, v);
    mean += v;
  }
  mean /= n;
  if (max === 0) throw new RangeError('fitGpd: all excesses are zero');

  let best: GpdFit = { shape: 0, scale: mean, logLikelihood: gpdLogLikelihood(excesses, 0, mean) };
  // Roots lie in (-1/max, 0) and (0, 2(mean - min)/min²) (Grimshaw 1993); x = 0 is a trivial
  // root of w and is excluded. Roots may crowd either end, so the scan mixes linear nodes with
  // log-spaced ones towards 0 and towards -1/max.
  const eps = 1e-9 / mean;
  const lower = -1 / max;
  const upper = min > 0 ? Math.min((2 * (mean - min)) / (min * min), 1e9 / mean) : 1e9 / mean;
  const negative = [
    ...Array.from({ length: 199 }, (_, k) => lower + (-lower * (k + 1)) / 200),
    ...logNodes(-eps, lower * 0.5, 200),
    ...logNodes(lower * 1e-9, lower * 0.5, 100).map((d) => lower - d),
  ].filter((x) => x > lower && x < 0);
  negative.sort((a, b) => a - b);
  const positive = upper > eps ? logNodes(eps, upper, 400) : [];
  const candidates = [...rootsAmong(excesses, negative), ...rootsAmong(excesses, positive)];
  for (const x of candidates) {
    const { shape, scale } = candidateAt(excesses, x);
    const logLikelihood = gpdLogLikelihood(excesses, shape, scale);
    if (logLikelihood > best.logLikelihood) best = { shape, scale, logLikelihood };
  }
  return best;
}

/**
 * Upper quantile of the POT model: the level exceeded with probability `risk` overall, given
 * the initial threshold `t`, its GPD fit, and that `peaks` of `total` observations exceeded
 * `t`. Formula of SPOT: z = t + σ/γ · ((risk·total/peaks)^(−γ) − 1), or t − σ·ln(risk·total/peaks)
 * when γ = 0.
 */
export function potQuantile(t: number, fit: Pick<GpdFit, 'shape' | 'scale'>, risk: number, peaks: number, total: number): number {
  const r = (risk * total) / peaks;
  if (Math.abs(fit.shape) < 1e-12) return t - fit.scale * Math.log(r);
  return t + (fit.scale / fit.shape) * (Math.pow(r, -fit.shape) - 1);
}
