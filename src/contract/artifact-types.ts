import type { AutoencoderConfig, SerializedTensor } from '../nn';
import type { BeatNormalization } from '../ecg';
import type { BeatScoring } from './beat-scoring';
import type { FittedThreshold } from './threshold-types';

/** The `format` tag every beatwatch model artifact carries. */
export const ARTIFACT_FORMAT = 'beatwatch-model';
/** The artifact format version this build writes and reads. */
export const ARTIFACT_FORMAT_VERSION = 1;

/**
 * What the model's input windows are. `stream`: cut from a streaming signal around each R peak
 * (a {@link BeatWindowSpec}, what the detector needs). `prewindowed`: the training data came
 * already cut and resampled (ECG5000's 140-sample beats), so there is no span in seconds; such a
 * model can score windows of that shape but cannot configure a streaming segmenter.
 */
export type ArtifactWindow =
  | { kind: 'stream'; before: number; after: number; steps: number; normalization: BeatNormalization }
  | { kind: 'prewindowed'; source: string; steps: number; normalization: BeatNormalization };

/**
 * The full input transform: per-beat normalization (the same as `window.normalization`), then
 * the global affine map `(x - offset) / scale` fitted on the training data (identity: 0 and 1).
 */
export interface ModelNormalization {
  perBeat: BeatNormalization;
  offset: number;
  scale: number;
}

/** Versions of the software that produced an artifact. */
export interface SoftwareVersions {
  beatwatch: string;
  node: string;
}

/** How the model was trained: enough to reproduce and to judge it. */
export interface TrainingSummary {
  /** What the model was trained on (e.g. `{ source: 'ECG5000 TRAIN, label 1', windows: 219, heldOut: 73 }`). */
  data: Record<string, string | number | boolean>;
  /** Epochs actually run. */
  epochs: number;
  /** The seed of initialisation and shuffling. */
  seed: number;
  /** Epoch (1-based) whose weights were kept. */
  bestEpoch: number;
  /** Why training stopped: `epochs`, `early-stop` or `time-budget`. */
  stoppedBy: string;
  /** Mean training loss per epoch. */
  trainLoss: number[];
  /** Validation loss per epoch (empty without validation). */
  valLoss: number[];
  /** Wall-clock training time. */
  seconds: number;
  /** The scalar training options used (epochs, batchSize, learningRate, ...). */
  options: Record<string, string | number | boolean>;
  /** Evaluation figures known at training time (e.g. held-out loss, or AUC in an evaluation run). */
  metrics: Record<string, number>;
  software: SoftwareVersions;
}

/** One weight tensor as stored: little-endian Float32 values in base64 (the engine's own form). */
export type ArtifactWeight = SerializedTensor;

/**
 * The model artifact (docs/ARCHITECTURE.md §3.5), as stored at `models/<version>/model.json`. Plain JSON:
 * it round-trips through {@link serializeArtifact} / {@link parseArtifact} exactly.
 */
export interface ModelArtifact {
  format: typeof ARTIFACT_FORMAT;
  formatVersion: typeof ARTIFACT_FORMAT_VERSION;
  /** `YYYYMMDDTHHMMSSZ-<8 hex of the weights' sha256>`: sorts by time, differs when weights do. */
  version: string;
  /** ISO 8601 UTC timestamp of creation. */
  createdAt: string;
  /** The autoencoder's configuration (cell, steps, hidden, latent, layers, loss). */
  architecture: AutoencoderConfig;
  window: ArtifactWindow;
  normalization: ModelNormalization;
  weights: ArtifactWeight[];
  /** The global threshold: rule, parameters, value (and fit details). */
  threshold: FittedThreshold;
  /** Per-device thresholds fitted from each device's history; they override the global one. */
  deviceThresholds: Record<string, number>;
  training: TrainingSummary;
  /**
   * How a beat's score is made from the reconstruction error (see {@link BeatScoring}). Absent
   * in artifacts made before scoring was recorded: those score by reconstruction error alone.
   */
  scoring?: BeatScoring;
  /**
   * The ECG lead the model was trained on, by name (`MLII`): the detector detects and scores on
   * the lead of this name when a record has several, and the CLI warns when a recording's lead
   * differs. Absent in artifacts made before the field: those were trained on MLII
   * ({@link artifactLead}).
   */
  lead?: string;
}
