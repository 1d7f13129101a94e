import { beforeAll, describe, expect, it } from 'vitest';
import { ecgSegment } from '../../src/ecg/beat-segmenter';
import { ecgSimulate } from '../../src/ecg/ecg-simulate';
import { parseArtifact } from '../../src/contract/artifact-parse';
import { compareModels } from '../../src/retrain';
import type { WindowSet } from '../../src/retrain/split';
import { createRandom, trainAutoencoder, type SequenceAutoencoder } from '../../src/nn';
import { pvcs, TEST_FS, TEST_WINDOW, trainTestChampion } from './fixtures';

function windows(seed: number, seconds: number, anomalies = pvcs(seconds, 4)): { normal: WindowSet; pvc: WindowSet } {
  const sim = ecgSimulate({ fs: TEST_FS, seconds, seed, anomalies });
  const beats = ecgSegment(sim.signal, TEST_FS, TEST_WINDOW);
  // Label each beat by the simulator's nearest R peak.
  const label = (r: number) => {
    let best = 0;
    for (let i = 1; i < sim.rPeaks.length; i++) if (Math.abs(sim.rPeaks[i] - r) < Math.abs(sim.rPeaks[best] - r)) best = i;
    return sim.labels[best];
  };
  const pack = (list: typeof beats): WindowSet => {
    const data = new Float32Array(list.length * TEST_WINDOW.steps);
    list.forEach((b, i) => data.set(b.window, i * TEST_WINDOW.steps));
    return { data, rr: new Float32Array(list.length * 2).fill(NaN), count: list.length };
  };
  return { normal: pack(beats.filter((b) => label(b.rIndex) === 'N')), pvc: pack(beats.filter((b) => label(b.rIndex) === 'V')) };
}

const OPTIONS = { reconstructionMargin: 0.05, separationMargin: 0.25, minFlaggedForSeparation: 10 };

describe('compareModels', () => {
  let champion: SequenceAutoencoder;
  let heldOut: { normal: WindowSet; pvc: WindowSet };
  beforeAll(async () => {
    champion = parseArtifact((await trainTestChampion()).text).model;
    heldOut = windows(77, 120);
  }, 60_000);

  it('passes the champion against itself (equal is not worse)', () => {
    const v = compareModels(champion, champion.clone(), heldOut.normal, heldOut.pvc, OPTIONS);
    expect(v.promote).toBe(true);
    expect(v.checks.map((c) => c.status)).toEqual(['pass', 'pass']);
    expect(v.challenger.meanNormalError).toBeCloseTo(v.champion.meanNormalError, 12);
    expect(v.champion.separation).toBeGreaterThan(1);
  });

  it('refuses a challenger fine-tuned on corrupted data (time-reversed, noisy beats)', async () => {
    const train = windows(5, 90, []).normal;
    const corrupted = new Float32Array(train.data.length);
    const rng = createRandom(9);
    const T = TEST_WINDOW.steps;
    for (let i = 0; i < train.count; i++)
      for (let k = 0; k < T; k++) corrupted[i * T + k] = train.data[i * T + (T - 1 - k)] + 0.5 * rng.normal();
    const challenger = champion.clone();
    await trainAutoencoder(challenger, corrupted, train.count, { epochs: 8, learningRate: 5e-3, validationSplit: 0, batchSize: 16 });
    const v = compareModels(champion, challenger, heldOut.normal, heldOut.pvc, OPTIONS);
    expect(v.promote).toBe(false);
    expect(v.reason).toMatch(/^challenger worse than champion: mean error/);
    expect(v.checks[0].status).toBe('fail');
  }, 60_000);

  it('skips the separation check, and says so, with too few flagged beats', () => {
    const few: WindowSet = { data: heldOut.pvc.data.subarray(0, 3 * TEST_WINDOW.steps), rr: heldOut.pvc.rr.subarray(0, 6), count: 3 };
    const v = compareModels(champion, champion.clone(), heldOut.normal, few, OPTIONS);
    expect(v.checks[1]).toMatchObject({ name: 'separation', status: 'skipped' });
    expect(v.checks[1].detail).toMatch(/only 3 flagged beats \(need 10\)/);
    expect(v.promote).toBe(true);
  });

  it('refuses a challenger that was taught the flagged beats are normal (separation check)', async () => {
    // Fine-tuned on PVCs alongside normal beats: what the champion filter exists to prevent.
    const taught = windows(31, 240, pvcs(240, 2.5));
    const T = TEST_WINDOW.steps;
    const data = new Float32Array((taught.normal.count + 4 * taught.pvc.count) * T);
    data.set(taught.normal.data);
    for (let r = 0; r < 4; r++) data.set(taught.pvc.data, (taught.normal.count + r * taught.pvc.count) * T);
    const challenger = champion.clone();
    await trainAutoencoder(challenger, data, data.length / T, { epochs: 10, learningRate: 5e-3, validationSplit: 0, batchSize: 16 });
    const v = compareModels(champion, challenger, heldOut.normal, heldOut.pvc, OPTIONS);
    const separation = v.checks.find((c) => c.name === 'separation')!;
    expect(separation.status).toBe('fail');
    expect(v.challenger.separation!).toBeLessThan(0.75 * v.champion.separation!);
    expect(v.promote).toBe(false);
    // The same PVCs given as beats clinicians labelled true alarms (too few flagged beats for the
    // separation check): the known-positives check refuses it on its own.
    const labelled = compareModels(
      champion,
      challenger,
      heldOut.normal,
      { data: new Float32Array(0), rr: new Float32Array(0), count: 0 },
      OPTIONS,
      {
        positives: heldOut.pvc,
        falseAlarms: { data: new Float32Array(0), rr: new Float32Array(0), count: 0 },
      },
    );
    expect(labelled.checks.map((c) => [c.name, c.status])).toEqual([
      ['reconstruction', labelled.checks[0].status],
      ['separation', 'skipped'],
      ['known-positives', 'fail'],
    ]);
    expect(labelled.challenger.knownPositives!.contrast).toBeLessThan(0.75 * labelled.champion.knownPositives!.contrast);
    expect(labelled.promote).toBe(false);
  }, 60_000);
});
