import type { AutoencoderConfig } from './config';
import type { DType, Floats, Param, ParamSpec } from './tensor';
import { allocFloats, sizeOf } from './tensor';
import { RecurrentLayer } from './recurrent-layer';
import { cellOf } from './cells';
import { glorotUniform } from './init';
import type { Random } from '../random';

/** A dense (fully connected) layer's tensors: kernel [in, out], bias [out]. */
export interface DenseParams {
  readonly inputSize: number;
  readonly outputSize: number;
  readonly kernel: Param;
  readonly bias: Param;
}

/**
 * The autoencoder's layers and parameter storage. Every parameter is a view into one flat
 * buffer of stored values (the model's dtype), one Float64 compute copy and one Float64
 * gradient buffer, so the optimizer, cloning, and worker exchange move single arrays. Layer order, and so parameter order, is fixed by the config:
 * encoder_0..n, latent (only if latent != hidden), decoder_0..m, output.
 */
export class AutoencoderNet {
  readonly params: readonly Param[];
  /** Stored values (model dtype), the source of truth. */
  readonly values: Floats;
  /** Float64 copy of `values` that computation reads; see {@link syncDerived}. */
  readonly compute: Float64Array;
  /** Gradient accumulator, same layout. */
  readonly grads: Float64Array;
  readonly encoders: readonly RecurrentLayer[];
  readonly decoders: readonly RecurrentLayer[];
  /** Dense projection of the encoder's last state to the latent, or null when latent == hidden. */
  readonly latent: DenseParams | null;
  /** Time-distributed dense output layer, hidden -> inputSize. */
  readonly output: DenseParams;

  constructor(
    readonly config: AutoencoderConfig,
    readonly dtype: DType,
  ) {
    const cell = cellOf(config.cell);
    const H = config.hidden;
    const groups: ParamSpec[][] = [];
    for (let l = 0; l < config.encoderLayers; l++)
      groups.push(RecurrentLayer.specs(cell, `encoder_${l}`, l === 0 ? config.inputSize : H, H));
    const hasLatent = config.latent !== H;
    if (hasLatent) groups.push(denseSpecs('latent', H, config.latent));
    for (let l = 0; l < config.decoderLayers; l++) groups.push(RecurrentLayer.specs(cell, `decoder_${l}`, l === 0 ? config.latent : H, H));
    groups.push(denseSpecs('output', H, config.inputSize));

    const total = groups.flat().reduce((n, s) => n + sizeOf(s.shape), 0);
    this.values = allocFloats(dtype, total);
    this.compute = new Float64Array(total);
    this.grads = new Float64Array(total);
    let offset = 0;
    const params: Param[][] = groups.map((g) =>
      g.map((spec) => {
        const n = sizeOf(spec.shape);
        const p: Param = {
          name: spec.name,
          shape: spec.shape,
          value: this.values.subarray(offset, offset + n),
          data: this.compute.subarray(offset, offset + n),
          grad: this.grads.subarray(offset, offset + n),
        };
        offset += n;
        return p;
      }),
    );
    this.params = params.flat();
    let g = 0;
    const encoders: RecurrentLayer[] = [];
    for (let l = 0; l < config.encoderLayers; l++) encoders.push(new RecurrentLayer(cell, l === 0 ? config.inputSize : H, H, params[g++]));
    this.latent = hasLatent ? dense(H, config.latent, params[g++]) : null;
    const decoders: RecurrentLayer[] = [];
    for (let l = 0; l < config.decoderLayers; l++) decoders.push(new RecurrentLayer(cell, l === 0 ? config.latent : H, H, params[g++]));
    this.output = dense(H, config.inputSize, params[g]);
    this.encoders = encoders;
    this.decoders = decoders;
  }

  /** Seeded initialisation: Glorot kernels, orthogonal recurrent kernels, cell biases, zero dense biases. */
  initialize(rng: Random): void {
    for (const layer of this.encoders) layer.initialize(rng);
    if (this.latent) initDense(this.latent, rng);
    for (const layer of this.decoders) layer.initialize(rng);
    initDense(this.output, rng);
    this.syncDerived();
  }

  /** Refreshes the compute copy and every layer's derived weights; call after `values` change. */
  syncDerived(): void {
    this.compute.set(this.values);
    for (const layer of this.encoders) layer.syncDerived();
    for (const layer of this.decoders) layer.syncDerived();
  }
}

function denseSpecs(prefix: string, inputSize: number, outputSize: number): ParamSpec[] {
  return [
    { name: `${prefix}/kernel`, shape: [inputSize, outputSize] },
    { name: `${prefix}/bias`, shape: [outputSize] },
  ];
}

function dense(inputSize: number, outputSize: number, params: readonly Param[]): DenseParams {
  return { inputSize, outputSize, kernel: params[0], bias: params[1] };
}

function initDense(d: DenseParams, rng: Random): void {
  glorotUniform(d.kernel.value, d.inputSize, d.outputSize, rng);
  d.bias.value.fill(0);
}
