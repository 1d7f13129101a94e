import { createHash } from 'node:crypto';
import type { SequenceAutoencoder } from '../nn';
import { type BeatWindowSpec, MODEL_LEAD } from '../ecg';
import pkg from '../../package.json' with { type: 'json' };
import { canonicalJson } from './canonical-json';
import { ArtifactError } from './artifact-error';
import { isLeadName } from './wire-v2';
import type { FittedThreshold } from './threshold-types';
import {
  ARTIFACT_FORMAT,
  ARTIFACT_FORMAT_VERSION,
  type ArtifactWindow,
  type ModelArtifact,
  type ModelNormalization,
  type SoftwareVersions,
  type TrainingSummary,
} from './artifact-types';

export * from './artifact-types';
export { ArtifactError } from './artifact-error';

/** Versions of this build: beatwatch from package.json, the running Node. */
export function softwareVersions(): SoftwareVersions {
  return { beatwatch: pkg.version, node: process.version };
}

/** Device ids as the wire format allows them (docs/ARCHITECTURE.md §3.1), defined in ids.ts. */
export { DEVICE_ID_PATTERN } from './ids';
import { DEVICE_ID_PATTERN } from './ids';
import type { BeatScoring } from './beat-scoring';

/** What {@link createArtifact} needs; the rest (format, version, weights) it derives. */
export interface ArtifactInput {
  model: SequenceAutoencoder;
  window: ArtifactWindow;
  /** Defaults to the identity after `window.normalization`. */
  normalization?: ModelNormalization;
  threshold: FittedThreshold;
  deviceThresholds?: Record<string, number>;
  /** The training summary; `software` defaults to {@link softwareVersions}. */
  training: Omit<TrainingSummary, 'software'> & { software?: SoftwareVersions };
  /** Defaults to now. */
  createdAt?: Date;
  /** How beats are scored with this model; omitted, the artifact has none (reconstruction error alone). */
  scoring?: BeatScoring;
  /** The lead the model was trained on (`MLII`); omitted, the artifact has none (read as MLII, {@link artifactLead}). */
  lead?: string;
}

/** `20261126T190412Z` from a Date (UTC, second resolution). */
function compactTimestamp(d: Date): string {
  return d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');
}

/**
 * Assembles a model artifact from a trained model and what is known about it. The version is
 * `<UTC timestamp>-<first 8 hex of the sha256 of the weights>`, so two artifacts created the same
 * second with different weights still differ.
 *
 * @throws ArtifactError when the window's steps differ from the model's, or a device id or
 *   threshold is invalid.
 * @example
 * const artifact = createArtifact({ model, window: { kind: 'prewindowed', source: 'UCR ECG5000', steps: 140, normalization: 'zscore' }, threshold, training });
 * const { text, sha256 } = serializeArtifact(artifact);
 */
export function createArtifact(input: ArtifactInput): ModelArtifact {
  const { model, window } = input;
  const json = model.toJSON();
  if (window.steps !== model.config.steps) {
    throw new ArtifactError(
      `artifact.window.steps: ${window.steps} differs from the model's steps ${model.config.steps}`,
      'artifact.window.steps',
    );
  }
  const normalization = input.normalization ?? { perBeat: window.normalization, offset: 0, scale: 1 };
  if (normalization.perBeat !== window.normalization) {
    throw new ArtifactError(
      `artifact.normalization.perBeat: "${normalization.perBeat}" differs from window.normalization "${window.normalization}"`,
      'artifact.normalization.perBeat',
    );
  }
  const deviceThresholds = { ...(input.deviceThresholds ?? {}) };
  for (const [id, value] of Object.entries(deviceThresholds)) {
    if (!DEVICE_ID_PATTERN.test(id))
      throw new ArtifactError('artifact.deviceThresholds: a key is not a valid device id', 'artifact.deviceThresholds');
    if (!Number.isFinite(value))
      throw new ArtifactError(`artifact.deviceThresholds: a threshold is not finite (${value})`, 'artifact.deviceThresholds');
  }
  const weights = json.weights.map((w) => ({ name: w.name, shape: [...w.shape], dtype: 'float32' as const, base64: w.base64 }));
  const weightHash = createHash('sha256');
  for (const w of weights) weightHash.update(w.name).update(w.base64);
  const createdAt = input.createdAt ?? new Date();
  return {
    format: ARTIFACT_FORMAT,
    formatVersion: ARTIFACT_FORMAT_VERSION,
    version: `${compactTimestamp(createdAt)}-${weightHash.digest('hex').slice(0, 8)}`,
    createdAt: createdAt.toISOString(),
    architecture: { ...model.config },
    window: { ...window },
    normalization: { ...normalization },
    weights,
    threshold: { ...input.threshold, params: { ...input.threshold.params }, details: { ...input.threshold.details } } as FittedThreshold,
    deviceThresholds,
    training: { ...input.training, software: input.training.software ?? softwareVersions() },
    ...(input.scoring === undefined ? {} : { scoring: { ...input.scoring } }),
    ...(input.lead === undefined ? {} : { lead: checkArtifactLead(input.lead) }),
  };
}

