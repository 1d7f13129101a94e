import { describe, expect, it } from 'vitest';
import { SequenceAutoencoder } from '../../src/nn';
import {
  ArtifactError,
  applyInputNormalization,
  artifactLead,
  createArtifact,
  parseArtifact,
  serializeArtifact,
  sha256Hex,
  streamingWindowSpec,
  thresholdFor,
  type ModelArtifact,
} from '../../src/contract';
import { fitThreshold } from '../../src/model/threshold';

const STEPS = 12;

// Tests corrupt arbitrary fields of the parsed JSON, so its shape is deliberately loose.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type LooseJson = Record<string, any>;

function makeArtifact(seed = 3, scoring?: ModelArtifact['scoring']): { artifact: ModelArtifact; model: SequenceAutoencoder } {
  const model = SequenceAutoencoder.create({ steps: STEPS, hidden: 5, latent: 3, cell: 'gru' }, { seed });
  const scores = Array.from({ length: 40 }, (_, i) => 0.01 + i * 0.001);
  const artifact = createArtifact({
    model,
    window: { kind: 'stream', before: 0.25, after: 0.45, steps: STEPS, normalization: 'zscore' },
    threshold: fitThreshold(scores, { rule: 'quantile', params: { q: 0.95 } }),
    deviceThresholds: { 'dev-a1': 0.5 },
    training: {
      data: { source: 'synthetic', windows: 100 },
      epochs: 3,
      seed,
      bestEpoch: 2,
      stoppedBy: 'epochs',
      trainLoss: [0.3, 0.2, 0.1],
      valLoss: [0.31, 0.21, 0.22],
      seconds: 1.5,
      options: { batchSize: 16, learningRate: 0.001 },
      metrics: { heldOutMeanScore: 0.03 },
    },
    createdAt: new Date(Date.UTC(2026, 10, 26, 19, 4, 12, 345)),
    ...(scoring === undefined ? {} : { scoring }),
  });
  return { artifact, model };
}

/** Mutates a copy of the serialized artifact's JSON and re-serializes it (no sha check). */
function tampered(mutate: (json: LooseJson) => void): string {
  const json = JSON.parse(serializeArtifact(makeArtifact().artifact).text);
  mutate(json);
  return JSON.stringify(json);
}

