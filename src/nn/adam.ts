import type { Floats } from './tensor';

/** Adam hyper-parameters (Kingma & Ba 2015); defaults are the paper's. */
export interface AdamOptions {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}

/** Paper defaults: beta1 0.9, beta2 0.999, epsilon 1e-8, learning rate 1e-3. */
export const DEFAULT_ADAM: AdamOptions = Object.freeze({ learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 });

/**
 * Adam over one flat parameter buffer. Moments are kept in Float64 whatever the parameter dtype,
 * so tiny second moments do not underflow in Float32.
 *
 * @example
 * const adam = new Adam(params.length, { learningRate: 3e-3 });
 * adam.step(params, grads);
 */
export class Adam {
  private readonly m: Float64Array;
  private readonly v: Float64Array;
  private t = 0;
  readonly options: AdamOptions;

  constructor(size: number, options: Partial<AdamOptions> = {}) {
    this.options = { ...DEFAULT_ADAM, ...options };
    this.m = new Float64Array(size);
    this.v = new Float64Array(size);
  }

  /** One update of `params` in place from `grads`. */
  step(params: Floats, grads: Float64Array): void {
    const { learningRate, beta1, beta2, epsilon } = this.options;
    this.t++;
    // Bias correction folded into the step size (the paper's "efficient version").
    const lr = (learningRate * Math.sqrt(1 - beta2 ** this.t)) / (1 - beta1 ** this.t);
    const m = this.m;
    const v = this.v;
    for (let i = 0; i < params.length; i++) {
      const g = grads[i];
      m[i] = beta1 * m[i] + (1 - beta1) * g;
      v[i] = beta2 * v[i] + (1 - beta2) * g * g;
      params[i] -= (lr * m[i]) / (Math.sqrt(v[i]) + epsilon);
    }
  }
}

/**
 * Scales `grads` in place so their global L2 norm is at most `maxNorm` (Pascanu et al. 2013);
 * returns the norm before clipping. `maxNorm` <= 0 or Infinity disables clipping.
 */
export function clipGlobalNorm(grads: Float64Array, maxNorm: number): number {
  let sq = 0;
  for (let i = 0; i < grads.length; i++) sq += grads[i] * grads[i];
  const norm = Math.sqrt(sq);
  if (maxNorm > 0 && Number.isFinite(maxNorm) && norm > maxNorm) {
    const s = maxNorm / norm;
    for (let i = 0; i < grads.length; i++) grads[i] *= s;
  }
  return norm;
}