/**
 * Checks an artifact's `lead`: a lead name as wire format v2 carries it (1-32 printable ASCII
 * characters, `isLeadName`).
 *
 * @throws ArtifactError naming `artifact.lead`.
 * @example
 * checkArtifactLead('MLII'); // 'MLII'
 */
export function checkArtifactLead(lead: unknown): string {
  if (!isLeadName(lead))
    throw new ArtifactError(
      `artifact.lead: expected a lead name of 1-32 printable ASCII characters, got ${JSON.stringify(lead)}`,
      'artifact.lead',
    );
  return lead;
}

/**
 * The lead an artifact's model was trained on: its `lead`, or MLII for artifacts made before the
 * field (every shipped model was trained on MIT-BIH's MLII).
 *
 * @example
 * artifactLead(model.artifact); // 'MLII'
 */
export function artifactLead(artifact: Pick<ModelArtifact, 'lead'>): string {
  return artifact.lead ?? MODEL_LEAD;
}

/**
 * Serializes an artifact as canonical JSON (sorted keys, no whitespace) plus its sha256, the
 * value the `models/current.json` pointer carries. The same artifact always gives the same text.
 *
 * @example
 * const { text, sha256 } = serializeArtifact(artifact);
 * await writeFile('model.json', text);
 */
export function serializeArtifact(artifact: ModelArtifact): { text: string; sha256: string } {
  const text = canonicalJson(artifact);
  return { text, sha256: sha256Hex(text) };
}

/** Lower-case hex sha256 of a string's UTF-8 bytes. */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The threshold that applies to `deviceId`: its own if fitted, else the global one. */
export function thresholdFor(artifact: ModelArtifact, deviceId: string): number {
  return Object.hasOwn(artifact.deviceThresholds, deviceId) ? artifact.deviceThresholds[deviceId] : artifact.threshold.value;
}

/**
 * The streaming window spec of an artifact, for the detector's segmenter.
 *
 * @throws ArtifactError when the model was trained on pre-windowed beats (no span in seconds).
 */
export function streamingWindowSpec(artifact: ModelArtifact): BeatWindowSpec {
  const w = artifact.window;
  if (w.kind !== 'stream') {
    throw new ArtifactError(
      `artifact.window: model ${artifact.version} was trained on pre-windowed beats (${w.source}); it has no window span to cut a stream with`,
      'artifact.window',
    );
  }
  return { before: w.before, after: w.after, steps: w.steps, normalization: w.normalization };
}

/**
 * Applies the artifact's global input map `(x - offset) / scale` in place to `count` windows
 * (after per-beat normalization). A no-op for the identity.
 */
export function applyInputNormalization(windows: Float32Array, normalization: ModelNormalization): void {
  if (normalization.offset === 0 && normalization.scale === 1) return;
  const { offset } = normalization;
  const inv = 1 / normalization.scale;
  for (let i = 0; i < windows.length; i++) windows[i] = (windows[i] - offset) * inv;
}
