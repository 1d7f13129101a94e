import { AUTOENCODER_FORMAT, AUTOENCODER_FORMAT_VERSION, CELL_KINDS, SequenceAutoencoder } from '../nn';
import type { AutoencoderConfig } from '../nn';
import type { BeatNormalization } from '../ecg';
import { ArtifactError } from './artifact-error';
import { checkArtifactLead, sha256Hex } from './artifact';
import { readBeatScoring } from './beat-scoring';
import { DEVICE_ID_PATTERN, MODEL_VERSION_FORM, MODEL_VERSION_PATTERN } from './ids';
import {
  choiceField,
  fieldError,
  integerField,
  numberArrayField,
  numberField,
  numberRecordField,
  objectField,
  scalarRecordField,
  stringField,
} from './artifact-fields';
import {
  ARTIFACT_FORMAT,
  ARTIFACT_FORMAT_VERSION,
  type ArtifactWeight,
  type ArtifactWindow,
  type ModelArtifact,
  type TrainingSummary,
} from './artifact-types';
import type { FittedThreshold } from './threshold-types';

const NORMALIZATIONS: readonly BeatNormalization[] = ['zscore', 'minmax', 'none'];
const A = 'artifact';
const KNOWN_FIELDS = new Set([
  'format',
  'formatVersion',
  'version',
  'createdAt',
  'architecture',
  'window',
  'normalization',
  'weights',
  'threshold',
  'deviceThresholds',
  'training',
  'scoring',
  'lead',
]);

/** Options of {@link parseArtifact}. */
export interface ParseArtifactOptions {
  /** The sha256 the pointer (`models/current.json`) promises; the text must hash to it. */
  expectedSha256?: string;
}

/** A parsed, validated artifact and the model rebuilt from it. */
export interface LoadedArtifact {
  artifact: ModelArtifact;
  model: SequenceAutoencoder;
  /** sha256 of the text as given. */
  sha256: string;
}

function readArchitecture(root: Record<string, unknown>): AutoencoderConfig {
  const path = `${A}.architecture`;
  const o = objectField(root, 'architecture', A);
  const positive = (k: string) => integerField(o, k, path, 1, 1 << 20);
  return {
    ...(o as object),
    cell: choiceField(o, 'cell', path, CELL_KINDS),
    steps: positive('steps'),
    inputSize: positive('inputSize'),
    hidden: positive('hidden'),
    latent: positive('latent'),
    encoderLayers: positive('encoderLayers'),
    decoderLayers: positive('decoderLayers'),
    loss: choiceField(o, 'loss', path, ['mse', 'mae'] as const),
  } as AutoencoderConfig;
}

function readWindow(root: Record<string, unknown>, steps: number): ArtifactWindow {
  const path = `${A}.window`;
  const o = objectField(root, 'window', A);
  const kind = choiceField(o, 'kind', path, ['stream', 'prewindowed'] as const);
  const windowSteps = integerField(o, 'steps', path, 1, 1 << 20);
  if (windowSteps !== steps) fieldError(`${path}.steps`, `the architecture's steps ${steps}`, windowSteps);
  const normalization = choiceField(o, 'normalization', path, NORMALIZATIONS);
  if (kind === 'prewindowed') return { kind, source: stringField(o, 'source', path), steps: windowSteps, normalization };
  const before = numberField(o, 'before', path, 0);
  const after = numberField(o, 'after', path, 0);
  if (before + after <= 0) fieldError(`${path}.after`, 'a span before + after > 0 s', after);
  return { kind, before, after, steps: windowSteps, normalization };
}

function readWeights(root: Record<string, unknown>): ArtifactWeight[] {
  const v = root.weights;
  if (!Array.isArray(v) || v.length === 0) fieldError(`${A}.weights`, 'a non-empty array of tensors', v);
  return v.map((w: unknown, i: number) => {
    const path = `${A}.weights[${i}]`;
    if (w === null || typeof w !== 'object' || Array.isArray(w)) fieldError(path, 'an object', w);
    const o = w as Record<string, unknown>;
    const shape = numberArrayField(o, 'shape', path);
    shape.forEach((d, j) => {
      if (!Number.isInteger(d) || d < 1) fieldError(`${path}.shape[${j}]`, 'a positive integer', d);
    });
    const base64 = stringField(o, 'base64', path, true);
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(base64) || base64.length % 4 !== 0) fieldError(`${path}.base64`, 'base64 text', base64);
    const size = shape.reduce((a, b) => a * b, 1);
    if ((base64.length / 4) * 3 - (base64.endsWith('==') ? 2 : base64.endsWith('=') ? 1 : 0) !== size * 4) {
      fieldError(
        `${path}.base64`,
        `${size} float32 values (${size * 4} bytes) for shape [${shape.join(', ')}]`,
        `${base64.length} base64 characters`,
      );
    }
    return { name: stringField(o, 'name', path), shape, dtype: choiceField(o, 'dtype', path, ['float32'] as const), base64 };
  });
}

function readThreshold(root: Record<string, unknown>): FittedThreshold {
  const path = `${A}.threshold`;
  const o = objectField(root, 'threshold', A);
  const rule = choiceField(o, 'rule', path, ['quantile', 'mean-std', 'pot'] as const);
  const p = objectField(o, 'params', path);
  const pp = `${path}.params`;
  const value = numberField(o, 'value', path);
  const details = numberRecordField(o, 'details', path);
  switch (rule) {
    case 'quantile':
      return { rule, params: { q: numberField(p, 'q', pp, 0, 1) }, value, details };
    case 'mean-std':
      return { rule, params: { k: numberField(p, 'k', pp) }, value, details };
    case 'pot':
      return {
        rule,
        params: { initialQuantile: numberField(p, 'initialQuantile', pp, 0, 1), risk: numberField(p, 'risk', pp, 0, 1) },
        value,
        details,
      };
  }
}

