/**
 * Everything around a trained autoencoder that is not a contract: turning an artifact into a
 * scorer, beat scoring, threshold fitting, evaluation metrics, the training phases. The artifact
 * itself is in `src/contract`.
 */
export { loadBeatModel, beatModelOf, segmenterFactoryFor, type LoadedBeatModel } from './beat-model';
export { applyBeatScoring, prematurity, reconstructionErrorOf } from './beat-scoring';
export type { BeatModel, SegmentedBeat, SegmenterFactory, StreamSegmenter } from './scorer';
export * from './threshold';
export * from './metrics';
export { fitGpd, potQuantile } from './gpd';
export type { GpdFit } from './gpd';
