/**
 * The streaming detector: per-device state, batched beat scoring, thresholds, the alert policy,
 * the model cache, and the shipped default model. No AWS SDK here: `functions/detect.ts` plugs in
 * the adapters of `src/aws` through the ports of `./ports`.
 */
export type {
  AlertMessage,
  AlertSnippet,
  BeatModel,
  DecodedRecord,
  DetectSinks,
  RecordDecoder,
  Rejection,
  SegmentedBeat,
  SegmenterFactory,
  StreamSegmenter,
} from './ports';
export { Detector, type BatchResult, type DetectorOptions, type InputRecord, type ScoredBeat } from './process-batch';
export {
  DEFAULT_ALERT_POLICY,
  initialAlertPolicyState,
  stepAlertPolicy,
  validateAlertPolicy,
  type AlertDecision,
  type AlertPolicyOptions,
  type AlertPolicyState,
  type AlertSeverity,
} from './alert-policy';
export { snippetKeyOf, toAlertMessage, toAlertSnippet } from './alert-message';
export { DeviceRegistry, DEFAULT_MAX_DEVICES, type DeviceRegistryJson, type DeviceRegistryOptions } from './device-registry';
export { DeviceState, type DeviceStateJson, type TimedBeat } from './device-state';
export {
  ModelCache,
  NoModelError,
  parsePointer,
  DEFAULT_REVALIDATE_MS,
  type ModelPointer,
  type ModelSource,
  type ModelLoader,
} from './model-cache';
export { loadBeatModel, beatModelOf, segmenterFactoryFor, type LoadedBeatModel } from '../model/beat-model';
export {
  applyBeatScoring,
  prematurity,
  readBeatScoring,
  DEFAULT_BEAT_SCORING,
  RECONSTRUCTION_ONLY,
  type BeatScoring,
} from '../model/beat-scoring';
export { calibrateThreshold, splitScores, DEFAULT_CALIBRATION, type CalibrationOptions, type ScoreSplit } from '../evaluate/calibration';
export { detectConfigFromEnv, DEFAULT_POINTER_KEY, type DetectConfig } from './detect-config';
export {
  defaultModelFor,
  foldModelFile,
  loadModelFile,
  DEFAULT_MODEL_DIR,
  DEFAULT_MODEL_FILE,
  DEFAULT_MODEL_PLAN,
} from '../evaluate/default-model';
export { trainBeatModel, DEFAULT_BEAT_TRAINING, type BeatTrainingOptions, type TrainedBeatModel } from '../evaluate/train-beat-model';
export { labelledBeats, labelBeats, DEFAULT_CHUNK_SECONDS, type LabelledBeats } from '../evaluate/labelled-beats';
export {
  evaluateAnomaly,
  totalAnomaly,
  NORMAL_RECORDS,
  DEFAULT_ANOMALY_EVAL,
  type AnomalyEvalOptions,
  type AnomalyMetrics,
  type Calibration,
  type RecordAnomaly,
} from '../evaluate/anomaly-eval';
export { createMitdbAnomalyEvaluation, type MitdbAnomalyRow, type ModelChooser } from '../evaluate/mitdb-anomaly';
