/**
 * The streaming detector: per-device state, batched beat scoring, thresholds, the alert policy
 * and the model cache. Offline evaluation lives in `src/evaluate`, the model in `src/model`. No AWS SDK here: `functions/detect.ts` plugs in
 * the adapters of `src/aws` through the ports of `./ports`.
 */
export type {
  AlertMessage,
  AlertSnippet,
  AnyAlertMessage,
  BeatModel,
  DecodedRecord,
  DetectSinks,
  DeviceSettings,
  EpisodeAlertMessage,
  RecordDecoder,
  Rejection,
  RhythmLabel,
  SegmentedBeat,
  SegmenterFactory,
  SnoozeSource,
  StreamSegmenter,
  TechnicalReason,
} from './ports';
export { Detector, type BatchResult, type DetectorOptions, type InputRecord, type ScoredBeat } from './process-batch';
export {
  MemoryPresenceStore,
  SignalLostMonitor,
  sweepSilentDevices,
  type LastArrivals,
  type LostEpisode,
  type PresenceStore,
  type Sighting,
  type SignalLostDeps,
  type SweepResult,
} from './signal-lost';
export {
  MemoryProfileStore,
  parseDeviceProfile,
  populationVerdict,
  PROFILE_FORMAT_VERSION,
  type BeatContext,
  type BeatKind,
  type BeatVerdict,
  type DevicePhase,
  type DeviceProfile,
  type LearnedProfile,
  type PatientAdapter,
  type ProfileLearner,
  type ProfileStore,
} from './patient-adaptation';
export {
  adapterByName,
  patientProfileAdapter,
  thresholdCalibrationAdapter,
  scoreTermsOptions,
  OFF_ADAPTER,
  ADAPTER_NAMES,
  DEFAULT_LEARNING_SECONDS,
  MIN_LEARNING_BEATS,
  SCORE_TERMS,
} from './adapters';
// The patient profile's constants, for the scripts that choose them on DS1.
export type { ProfileOptions } from './profile';
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
export { isEpisodeAlert, snippetKeyOf, toAlertMessage, toAlertSnippet } from './alert-message';
// Rhythm episodes (AF, VT, ...): the monitor and the rules it runs, which offline replay drives directly.
export {
  RhythmMonitor,
  afOptions,
  DEFAULT_RHYTHM_OPTIONS,
  RHYTHM_LABELS,
  TECHNICAL_REASONS,
  type MonitoredBeat,
  type RhythmOptions,
} from './rhythm-monitor';
export { AfRule, afWindowStatistic, type AfWindowJudge } from './af-rule';
export { ShapeTracker } from './shape-tracker';
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
export { alarmLimitsFromEnv, detectConfigFromEnv, signalLostTimingFromEnv, DEFAULT_POINTER_KEY, type DetectConfig } from './detect-config';
export {
  explainAlert,
  typicalBeat,
  rrContext,
  partOf,
  BEAT_PARTS,
  EXPLANATION_FORMAT_VERSION,
  type AlertExplanation,
  type BeatExplanation,
  type BeatPart,
  type RrContext,
} from './explain';
