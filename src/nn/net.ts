import type { AutoencoderConfig } from './config';
import type { DType, Floats, Param, ParamSpec } from './tensor';
import { allocFloats, sizeOf } from './tensor';
import { RecurrentLayer } from './recurrent-layer';
import { cellOf } from './cells';
import { glorotUniform } from './init';
import type { Random } from './random';

/** A dense (fully connected) layer's tensors: kernel [in, out], bias [out]. */
export interface DenseParams {
  readonly inputSize: number;
  readonly outputSize: number;
  readonly kernel: Param;
  readonly bias: Param;
}

/**
 * The autoencoder's layers and parameter storage. Every parameter is a view into one flat
 * buffer (and its gradient into another), so the optimizer, cloning, and worker exchange move a
 * single array. Layer order, and so parameter order, is fixed by the config:
 * encoder_0..n, latent (only if latent != hidden), decoder_0..m, output.
 */
export class AutoencoderNet {
  readonly params: readonly Param[];
  readonly values: Floats;
  readonly grads: Floats;
  readonly encoders: readonly RecurrentLayer[];
  readonly decoders: readonly RecurrentLayer[];
  /** Dense projection of the encoder's last state to the latent, or null when latent == hidden. */
  readonly latent: DenseParams | null;
  /** Time-distributed dense output layer, hidden -> inputSize. */
  readonly output: DenseParams;

  constructor(readonly config: AutoencoderConfig, readonly dtype: DType) {
    const cell = cellOf(config.cell);
    const H = config.hidden;
    const groups: ParamSpec[][] = [];
    for (let l = 0; l < config.encoderLayers; l++) groups.push(RecurrentLayer.specs(cell, `encoder_${l}`, l === 0 ? config.inputSize : H, H));
    const hasLatent = config.latent !== H;
    if (hasLatent) groups.push(denseSpecs('latent', H, config.latent));
    for (let l = 0; l < config.decoderLayers; l++) groups.push(RecurrentLayer.specs(cell, `decoder_${l}`, l === 0 ? config.latent : H, H));
    groups.push(denseSpecs('output', H, config.inputSize));

    const total = groups.flat().reduce((n, s) => n + sizeOf(s.shape), 0);
    this.values = allocFloats(dtype, total);
    this.grads = allocFloats(dtype, total);
    let offset = 0;
    const params: Param[][] = groups.map((g) =>
      g.map((spec) => {
        const n = sizeOf(spec.shape);
        const p: Param = { name: spec.name, shape: spec.shape, value: this.values.subarray(offset, offset + n), grad: this.grads.subarray(offset, offset + n) };
        offset += n;
        return p;
      }),
    );
    this.params = params.flat();
    let g = 0;
    const encoders: RecurrentLayer[] = [];
    for (let l = 0; l < config.encoderLayers; l++) encoders.push(new RecurrentLayer(cell, l === 0 ? config.inputSize : H, H, params[g++], dtype));
    this.latent = hasLatent ? dense(H, config.latent, params[g++]) : null;
    const decoders: RecurrentLayer[] = [];
    for (let l = 0; l < config.decoderLayers; l++) decoders.push(new RecurrentLayer(cell, l === 0 ? config.latent : H, H, params[g++], dtype));
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
  }

  /** Refreshes every layer's derived weight copies; call after the flat values change. */
  syncDerived(): void {
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
