import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runHandlerCore } from '../../bench/handler-core';
import { oneLeadDevice, streamBatches } from '../../bench/wire-stream';
import { OFF_ADAPTER } from '../../src/detect/adapters';
import { loadMitdbRecord } from '../../src/ecg/mitdb';
import { loadBeatModel } from '../../src/model/beat-model';

const MODEL = fileURLToPath(new URL('../../data/default-model/model.json', import.meta.url));
const MITDB = fileURLToPath(new URL('../../data/mitdb', import.meta.url));

describe('bench: handler core pass', () => {
  it('counts the beats scored, the windows the model scored and the time taken', async () => {
    const model = loadBeatModel(readFileSync(MODEL, 'utf8'));
    const record = loadMitdbRecord(MITDB, '100');
    const signal = record.signal.subarray(0, 30 * record.fs);
    const batches = streamBatches([oneLeadDevice({ deviceId: 'dev-100', signal, fs: record.fs })], 0, 10);
    const run = await runHandlerCore(batches, model, { adaptation: OFF_ADAPTER });
    // About 2,270 beats in 30 min: some 35 in 30 s, less those still inside the segmenter.
    expect(run.beats).toBeGreaterThan(25);
    expect(run.beats).toBeLessThan(45);
    // One lead: one window per beat, none judged on another lead, no learning with `off`.
    expect(run.windows).toBe(run.beats);
    expect(run.secondLeadBeats).toBe(0);
    expect(run.learningBeats).toBe(0);
    expect(run.seconds).toBeGreaterThan(0);
    expect(run.scoringMs).toBeGreaterThan(0);
    expect(run.scoringMs).toBeLessThanOrEqual(run.seconds * 1000);
  });
});
