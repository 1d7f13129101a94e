import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadBeatModel } from '../../src/model/beat-model';
import { createMitdbAnomalyEvaluation } from '../../src/evaluate/mitdb-anomaly';
import { loadMitdbRecord } from '../../src/ecg/mitdb';
import { streamBeats } from '../../src/ecg/qrs-evaluation';
import type { MitdbEvalStep } from '../../src/evaluate/mitdb-eval';

const MITDB = fileURLToPath(new URL('../../data/mitdb', import.meta.url));
const model = loadBeatModel(readFileSync(fileURLToPath(new URL('../../data/default-model/model.json', import.meta.url)), 'utf8'));

function firstSeconds(name: string, seconds: number) {
  const full = loadMitdbRecord(MITDB, name);
  const n = seconds * full.fs;
  const cut = full.beatSamples.findIndex((s) => s >= n);
  return {
    ...full,
    signal: full.signal.subarray(0, n),
    beatSamples: full.beatSamples.subarray(0, cut),
    beatSymbols: full.beatSymbols.slice(0, cut),
  };
}

describe('createMitdbAnomalyEvaluation', () => {
  it('scores the streamed beats per record with the chosen model and totals over records', () => {
    const chosen: string[] = [];
    const evaluation = createMitdbAnomalyEvaluation(
      { calibration: 'per-record' },
      (r) => (chosen.push(r), { model, name: 'test-model', trainedOn: [] }),
    );
    const asStep: MitdbEvalStep = evaluation; // plugs into eval mitdb's EVAL_STEPS as is
    expect(asStep.total).toBeTypeOf('function');
    const record = firstSeconds('119', 420);
    const row = evaluation.record({ record, beats: streamBeats(record.signal, record.fs) });
    expect(chosen).toEqual(['119']);
    expect(row.anomaly.model).toBe('test-model');
    expect(row.anomaly.aucV).toBeGreaterThan(0.9);
    expect(row.anomaly.veb.se).toBeGreaterThan(0.5);
    expect(row.anomaly.threshold).toBeGreaterThan(0);
    const { anomaly: total } = evaluation.total();
    expect(total.aucV).toBe(row.anomaly.aucV);
    expect(total.alertsPerHourOnNormal).toBeNull(); // 119 is not a normal record
  });
});
