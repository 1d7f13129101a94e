/**
 * Numeric storage shared by the engine. Parameters and workspaces are typed arrays of one
 * dtype per model: `float32` (the default: the artifact's precision, what brain.js and TF.js
 * compute in) or `float64` (gradient checks). Arithmetic always happens in JS doubles; the dtype
 * only decides where results are rounded when stored.
 */
export type DType = 'float32' | 'float64';

/** A typed array of the model's dtype. */
export type Floats = Float32Array | Float64Array;

/** Allocates a zero-filled array of `length` elements of `dtype`. */
export function allocFloats(dtype: DType, length: number): Floats {
  return dtype === 'float64' ? new Float64Array(length) : new Float32Array(length);
}

/** One named parameter tensor: a view into the model's flat parameter and gradient buffers. */
export interface Param {
  /** Stable, tfjs-like name, e.g. `encoder_0/recurrent_kernel`. */
  readonly name: string;
  /** Row-major shape, e.g. `[units, 4 * units]`. */
  readonly shape: readonly number[];
  /** The values (a view into the model's flat buffer). */
  readonly value: Floats;
  /** The gradient accumulator of the same shape (a view into the flat gradient buffer). */
  readonly grad: Floats;
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
