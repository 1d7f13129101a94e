import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadBeatModel, segmenterFactoryFor } from '../../src/model/beat-model';
import { defaultModelFor, DEFAULT_MODEL_PLAN } from '../../src/evaluate/default-model';
import { labelledBeats } from '../../src/evaluate/labelled-beats';
import { loadMitdbRecord } from '../../src/ecg/mitdb';
import { DEFAULT_BEAT_WINDOW } from '../../src/ecg/beat-window-spec';

const MODEL = fileURLToPath(new URL('../../data/default-model/model.json', import.meta.url));
const MITDB = fileURLToPath(new URL('../../data/mitdb', import.meta.url));

describe('loadBeatModel', () => {
  const text = readFileSync(MODEL, 'utf8');

  it('loads the shipped default model with its streaming window and scoring', () => {
    const model = loadBeatModel(text);
    expect(model.version).toMatch(/^\d{8}T\d{6}Z-[0-9a-f]{8}$/);
    expect(model.threshold).toBeGreaterThan(0);
    expect(model.scoring.kind).toBe('reconstruction+prematurity');
    expect(model.artifact.training.data.records).toBe(DEFAULT_MODEL_PLAN.default.join(','));
    expect(model.segmenters).toBe(segmenterFactoryFor(model.artifact.window as typeof DEFAULT_BEAT_WINDOW));
  });

  it('refuses an artifact whose sha256 differs from the pointer', () => {
    expect(() => loadBeatModel(text, '0'.repeat(64))).toThrow(/sha256/);
  });

  it('scores the ventricular beats of record 119 far above its normal beats, in one batched call', () => {
    const full = loadMitdbRecord(MITDB, '119');
    const n = 120 * full.fs;
    const cut = full.beatSamples.findIndex((s) => s >= n);
    const record = {
      ...full,
      signal: full.signal.subarray(0, n),
      beatSamples: full.beatSamples.subarray(0, cut),
      beatSymbols: full.beatSymbols.slice(0, cut),
    };
    const { model } = defaultModelFor('119'); // a model never trained on 119
    const { beats, classes } = labelledBeats(record, model.artifact.window as typeof DEFAULT_BEAT_WINDOW);
    const scores = model.scoreBeats(beats);
    const mean = (c: string) => {
      const s = beats
        .map((_, i) => i)
        .filter((i) => classes[i] === c)
        .map((i) => scores[i]);
      return s.reduce((a, b) => a + b, 0) / s.length;
    };
    expect(beats.length).toBeGreaterThan(100);
    expect(mean('V')).toBeGreaterThan(2 * mean('N'));
  });

  it('names a window of the wrong length', () => {
    const model = loadBeatModel(text);
    expect(() => model.scoreBeats([{ rIndex: 0, window: new Float32Array(3), rrPrev: null, rrNext: null }])).toThrow(
      /beat 0: window has 3 samples/,
    );
  });
});

describe('defaultModelFor', () => {
  it('never hands out a model trained on the record', () => {
    for (const r of ['100', '101', '106', '119', '208', '203', '233']) {
      const { trainedOn, model } = defaultModelFor(r);
      expect(trainedOn).not.toContain(r);
      expect(String(model.artifact.training.data.records).split(',')).not.toContain(r);
    }
  });
});