function readDeviceThresholds(root: Record<string, unknown>): Record<string, number> {
  const o = numberRecordField(root, 'deviceThresholds', A);
  // The key is a (pseudonymous) device id: say which entry, not which device.
  Object.keys(o).forEach((id, i) => {
    if (!DEVICE_ID_PATTERN.test(id))
      throw new ArtifactError(`${A}.deviceThresholds: key #${i + 1} is not a valid device id`, `${A}.deviceThresholds`);
  });
  return o;
}

function readTraining(root: Record<string, unknown>): TrainingSummary {
  const path = `${A}.training`;
  const o = objectField(root, 'training', A);
  const software = objectField(o, 'software', path);
  return {
    data: scalarRecordField(o, 'data', path),
    epochs: integerField(o, 'epochs', path),
    seed: numberField(o, 'seed', path),
    bestEpoch: integerField(o, 'bestEpoch', path),
    stoppedBy: stringField(o, 'stoppedBy', path),
    trainLoss: numberArrayField(o, 'trainLoss', path),
    valLoss: numberArrayField(o, 'valLoss', path),
    seconds: numberField(o, 'seconds', path, 0),
    options: scalarRecordField(o, 'options', path),
    metrics: numberRecordField(o, 'metrics', path),
    software: {
      beatwatch: stringField(software, 'beatwatch', `${path}.software`),
      node: stringField(software, 'node', `${path}.software`),
    },
  };
}

/**
 * Parses and validates a model artifact and rebuilds its autoencoder. Checks, in order: the
 * sha256 (when expected), JSON syntax, `format`, `formatVersion` (only
 * {@link ARTIFACT_FORMAT_VERSION} is known), then every field; the weights must fit the
 * architecture. Unknown top-level fields are extensions: kept untouched in the returned artifact.
 *
 * @throws ArtifactError whose message and `field` name the first problem found.
 * @example
 * const { artifact, model } = parseArtifact(text, { expectedSha256: pointer.sha256 });
 * const scores = model.score(windows, count);
 */
export function parseArtifact(text: string, options: ParseArtifactOptions = {}): LoadedArtifact {
  const sha256 = sha256Hex(text);
  if (options.expectedSha256 !== undefined && options.expectedSha256.toLowerCase() !== sha256) {
    throw new ArtifactError(`artifact: sha256 ${sha256} differs from the expected ${options.expectedSha256}`, A);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ArtifactError(`artifact: not valid JSON (${(err as Error).message})`, A);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) fieldError(A, 'a JSON object', json);
  const root = json as Record<string, unknown>;
  if (root.format !== ARTIFACT_FORMAT) fieldError(`${A}.format`, `"${ARTIFACT_FORMAT}"`, root.format);
  if (root.formatVersion !== ARTIFACT_FORMAT_VERSION) {
    throw new ArtifactError(
      `${A}.formatVersion: unknown format version ${JSON.stringify(root.formatVersion)}; this build reads version ${ARTIFACT_FORMAT_VERSION} only`,
      `${A}.formatVersion`,
    );
  }
  const version = stringField(root, 'version', A);
  if (!MODEL_VERSION_PATTERN.test(version)) fieldError(`${A}.version`, MODEL_VERSION_FORM, version);
  const createdAt = stringField(root, 'createdAt', A);
  if (Number.isNaN(Date.parse(createdAt))) fieldError(`${A}.createdAt`, 'an ISO 8601 timestamp', createdAt);
  const architecture = readArchitecture(root);
  const window = readWindow(root, architecture.steps);
  const normObj = objectField(root, 'normalization', A);
  const normalization = {
    perBeat: choiceField(normObj, 'perBeat', `${A}.normalization`, NORMALIZATIONS),
    offset: numberField(normObj, 'offset', `${A}.normalization`),
    scale: numberField(normObj, 'scale', `${A}.normalization`),
  };
  if (normalization.perBeat !== window.normalization)
    fieldError(`${A}.normalization.perBeat`, `"${window.normalization}" as in window.normalization`, normalization.perBeat);
  if (normalization.scale === 0) fieldError(`${A}.normalization.scale`, 'a non-zero number', 0);
  // Top-level fields this module does not define (extensions) are kept as they are, so a
  // parse/serialize round trip reproduces the text and its sha256.
  const extensions = Object.fromEntries(Object.entries(root).filter(([k]) => !KNOWN_FIELDS.has(k)));
  const artifact: ModelArtifact = {
    ...extensions,
    format: ARTIFACT_FORMAT,
    formatVersion: ARTIFACT_FORMAT_VERSION,
    version,
    createdAt,
    architecture,
    window,
    normalization,
    weights: readWeights(root),
    threshold: readThreshold(root),
    deviceThresholds: readDeviceThresholds(root),
    training: readTraining(root),
  };
  if (root.scoring !== undefined) {
    try {
      artifact.scoring = readBeatScoring(root);
    } catch (err) {
      throw new ArtifactError((err as Error).message, `${A}.scoring`);
    }
  }
  if (root.lead !== undefined) artifact.lead = checkArtifactLead(root.lead);
  let model: SequenceAutoencoder;
  try {
    model = SequenceAutoencoder.fromJSON({
      format: AUTOENCODER_FORMAT,
      formatVersion: AUTOENCODER_FORMAT_VERSION,
      config: architecture,
      weights: artifact.weights,
    });
  } catch (err) {
    throw new ArtifactError(`${A}.weights: do not fit the architecture (${(err as Error).message})`, `${A}.weights`);
  }
  return { artifact, model, sha256 };
}
