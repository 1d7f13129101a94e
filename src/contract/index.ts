/**
 * The contracts every other layer agrees on: wire format v1, the S3 layout, the model pointer,
 * the model artifact, ids, Lambda environment names, metric names. Pure: no AWS SDK.
 */
export * from './artifact';
export * from './artifact-parse';
export { canonicalJson } from './canonical-json';
export * from './ids';
export * from './model-pointer';
export * from './lambda-env';
export * from './cloudwatch';
export * from './signal-lost';
export * from './alarm-limits';
// Wire formats v1 and v2: encoding (producers), decoding, validation and physiological clipping (detect, history), cutting a recording into records.
export { decodeWireRecord, encodeWireRecord, type DecodedRecord } from './wire';
export { encodeWireRecordV2, leadBits, type WireV2Coding } from './wire-v2';
export { checkDeviceId, MAX_RECORD_SECONDS } from './wire-validate';
export { decodeRecord, recordLead, type AnyDecodedRecord } from './decode-record';
export { clipAmplitude } from './signal-bounds';
export { cutWireRecord, cutWireRecordV2, recordBounds, recordCount, type WireLeadsSignal, type WireSignal } from './wire-records';
// The S3 layout: prefixes, object keys, and the framing of archived history objects.
export {
  ALERTS_PREFIX,
  alertSentKey,
  alertSnippetKey,
  DEVICES_PREFIX,
  deviceProfileKey,
  HISTORY_ERRORS_PREFIX,
  HISTORY_PREFIX,
  historyDayPrefixes,
  historyHourPrefix,
  historyKeyHour,
  historyKeyTime,
  historyObjectKey,
  MODEL_POINTER_KEY,
  MODELS_PREFIX,
  modelVersionKeys,
  REJECTED_PREFIX,
  rejectedKey,
} from './s3-layout';
export { ArchiveFramer, archiveEntry, type ArchiveItem } from './archive-framing';
// Parts of the artifact the model and retraining read on their own: beat scoring and threshold types.
export { RECONSTRUCTION_ONLY, type BeatScoring } from './beat-scoring';
export type { FittedThreshold, PotParams, ThresholdRule } from './threshold-types';
// What clinicians' labels did to a device: written by retraining, read by the detector (peers that never import each other).
export { labelThresholdOf, LABEL_MARGIN, MAX_LABEL_THRESHOLD, type DeviceLabels } from './device-labels';
// The console's configuration and the custom resources that seed the model and the console site.
export {
  CONSOLE_CONFIG_KEY,
  CONSOLE_SITE_RESOURCE_TYPE,
  type CognitoConsoleConfig,
  type ConsoleConfig,
  type ConsoleSiteProperties,
  type LocalConsoleConfig,
} from './console-config';
export type { ObjectSource, SeedProperties } from './seed-resource';
// Typed settings from the environment, naming the variable in every error.
export { envReader } from './env-reader';
