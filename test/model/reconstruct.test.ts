import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadBeatModel } from '../../src/model/beat-model';

describe('BeatModel.reconstructBeats', () => {
  it("returns, per beat, the reconstruction whose mean squared error is the model's score (no timing term without RR)", () => {
    const model = loadBeatModel(readFileSync('data/default-model/model.json', 'utf8'));
    const steps = model.window?.steps as number;
    expect(model.window).toMatchObject({ before: expect.any(Number), after: expect.any(Number), steps });
    const beats = [0, 1, 2].map((j) => {
      const w = Float32Array.from({ length: steps }, (_, k) => Math.exp(-(((k - 23) / (2 + j)) ** 2)) - 0.2);
      const mean = w.reduce((a, b) => a + b, 0) / steps;
      const sd = Math.sqrt(w.reduce((a, b) => a + (b - mean) ** 2, 0) / steps);
      return { rIndex: 0, window: w.map((v) => (v - mean) / sd), rrPrev: null, rrNext: null };
    });
    const scores = model.scoreBeats(beats);
    const recons = model.reconstructBeats?.(beats) as Float32Array[];
    expect(recons).toHaveLength(3);
    recons.forEach((r, i) => {
      expect(r).toHaveLength(steps);
      const mse = beats[i].window.reduce((a, v, k) => a + (v - r[k]) ** 2, 0) / steps;
      expect(mse).toBeCloseTo(scores[i], 4);
    });
  });
});
