/**
 * The neural engine: recurrent cells (LSTM, peephole LSTM, GRU, RNN), the sequence
 * autoencoder, its trainer, serialization and the seeded PRNG.
 */
export type { CellKind } from './cell';
export { CELL_KINDS } from './cell';
export type { AutoencoderConfig } from './config';
export { DEFAULT_AUTOENCODER_CONFIG, resolveAutoencoderConfig } from './config';
export { SequenceAutoencoder, DEFAULT_SCORE_BATCH } from './autoencoder';
export type { CreateOptions } from './autoencoder';
export type { TrainOptions, TrainReport } from './train';
export { trainAutoencoder, DEFAULT_TRAIN_OPTIONS } from './train';
export type { SerializedAutoencoder, SerializedTensor, WeightTensor } from './serialize';
export { AUTOENCODER_FORMAT, AUTOENCODER_FORMAT_VERSION, encodeFloat32Base64, decodeFloat32Base64 } from './serialize';
export type { Random } from '../random';
export { createRandom, shuffleInPlace } from '../random';
export type { DType } from './tensor';
