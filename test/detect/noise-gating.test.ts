import { describe, expect, it } from 'vitest';
import { ecgSimulate } from '../../src/ecg/ecg-simulate';
import { RhythmMonitor } from '../../src/detect/rhythm-monitor';
import type { PatientAdapter } from '../../src/detect/patient-adaptation';
import { defaultModelFor } from '../../src/evaluate/default-model';
import { EVAL_EPOCH, runRecordThroughDetector } from '../../src/evaluate/mitdb-product';
import { createRandom } from '../../src/random';

const FS = 360;

describe('noisy seconds and beat gating', () => {
  it('the monitor gates a beat in a noisy second unless the caller judges noise itself; flat seconds always', () => {
    const rng = createRandom(5);
    const monitor = new RhythmMonitor(FS);
    // Second 0 flat (a lead off), seconds 1-2 white noise, seconds 3-4 flat again.
    const samples = new Float32Array(5 * FS);
    for (let i = FS; i < 3 * FS; i++) samples[i] = 0.3 * rng.normal();
    monitor.samples(samples, [], (i) => i);
    expect(monitor.qualityOf(0)).toBe('flat');
    expect(monitor.qualityOf(2)).toBe('noisy');
    const inNoise = Math.round(2.5 * FS);
    expect(monitor.gated(inNoise, 0.8)).toBe(true);
    expect(monitor.gated(inNoise, 0.8, false)).toBe(true); // its neighbour second 3 is flat
    const noiseOnly = Math.round(1.5 * FS); // seconds 0 (flat) to 2 around it
    expect(monitor.gated(noiseOnly, 0.8, false)).toBe(true);
    // A monitor that saw only noise: noisy seconds alone gate only when the caller asks for it.
    const noisy = new RhythmMonitor(FS);
    const noise = Float32Array.from({ length: 3 * FS }, () => 0.3 * rng.normal());
    noisy.samples(noise, [], (i) => i);
    expect(noisy.gated(FS + 100, 0.8)).toBe(true);
    expect(noisy.gated(FS + 100, 0.8, false)).toBe(false);
  });

  it("a learned device whose adapter gates noise gets its beats in noisy seconds scored by the adapter, others don't", async () => {
    const ecg = ecgSimulate({
      fs: FS,
      seconds: 60,
      heartRate: 70,
      seed: 2,
      anomalies: [{ kind: 'noiseBurst', at: 30, duration: 10, amplitude: 0.3 }],
    });
    const model = defaultModelFor('100').model;
    const stub = (gatesNoise: boolean): PatientAdapter => ({
      name: 'stub',
      learns: false,
      separatesKinds: false,
      gatesNoise,
      newLearner: () => {
        throw new Error('no learning');
      },
      restoreLearner: () => {
        throw new Error('no learning');
      },
      score: (_profile, _beat, _model, _reconstruction, context) => {
        contexts.push(context?.noisySignal ?? false);
        return { score: 0.5, kind: 'normal' };
      },
    });
    const contexts: boolean[] = [];
    const inBurst = (t: number) => t >= EVAL_EPOCH + 31_000 && t <= EVAL_EPOCH + 39_000;
    const runAll = (gatesNoise: boolean) =>
      runRecordThroughDetector({ deviceId: 'dev', signal: ecg.signal, fs: FS }, model, {
        adaptation: stub(gatesNoise),
        learningSeconds: 0,
      });
    const run = async (gatesNoise: boolean) => (await runAll(gatesNoise)).beats.filter((b) => inBurst(b.t));
    // The detector's gated-beat count (a metric) is every beat it reported gated.
    const whole = await runAll(false);
    expect(whole.gatedBeats).toBeGreaterThan(5);
    expect(whole.gatedBeats).toBe(whole.beats.filter((b) => b.kind === 'gated').length);
    contexts.length = 0;
    const gatedBySeconds = await run(false);
    expect(gatedBySeconds.length).toBeGreaterThan(5);
    expect(gatedBySeconds.filter((b) => b.kind === 'gated').length).toBeGreaterThan(gatedBySeconds.length / 2);
    expect(contexts.some(Boolean)).toBe(false); // it never saw a beat of a noisy second
    contexts.length = 0;
    const judgedByAdapter = await run(true);
    expect(judgedByAdapter.length).toBeGreaterThan(5);
    expect(judgedByAdapter.every((b) => b.kind === 'normal' && b.score === 0.5)).toBe(true);
    // ...and was told which beats were in noisy seconds, to judge them more strictly.
    expect(contexts.filter(Boolean).length).toBeGreaterThanOrEqual(judgedByAdapter.length / 2);
  });
});
