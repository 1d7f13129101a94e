/**
 * Everything around a trained autoencoder that is not a contract: turning an artifact into a
 * scorer, beat scoring, threshold fitting, evaluation metrics, the training phases. The artifact
 * itself is in `src/contract`.
 */
export { loadBeatModel, beatModelOf, segmenterFactoryFor, type LoadedBeatModel } from './beat-model';
export { applyBeatScoring, applyBeatScoringRr, prematurity, reconstructionErrorOf } from './beat-scoring';
export type {
  BeatModel,
  SegmentedBeat,
  SegmentedLeadWindow,
  SegmentedSecond,
  SegmenterFactory,
  SegmenterLeads,
  StreamSegmenter,
} from './scorer';
export * from './threshold';
// A device's threshold from its own learning-period scores, without labels (the threshold-calibration adapter).
export { calibrateThreshold, DEFAULT_CALIBRATION, type CalibrationOptions } from './calibration';
export * from './metrics';
export { fitGpd, potQuantile } from './gpd';
export type { GpdFit } from './gpd';
export { trainInPhases, DEFAULT_TRAIN_PHASES, type TrainPhase } from './train-phases';
