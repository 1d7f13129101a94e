import type { AutoencoderConfig } from './config';
import { resolveAutoencoderConfig } from './config';
import type { DType } from './tensor';
import { sizeOf } from './tensor';
import { AutoencoderNet } from './net';
import { InferenceRunner } from './infer';
import { TrainingPass } from './train-pass';
import { createRandom } from '../random';
import type { SerializedAutoencoder, WeightTensor } from './serialize';
import { parseSerializedAutoencoder, serializeAutoencoder } from './serialize';

/** Options of {@link SequenceAutoencoder.create}. */
export interface CreateOptions {
  /** Seed of the weight initialisation. Default 1. */
  seed?: number;
  /** Storage and workspace precision. Default `float32`; `float64` for gradient checks. */
  dtype?: DType;
}

/** Windows scored per internal batch: large enough to amortise weight loads, small enough to stay in cache. */
export const DEFAULT_SCORE_BATCH = 256;

/**
 * Sequence-to-sequence LSTM (or peephole/GRU/RNN) autoencoder: a many-to-one encoder whose last
 * hidden state is the latent (optionally projected to `latent` units), a decoder fed that latent
 * at every step (RepeatVector), and a time-distributed dense output reconstructing each window.
 * A window's score is its reconstruction error.
 *
 * @example
 * const model = SequenceAutoencoder.create({ steps: 140 }, { seed: 7 });
 * await trainAutoencoder(model, windows, count, { epochs: 30 });
 * const scores = model.score(windows, count); // one error per window, higher = more anomalous
 */
export class SequenceAutoencoder {
  /** @internal Layers and flat parameter storage (used by the trainer). */
  readonly net: AutoencoderNet;
  private runner: InferenceRunner | null = null;
  private pass: TrainingPass | null = null;

  private constructor(
    readonly config: AutoencoderConfig,
    readonly dtype: DType,
  ) {
    this.net = new AutoencoderNet(config, dtype);
  }

  /**
   * Builds a freshly initialised model. Missing config fields take
   * {@link DEFAULT_AUTOENCODER_CONFIG} (inputSize 1, hidden 32, latent = hidden, 1 + 1 layers,
   * mse, lstm). Glorot kernels, orthogonal recurrent kernels, LSTM forget bias 1; seeded.
   */
  static create(config: Partial<AutoencoderConfig> & { steps: number }, options: CreateOptions = {}): SequenceAutoencoder {
    const dtype = options.dtype ?? 'float32';
    if (dtype !== 'float32' && dtype !== 'float64')
      throw new TypeError(`options.dtype must be "float32" or "float64", got ${JSON.stringify(dtype)}`);
    const model = new SequenceAutoencoder(resolveAutoencoderConfig(config), dtype);
    model.net.initialize(createRandom(options.seed ?? 1));
    return model;
  }

  /** Number of trainable scalars. */
  parameterCount(): number {
    return this.net.values.length;
  }

  /**
   * Per-window reconstruction error (the config's loss, mean over steps * inputSize).
   * `windows` is row-major [count, steps, inputSize]. Runs in batches of
   * {@link DEFAULT_SCORE_BATCH}; buffers are reused across calls. A window holding a non-finite
   * sample gets a non-finite score (the others are unaffected), so one bad beat cannot fail a whole batch.
   */
  score(windows: Float32Array, count: number, out?: Float32Array): Float32Array {
    return this.runForward(windows, count, out ?? new Float32Array(count), null);
  }

  /** Reconstructions of `windows`, same layout [count, steps, inputSize]. */
  reconstruct(windows: Float32Array, count: number): Float32Array {
    const recon = new Float32Array(count * this.config.steps * this.config.inputSize);
    this.runForward(windows, count, new Float32Array(count), recon);
    return recon;
  }

  private runForward(windows: Float32Array, count: number, out: Float32Array, recon: Float32Array | null): Float32Array {
    checkWindows(windows, count, this.config, 'windows');
    if (out.length < count) throw new RangeError(`out has ${out.length} elements, need ${count}`);
    if (count === 0) return out;
    const capacity = Math.min(DEFAULT_SCORE_BATCH, count);
    if (!this.runner || this.runner.capacity < capacity) this.runner = new InferenceRunner(this.net, capacity);
    const errors = new Float64Array(this.runner.capacity);
    for (let start = 0; start < count; start += this.runner.capacity) {
      const B = Math.min(this.runner.capacity, count - start);
      errors.fill(0);
      this.runner.run(windows, start, B, errors, 0, recon);
      for (let b = 0; b < B; b++) out[start + b] = errors[b];
    }
    return out;
  }

