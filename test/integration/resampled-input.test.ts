/**
 * A recording at another rate than the model's training data (MIT-BIH, 360 Hz): record 119
 * resampled to 250 Hz and written as CSV, read back as `score`, `replay` and `demo` read files,
 * and streamed through the detector, gives close to the beats, kinds and alerts of the 360 Hz
 * original. Nothing resamples the stream itself: each beat window is cut in seconds and resampled
 * to the model's 64 steps, whatever the rate (docs/ARCHITECTURE.md §3.2).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readEcgInput } from '../../src/cli/ecg-input';
import { defaultModelFor } from '../../src/evaluate/default-model';
import { runRecordThroughDetector, type ProductRun } from '../../src/evaluate/mitdb-product';
import { loadMitdbRecord } from '../../src/ecg/mitdb';
import { ecgResample } from '../../src/ecg/resample';
import { MITDB, tempFiles } from '../ecg/helpers';

const SECONDS = 300;
const LEARNING_SECONDS = 120;

describe('a bundled record resampled to 250 Hz and read from CSV', () => {
  it('gives close to the beats, kinds and alerts of the 360 Hz record through the detector', async () => {
    const rec = loadMitdbRecord(MITDB, '119');
    const { model } = defaultModelFor('119');
    const mlii = rec.signal.subarray(0, SECONDS * 360);
    const v1 = rec.leads!.find((l) => l.name === 'V1')!.samples.subarray(0, SECONDS * 360);
    const [m250, v250] = [ecgResample(mlii, 360, 250), ecgResample(v1, 360, 250)];
    const lines = ['time,V1,MLII'];
    for (let i = 0; i < m250.length; i++) lines.push(`${(i / 250).toFixed(3)},${v250[i].toFixed(4)},${m250[i].toFixed(4)}`);
    const { dir, cleanup } = tempFiles({ '119-250.csv': `${lines.join('\n')}\n` });
    let run250: ProductRun;
    try {
      const input = readEcgInput(join(dir, '119-250.csv'), {});
      expect(input.recording.fs).toBe(250);
      expect(input.lead.name).toBe('MLII');
      expect(input.warning).toBeUndefined();
      run250 = await runRecordThroughDetector({ deviceId: '119', signal: input.lead.samples, fs: 250 }, model, {
        learningSeconds: LEARNING_SECONDS,
      });
    } finally {
      cleanup();
    }
    const run360 = await runRecordThroughDetector({ deviceId: '119', signal: mlii, fs: 360 }, model, { learningSeconds: LEARNING_SECONDS });

    // Beats: the same heartbeats, R peaks within 20 ms.
    const near = (run: ProductRun, t: number, ms: number) => run.beats.find((b) => Math.abs(b.t - t) <= ms);
    expect(run360.beats.length).toBeGreaterThan(300);
    expect(run360.beats.filter((b) => near(run250, b.t, 20)).length).toBeGreaterThanOrEqual(0.99 * run360.beats.length);
    expect(run250.beats.filter((b) => near(run360, b.t, 20)).length).toBeGreaterThanOrEqual(0.99 * run250.beats.length);
    // Kinds after learning: the same verdict for every beat scored at both rates. Signal quality
    // is judged per second from the samples and depends a little on the rate (the anti-aliased
    // 250 Hz signal has less high-frequency content), so a few beats gated as noise at 360 Hz are
    // scored at 250 Hz: at most 10 % of them.
    const learned = run360.beats.filter((b) => b.phase === 'learned');
    expect(learned.length).toBeGreaterThan(150);
    const pairs = learned.map((b) => [b, near(run250, b.t, 20)] as const);
    const scored = pairs.filter(([a, b]) => a.kind !== 'gated' && b !== undefined && b.kind !== 'gated');
    expect(scored.length).toBeGreaterThanOrEqual(0.9 * learned.length);
    expect(scored.filter(([a, b]) => a.kind === b?.kind).length).toBeGreaterThanOrEqual(0.99 * scored.length);
    expect(scored.some(([a]) => a.kind === 'ventricular')).toBe(true);
    // Alerts: as many, each starting within 3 s of one at the other rate (a gated beat at one rate
    // can be the first flagged beat at the other).
    expect(run360.alerts.length).toBeGreaterThan(0);
    expect(run250.alerts.length).toBe(run360.alerts.length);
    for (const a of run360.alerts) expect(run250.alerts.some((b) => Math.abs(b.from - a.from) <= 3000)).toBe(true);
  });
});
