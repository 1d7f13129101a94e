import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadBeatModel } from '../../src/model/beat-model';
import type { LabelledBeats } from '../../src/evaluate/labelled-beats';
import { trainBeatModel } from '../../src/evaluate/train-beat-model';

const MITDB = fileURLToPath(new URL('../../data/mitdb', import.meta.url));

describe('trainBeatModel', () => {
  it('is reproducible for a seed and writes an artifact the detector loads, with its scoring and data', async () => {
    const cache = new Map<string, LabelledBeats>();
    const options = { epochs: 1, maxTrainWindows: 64, validationWindows: 32, hidden: 8 };
    const a = await trainBeatModel(MITDB, ['101'], options, () => {}, cache);
    const b = await trainBeatModel(MITDB, ['101'], options, () => {}, cache);
    expect(a.artifact.weights).toEqual(b.artifact.weights);
    expect(a.artifact.threshold.value).toBe(b.artifact.threshold.value);
    expect(a.data).toMatchObject({ records: ['101'], trainWindows: 64, validationWindows: 32 });
    expect(a.data.normalBeats['101']).toBeGreaterThan(1800);
    const model = loadBeatModel(a.text, a.sha256);
    expect(model.scoring).toEqual({ kind: 'reconstruction+prematurity', prematurityWeight: 0.5 });
    expect(model.artifact.training.data.records).toBe('101');
    expect(model.threshold).toBeGreaterThan(0);
    const other = await trainBeatModel(MITDB, ['101'], { ...options, seed: 2 }, () => {}, cache);
    expect(other.artifact.weights).not.toEqual(a.artifact.weights);
  });
});
