import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { measureSecondLeadScoring } from '../../bench/pipeline-two-leads';
import { DEMO_LEARNING_SECONDS } from '../../src/cli/commands/demo';
import { loadBeatModel } from '../../src/model/beat-model';

const MODEL = fileURLToPath(new URL('../../data/default-model/model.json', import.meta.url));
const MITDB = fileURLToPath(new URL('../../data/mitdb', import.meta.url));

describe('bench: second-lead scoring on two-lead records', () => {
  it('scores second-lead windows only with second-lead scoring on, over the same beats', async () => {
    const model = loadBeatModel(readFileSync(MODEL, 'utf8'));
    // Record 100 (MLII and V5) past the demo's learning period, so both phases are measured.
    const f = await measureSecondLeadScoring({
      folder: MITDB,
      records: ['100'],
      seconds: 90,
      batchSize: 100,
      startTime: 0,
      rounds: 1,
      model,
    });
    expect(f.learningSeconds).toBe(DEMO_LEARNING_SECONDS);
    expect(f.secondLeadScoringOn.beats).toBe(f.secondLeadScoringOff.beats);
    expect(f.secondLeadScoringOn.beats).toBeGreaterThan(100);
    expect(f.learningBeats).toBeGreaterThan(0);
    expect(f.learningBeats).toBeLessThan(f.secondLeadScoringOn.beats);
    expect(f.secondLeadScoringOff.windowsPerBeat).toBe(1);
    // V5 is clean on record 100: most beats have a usable second-lead window, none has two.
    expect(f.secondLeadScoringOn.windowsPerBeat).toBeGreaterThan(1.5);
    expect(f.secondLeadScoringOn.windowsPerBeat).toBeLessThanOrEqual(2);
    for (const arm of [f.secondLeadScoringOn, f.secondLeadScoringOff]) {
      expect(arm.scoringShare).toBeGreaterThan(0);
      expect(arm.scoringShare).toBeLessThan(1);
    }
    expect(f.onOffRatio).toBeGreaterThan(0);
    expect(Number.isFinite(f.onOffRatioCpu)).toBe(true);
  });
});