describe('model artifact', () => {
  it('has the documented header, version and software fields', () => {
    const { artifact } = makeArtifact();
    expect(artifact.format).toBe('beatwatch-model');
    expect(artifact.formatVersion).toBe(1);
    expect(artifact.version).toMatch(/^20261126T190412Z-[0-9a-f]{8}$/);
    expect(artifact.createdAt).toBe('2026-11-26T19:04:12.345Z');
    expect(artifact.architecture).toMatchObject({ cell: 'gru', steps: STEPS, hidden: 5, latent: 3 });
    expect(artifact.training.software.node).toBe(process.version);
    expect(artifact.training.software.beatwatch).toMatch(/^\d+\.\d+\.\d+/);
    expect(artifact.normalization).toEqual({ perBeat: 'zscore', offset: 0, scale: 1 });
  });

  it('versions differ when weights differ, even in the same second', () => {
    expect(makeArtifact(3).artifact.version).not.toBe(makeArtifact(4).artifact.version);
    expect(makeArtifact(3).artifact.version).toBe(makeArtifact(3).artifact.version);
  });

  it('round-trips exactly: same artifact, same weights bit for bit, same scores, same text', () => {
    const { artifact, model } = makeArtifact();
    const { text, sha256 } = serializeArtifact(artifact);
    expect(sha256).toBe(sha256Hex(text));
    const loaded = parseArtifact(text, { expectedSha256: sha256 });
    expect(loaded.sha256).toBe(sha256);
    expect(loaded.artifact).toEqual(artifact);
    expect(serializeArtifact(loaded.artifact).text).toBe(text);
    const original = model.exportWeights();
    const restored = loaded.model.exportWeights();
    expect(restored.map((w) => w.name)).toEqual(original.map((w) => w.name));
    restored.forEach((w, i) => expect(Buffer.from(w.values.buffer).equals(Buffer.from(original[i].values.buffer))).toBe(true));
    const windows = Float32Array.from({ length: 3 * STEPS }, (_, i) => Math.sin(i / 2));
    expect(loaded.model.score(windows, 3)).toEqual(model.score(windows, 3));
  });

  it('keeps unknown top-level extension fields, so re-serializing gives the same text', () => {
    const { artifact } = makeArtifact();
    const extended = { ...artifact, calibration: { detrend: true, weights: [1, 2] } };
    const { text, sha256 } = serializeArtifact(extended);
    const loaded = parseArtifact(text, { expectedSha256: sha256 });
    expect((loaded.artifact as unknown as Record<string, unknown>).calibration).toEqual({ detrend: true, weights: [1, 2] });
    expect(serializeArtifact(loaded.artifact).text).toBe(text);
  });

  it('carries scoring as a field of its own: set by createArtifact, checked and kept by parseArtifact', () => {
    const { artifact } = makeArtifact();
    expect(artifact.scoring).toBeUndefined();
    const scored = makeArtifact(3, { kind: 'reconstruction+prematurity', prematurityWeight: 0.5 }).artifact;
    expect(scored.scoring).toEqual({ kind: 'reconstruction+prematurity', prematurityWeight: 0.5 });
    const { text, sha256 } = serializeArtifact(scored);
    const loaded = parseArtifact(text, { expectedSha256: sha256 });
    expect(loaded.artifact.scoring).toEqual({ kind: 'reconstruction+prematurity', prematurityWeight: 0.5 });
    expect(serializeArtifact(loaded.artifact).text).toBe(text);
    const bad = serializeArtifact({ ...artifact, scoring: { kind: 'reconstruction+prematurity', prematurityWeight: -1 } });
    expect(() => parseArtifact(bad.text)).toThrow(/artifact\.scoring\.prematurityWeight/);
  });

  it('carries the lead the model was trained on: absent reads as MLII, set by createArtifact, checked and kept by parseArtifact', () => {
    const { artifact, model } = makeArtifact();
    expect(artifact.lead).toBeUndefined();
    expect(artifactLead(artifact)).toBe('MLII');
    const inputs = { model, window: artifact.window, threshold: artifact.threshold, training: artifact.training };
    const withLead = createArtifact({ ...inputs, lead: 'V5' });
    expect(artifactLead(withLead)).toBe('V5');
    const { text, sha256 } = serializeArtifact(withLead);
    const loaded = parseArtifact(text, { expectedSha256: sha256 });
    expect(loaded.artifact.lead).toBe('V5');
    expect(serializeArtifact(loaded.artifact).text).toBe(text);
    // An older artifact (no lead) still parses, and reads as MLII.
    expect(artifactLead(parseArtifact(serializeArtifact(artifact).text).artifact)).toBe('MLII');
    for (const bad of ['', 'x'.repeat(33), 'V\u00e9', 7])
      expect(() => parseArtifact(tampered((j) => (j.lead = bad)))).toThrow(/artifact\.lead/);
    expect(() => createArtifact({ ...inputs, lead: '' })).toThrow(ArtifactError);
  });

  it('serializes canonically: key order of the input does not matter', () => {
    const { artifact } = makeArtifact();
    const reversed = Object.fromEntries(Object.entries(artifact).reverse()) as unknown as ModelArtifact;
    expect(serializeArtifact(reversed)).toEqual(serializeArtifact(artifact));
  });

  it('rejects a sha256 mismatch, bad JSON, a wrong format and an unknown format version', () => {
    const { text } = serializeArtifact(makeArtifact().artifact);
    expect(() => parseArtifact(text, { expectedSha256: '0'.repeat(64) })).toThrow(/sha256 [0-9a-f]{64} differs from the expected 0{64}/);
    expect(() => parseArtifact(`${text.slice(0, 200)}`)).toThrow(/not valid JSON/);
    expect(() => parseArtifact(tampered((j) => (j.format = 'other-model')))).toThrow(
      /artifact\.format: expected "beatwatch-model", got the string "other-model"/,
    );
    try {
      parseArtifact(tampered((j) => (j.formatVersion = 2)));
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ArtifactError);
      expect((err as ArtifactError).field).toBe('artifact.formatVersion');
      expect((err as Error).message).toMatch(/unknown format version 2; this build reads version 1 only/);
    }
  });

  it.each<[string, (j: LooseJson) => void, RegExp]>([
    [
      'missing threshold value',
      (j) => delete j.threshold.value,
      /artifact\.threshold\.value: expected a finite number, got nothing \(missing\)/,
    ],
    ['ill-typed hidden', (j) => (j.architecture.hidden = '32'), /artifact\.architecture\.hidden: expected an integer/],
    ['unknown cell', (j) => (j.architecture.cell = 'transformer'), /artifact\.architecture\.cell: expected one of "lstm"/],
    ['window steps mismatch', (j) => (j.window.steps = 99), /artifact\.window\.steps: expected the architecture's steps 12/],
    ['bad normalization', (j) => (j.window.normalization = 'l2'), /artifact\.window\.normalization/],
    ['perBeat disagrees with window', (j) => (j.normalization.perBeat = 'minmax'), /artifact\.normalization\.perBeat/],
    ['bad version', (j) => (j.version = 'latest'), /artifact\.version: expected YYYYMMDDTHHMMSSZ/],
    ['bad createdAt', (j) => (j.createdAt = 'yesterday'), /artifact\.createdAt/],
    [
      'non-numeric loss entry',
      (j) => (j.training.valLoss[1] = null),
      /artifact\.training\.valLoss\[1\]: expected a finite number, got null/,
    ],
    ['missing software', (j) => delete j.training.software, /artifact\.training\.software: expected an object/],
    [
      'bad device threshold',
      (j) => (j.deviceThresholds['dev-a1'] = 'high'),
      /artifact\.deviceThresholds\.dev-a1: expected a finite number/,
    ],
    ['bad device id', (j) => (j.deviceThresholds['has space'] = 1), /artifact\.deviceThresholds: key #2 is not a valid device id/],
    [
      'truncated weights',
      (j) => (j.weights[0].base64 = j.weights[0].base64.slice(0, 8)),
      /artifact\.weights\[0\]\.base64: expected \d+ float32 values/,
    ],
    ['bad base64', (j) => (j.weights[1].base64 = '!!!!'), /artifact\.weights\[1\]\.base64: expected base64 text/],
    ['dropped tensor', (j) => j.weights.pop(), /artifact\.weights: do not fit the architecture/],
    [
      'unknown pot params',
      (j) => ((j.threshold.rule = 'pot'), (j.threshold.params = { q: 0.9 })),
      /artifact\.threshold\.params\.initialQuantile/,
    ],
  ])('rejects a corrupt artifact (%s), naming the field', (_, mutate, message) => {
    expect(() => parseArtifact(tampered(mutate))).toThrow(message);
  });

  it('rejects inconsistent inputs when creating', () => {
    const { model } = makeArtifact();
    const base = makeArtifact().artifact;
    const input = { model, threshold: base.threshold, training: base.training };
    expect(() => createArtifact({ ...input, window: { kind: 'prewindowed', source: 'x', steps: 140, normalization: 'zscore' } })).toThrow(
      /window\.steps: 140 differs from the model's steps 12/,
    );
    expect(() =>
      createArtifact({
        ...input,
        window: { kind: 'prewindowed', source: 'x', steps: STEPS, normalization: 'zscore' },
        deviceThresholds: { 'bad id!': 1 },
      }),
    ).toThrow(/device id/);
  });

  it('picks the device threshold over the global one, and exposes the streaming window spec', () => {
    const { artifact } = makeArtifact();
    expect(thresholdFor(artifact, 'dev-a1')).toBe(0.5);
    expect(thresholdFor(artifact, 'other')).toBe(artifact.threshold.value);
    expect(thresholdFor(artifact, 'toString')).toBe(artifact.threshold.value);
    expect(streamingWindowSpec(artifact)).toEqual({ before: 0.25, after: 0.45, steps: STEPS, normalization: 'zscore' });
    const pre = {
      ...artifact,
      window: { kind: 'prewindowed' as const, source: 'UCR ECG5000', steps: STEPS, normalization: 'zscore' as const },
    };
    expect(() => streamingWindowSpec(pre)).toThrow(/pre-windowed beats \(UCR ECG5000\)/);
  });

  it('applies the global input map in place', () => {
    const w = Float32Array.from([1, 2, 3]);
    applyInputNormalization(w, { perBeat: 'none', offset: 1, scale: 2 });
    expect(Array.from(w)).toEqual([0, 0.5, 1]);
  });
});
