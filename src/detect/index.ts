/**
 * The streaming detector: per-device state, batched beat scoring, thresholds, the alert policy
 * and the model cache. Offline evaluation lives in `src/evaluate`, the model in `src/model`. No AWS SDK here: `functions/detect.ts` plugs in
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
  MemoryPresenceStore,
  SignalLostMonitor,
  sweepSilentDevices,
  type LostEpisode,
  type PresenceStore,
  type Sighting,
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
  thresholdCalibrationAdapter,
  OFF_ADAPTER,
  ADAPTER_NAMES,
  DEFAULT_LEARNING_SECONDS,
  MIN_LEARNING_BEATS,
} from './adapters';
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
export { detectConfigFromEnv, DEFAULT_POINTER_KEY, type DetectConfig } from './detect-config';
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
