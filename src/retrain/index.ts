/**
 * The retraining job: history -> per-device beats filtered by the champion -> warm-started
 * challenger inside a time budget -> comparison on held-out devices -> thresholds -> conditional
 * promotion. Runs anywhere its ports are implemented (Lambda, a container task, tests).
 */
export { runRetrainJob } from './job';
export type {
  RetrainPorts,
  HistorySource,
  HistoryRead,
  DecodedRecord,
  HistoryCounters,
  ModelRegistry,
  ChampionRecord,
  ModelPointer,
  PromoteOutcome,
  LabelPorts,
  LabelSource,
  LabelledAlert,
  DeviceLabelStore,
} from './ports';
// The job's configuration from the Lambda environment.
export { retrainConfigFromEnv, DEFAULT_SAFETY_MARGIN_MS } from './config';
export type { RetrainConfig } from './config';
export { DEFAULT_RETRAIN_OPTIONS, resolveRetrainOptions } from './options';
export type { RetrainOptions, ChallengerTrainOptions, RetrainProgress } from './options';
export type { RetrainResult, RetrainSummary, HistorySummary, TrainingOutcome } from './result';
export { retrainSummary } from './result';
export type { ModelComparison, ModelScorecard, ComparisonCheck } from './compare';
export { compareModels } from './compare';
export { ChampionError, loadChampion } from './champion';
export type { Champion } from './champion';
export { HistoryDatasetBuilder } from './dataset';
export type { HistoryDataset, DeviceBeats } from './dataset';
export { splitByDevice } from './split';
export { fitRetrainThresholds } from './thresholds';
