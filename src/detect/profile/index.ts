/**
 * Patient-adaptive beat scoring (issue 12): per-device profile learned from the first minutes of
 * a device's own signal, and the beat verdicts made against it. Self-contained: imports only
 * from `src/ecg` (and Node's Buffer for base64).
 */
export {
  DEFAULT_PROFILE_OPTIONS,
  PatientProfile,
  PROFILE_FORMAT_VERSION,
  ProfileLearner,
  RR_RING,
  scoreBeat,
  type BeatKind,
  type BeatTerms,
  type BeatVerdict,
  type PatientProfileJSON,
  type ProfileBeat,
  type ProfileLearnerJSON,
  type ProfileOptions,
  type ProfileWindow,
  type RobustStat,
} from './profile';
export {
  MAX_SHIFT,
  morphologyDistance,
  noiseLevel,
  qrsAmplitude,
  qrsWidth,
  rawWindow,
  slopeFloor,
  windowGeometry,
  type WindowGeometry,
} from './features';