  /**
   * @internal Forward + backward over `data[indices[from..from+B)]`, adding gradScale x the
   * gradient of the summed window losses into `net.grads`; returns that sum.
   */
  lossAndGradient(
    data: Float32Array | Float64Array,
    indices: ArrayLike<number>,
    from: number,
    B: number,
    gradScale: number,
    capacity = B,
  ): number {
    if (!this.pass || this.pass.capacity < B) this.pass = new TrainingPass(this.net, Math.max(B, capacity));
    return this.pass.lossAndGradient(data, indices, from, B, gradScale);
  }

  /** Named weight tensors (copies, Float32) in the model's stable parameter order. */
  exportWeights(): WeightTensor[] {
    return this.net.params.map((p) => ({ name: p.name, shape: [...p.shape], values: Float32Array.from(p.value) }));
  }

  /**
   * Replaces every weight. Each tensor of this architecture must appear exactly once, with its
   * exact shape and finite values; order does not matter. Errors name the tensor.
   */
  importWeights(tensors: readonly { name: string; shape: readonly number[]; values: ArrayLike<number> }[]): void {
    const byName = new Map(this.net.params.map((p) => [p.name, p]));
    const seen = new Set<string>();
    for (const [k, t] of tensors.entries()) {
      const p = byName.get(t.name);
      if (!p)
        throw new RangeError(
          `weights[${k}]: unknown tensor "${t.name}" for this architecture (expected: ${[...byName.keys()].join(', ')})`,
        );
      if (seen.has(t.name)) throw new RangeError(`weights[${k}]: tensor "${t.name}" appears twice`);
      seen.add(t.name);
      if (t.shape.length !== p.shape.length || t.shape.some((d, i) => d !== p.shape[i])) {
        throw new RangeError(`weights[${k}] "${t.name}": shape [${t.shape.join(', ')}] does not match [${p.shape.join(', ')}]`);
      }
      if (t.values.length !== sizeOf(p.shape))
        throw new RangeError(`weights[${k}] "${t.name}": ${t.values.length} values for shape [${p.shape.join(', ')}]`);
      for (let i = 0; i < t.values.length; i++) {
        if (!Number.isFinite(t.values[i])) throw new RangeError(`weights[${k}] "${t.name}": value ${i} is not finite`);
      }
    }
    const missing = [...byName.keys()].filter((n) => !seen.has(n));
    if (missing.length > 0) throw new RangeError(`weights: missing tensor(s) ${missing.join(', ')}`);
    for (const t of tensors) {
      const p = byName.get(t.name)!;
      for (let i = 0; i < t.values.length; i++) p.value[i] = t.values[i];
    }
    this.net.syncDerived();
  }

  /** JSON form: config and base64 Float32 weights (round trip exact for float32 models). */
  toJSON(): SerializedAutoencoder {
    return serializeAutoencoder(this.config, this.exportWeights());
  }

  /** Rebuilds a model from {@link toJSON}'s output, validating every field. */
  static fromJSON(json: unknown, options: { dtype?: DType } = {}): SequenceAutoencoder {
    const { config, weights } = parseSerializedAutoencoder(json);
    const model = new SequenceAutoencoder(config, options.dtype ?? 'float32');
    model.importWeights(weights);
    return model;
  }

  /** An independent copy with identical weights and dtype. */
  clone(): SequenceAutoencoder {
    const copy = new SequenceAutoencoder(this.config, this.dtype);
    copy.net.values.set(this.net.values);
    copy.net.syncDerived();
    return copy;
  }
}

/** Checks a windows buffer against the config; `where` names it in errors. */
export function checkWindows(windows: ArrayLike<number>, count: number, config: AutoencoderConfig, where: string): void {
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`${where}: count must be a non-negative integer, got ${count}`);
  const need = count * config.steps * config.inputSize;
  if (windows.length < need) {
    throw new RangeError(
      `${where}: ${windows.length} values for ${count} windows of ${config.steps} steps x ${config.inputSize} features (need ${need})`,
    );
  }
}
