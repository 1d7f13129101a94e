import { describe, expect, it } from 'vitest';
import { evaluateEcg5000, splitNormals } from '../../src/evaluate/evaluate-ecg5000';
import { parseArtifact, serializeArtifact } from '../../src/contract';
import type { UcrDataset } from '../../src/ecg/read-ucr';

/** Label-1 rows are clean sines of random phase; others are the same plus a sharp spike. */
function synthetic(rows: number, length: number, abnormalEvery: number, seed: number): UcrDataset {
  const labels = new Int32Array(rows);
  const data = new Float32Array(rows * length);
  let s = seed;
  const rand = () => (s = (s * 16807) % 2147483647) / 2147483647;
  for (let r = 0; r < rows; r++) {
    const abnormal = abnormalEvery > 0 && r % abnormalEvery === abnormalEvery - 1;
    labels[r] = abnormal ? 2 + (r % 4) : 1;
    const phase = rand() * 0.5;
    const spikeAt = 4 + Math.floor(rand() * (length - 8));
    for (let t = 0; t < length; t++) {
      let v = Math.sin((2 * Math.PI * t) / length + phase);
      if (abnormal && Math.abs(t - spikeAt) < 2) v += 3;
      data[r * length + t] = v;
    }
  }
  return { labels, data, rows, length };
}

describe('splitNormals', () => {
  it('splits only normal rows, disjointly, the same way for the same split seed', () => {
    const labels = Int32Array.from({ length: 100 }, (_, i) => (i % 5 === 0 ? 3 : 1));
    const a = splitNormals(labels, 0.2, 0.1, 7);
    expect(a.calibration.length).toBe(16);
    expect(a.validation.length).toBe(8);
    expect(a.train.length).toBe(56);
    const all = [...a.train, ...a.validation, ...a.calibration];
    expect(new Set(all).size).toBe(80);
    for (const r of all) expect(labels[r]).toBe(1);
    expect(splitNormals(labels, 0.2, 0.1, 7)).toEqual(a);
    expect(splitNormals(labels, 0.2, 0.1, 8).calibration).not.toEqual(a.calibration);
    expect(() => splitNormals(labels, 0.6, 0.4, 7)).toThrow(/none to train on/);
  });
});

describe('evaluateEcg5000 (tiny synthetic smoke)', () => {
  it('ranks spiked beats above clean ones and returns a loadable artifact', async () => {
    const train = synthetic(120, 24, 6, 1);
    const test = synthetic(60, 24, 3, 2);
    const { result, artifact, model } = await evaluateEcg5000(train, test, {
      hidden: 6,
      epochs: 12,
      batchSize: 8,
      learningRate: 1e-2,
      seed: 3,
      thresholdRule: { rule: 'mean-std', params: { k: 3 } },
    });
    expect(result.trainWindows + result.validationWindows + result.calibrationWindows).toBe(100);
    expect(result.testWindows).toBe(60);
    expect(result.testAbnormal).toBe(20);
    expect(result.epochsRun).toBeGreaterThan(0);
    expect(result.auc).toBeGreaterThan(0.9);
    expect(result.truePositives + result.falseNegatives).toBe(20);
    expect(result.params).toBe(artifact.weights.reduce((n, w) => n + w.shape.reduce((a, b) => a * b, 1), 0));
    const { text, sha256 } = serializeArtifact(artifact);
    const loaded = parseArtifact(text, { expectedSha256: sha256 });
    expect(loaded.artifact.threshold.value).toBe(result.threshold);
    expect(loaded.artifact.window).toMatchObject({ kind: 'prewindowed', steps: 24 });
    // The saved and reloaded model scores exactly as the trained one did before saving.
    const before = model.score(test.data, test.rows);
    expect(before.some((s) => s > 0)).toBe(true);
    expect(loaded.model.score(test.data, test.rows)).toEqual(before);
  });

  it('refuses TRAIN and TEST of different lengths', async () => {
    await expect(evaluateEcg5000(synthetic(40, 24, 0, 1), synthetic(10, 20, 2, 1))).rejects.toThrow(/24 samples but TEST rows 20/);
  });
});
