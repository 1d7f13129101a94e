/**
 * Numeric storage shared by the engine. A model stores its parameters in one dtype: `float32`
 * (the default: exactly what the artifact holds) or `float64` (gradient checks). Computation
 * always runs in Float64: a Float64 copy of the parameters, Float64 workspaces and gradients.
 * That keeps every hot loop monomorphic on Float64Array (no float32 conversions on loads) and
 * makes results independent of the storage dtype except for the weights' own rounding.
 */
export type DType = 'float32' | 'float64';

/** A typed array of the model's dtype. */
export type Floats = Float32Array | Float64Array;

/** Allocates a zero-filled array of `length` elements of `dtype`. */
export function allocFloats(dtype: DType, length: number): Floats {
  return dtype === 'float64' ? new Float64Array(length) : new Float32Array(length);
}

/** One named parameter tensor: views into the model's flat buffers. */
export interface Param {
  /** Stable, tfjs-like name, e.g. `encoder_0/recurrent_kernel`. */
  readonly name: string;
  /** Row-major shape, e.g. `[units, 4 * units]`. */
  readonly shape: readonly number[];
  /** The stored values (the model's dtype): the source of truth, what the artifact holds. */
  readonly value: Floats;
  /** The Float64 copy computation reads; refreshed from `value` by the model's syncDerived. */
  readonly data: Float64Array;
  /** The gradient accumulator of the same shape. */
  readonly grad: Float64Array;
}

/** A parameter's name and shape, before storage is assigned. */
export interface ParamSpec {
  readonly name: string;
  readonly shape: readonly number[];
}

/** Number of elements of a shape. */
export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}
