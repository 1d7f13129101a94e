import type { CellKind } from './cell';
import { CELL_KINDS } from './cell';

/** Architecture of a {@link SequenceAutoencoder}. */
export interface AutoencoderConfig {
  /** Recurrent cell of every layer. */
  readonly cell: CellKind;
  /** Time steps T of a window. */
  readonly steps: number;
  /** Features per time step (1 for a single ECG lead). */
  readonly inputSize: number;
  /** Units of every recurrent layer. */
  readonly hidden: number;
  /** Latent size; when it differs from `hidden` a dense projection maps the encoder's last state to it. */
  readonly latent: number;
  /** Stacked encoder layers (>= 1). */
  readonly encoderLayers: number;
  /** Stacked decoder layers (>= 1). */
  readonly decoderLayers: number;
  /** Reconstruction loss, averaged over steps * inputSize: squared or absolute error. */
  readonly loss: 'mse' | 'mae';
}

/**
 * Defaults for every field but `steps`: an LSTM with 32 units, latent = hidden (no projection),
 * one encoder and one decoder layer, MSE. 32 units is the benchmark's H and what reaches the
 * ECG5000 target while training in minutes on one core.
 */
export const DEFAULT_AUTOENCODER_CONFIG = Object.freeze({
  cell: 'lstm' as CellKind,
  inputSize: 1,
  hidden: 32,
  encoderLayers: 1,
  decoderLayers: 1,
  loss: 'mse' as const,
});

const LIMITS = { steps: 100_000, inputSize: 4096, hidden: 4096, latent: 4096, encoderLayers: 16, decoderLayers: 16 } as const;

/**
 * Fills defaults into a partial config and validates every field, naming the field (with
 * `where` as context, e.g. a JSON path) in the error.
 */
export function resolveAutoencoderConfig(partial: unknown, where = 'config'): AutoencoderConfig {
  if (typeof partial !== 'object' || partial === null || Array.isArray(partial)) throw new TypeError(`${where} must be an object`);
  const p = partial as Record<string, unknown>;
  const known = new Set(['cell', 'steps', 'inputSize', 'hidden', 'latent', 'encoderLayers', 'decoderLayers', 'loss']);
  for (const key of Object.keys(p))
    if (!known.has(key)) throw new TypeError(`${where}.${key} is not a config field (known: ${[...known].join(', ')})`);
  const int = (key: keyof typeof LIMITS, fallback: number | undefined): number => {
    const v = p[key] === undefined ? fallback : p[key];
    if (v === undefined) throw new TypeError(`${where}.${key} is required`);
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > LIMITS[key]) {
      throw new RangeError(`${where}.${key} must be an integer in [1, ${LIMITS[key]}], got ${JSON.stringify(v)}`);
    }
    return v;
  };
  const cell = p.cell === undefined ? DEFAULT_AUTOENCODER_CONFIG.cell : p.cell;
  if (typeof cell !== 'string' || !(CELL_KINDS as readonly string[]).includes(cell)) {
    throw new TypeError(`${where}.cell must be one of ${CELL_KINDS.join(', ')}, got ${JSON.stringify(cell)}`);
  }
  const loss = p.loss === undefined ? DEFAULT_AUTOENCODER_CONFIG.loss : p.loss;
  if (loss !== 'mse' && loss !== 'mae') throw new TypeError(`${where}.loss must be "mse" or "mae", got ${JSON.stringify(loss)}`);
  const hidden = int('hidden', DEFAULT_AUTOENCODER_CONFIG.hidden);
  return {
    cell: cell as CellKind,
    steps: int('steps', undefined),
    inputSize: int('inputSize', DEFAULT_AUTOENCODER_CONFIG.inputSize),
    hidden,
    latent: int('latent', hidden),
    encoderLayers: int('encoderLayers', DEFAULT_AUTOENCODER_CONFIG.encoderLayers),
    decoderLayers: int('decoderLayers', DEFAULT_AUTOENCODER_CONFIG.decoderLayers),
    loss,
  };
}
