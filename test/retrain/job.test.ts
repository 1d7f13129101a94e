import { beforeAll, describe, expect, it } from 'vitest';
import { parseArtifact } from '../../src/contract/artifact-parse';
import { ChampionError, runRetrainJob, type DecodedRecord, type RetrainProgress } from '../../src/retrain';
import { deviceRecords, interleave, memoryHistory, MemoryRegistry, pvcs, trainTestChampion } from './fixtures';

/** Ten simulated devices, three minutes each, with PVCs every 7 to 16 s. */
function fleet(): DecodedRecord[] {
  return interleave(
    ...Array.from({ length: 10 }, (_, i) =>
      deviceRecords(`dev-${i}`, { seconds: 180, seed: 10 + i, heartRate: 60 + 3 * i, anomalies: pvcs(180, 7 + i) }),
    ),
  );
}

/** Small, quick runs: a few epochs inside a short budget. */
const QUICK = { timeBudgetMs: 30_000, train: { epochs: 4 }, minDeviceThresholdBeats: 100 } as const;

describe('runRetrainJob', () => {
  let champion: Awaited<ReturnType<typeof trainTestChampion>>;
  /** A champion trained for a single epoch: any reasonable challenger beats it. */
  let weakChampion: Awaited<ReturnType<typeof trainTestChampion>>;
  let history: DecodedRecord[];
  beforeAll(async () => {
    champion = await trainTestChampion();
    weakChampion = await trainTestChampion({ epochs: 1 });
    history = fleet();
  }, 60_000);

  it('promotes a warm-started challenger that is not worse, stores model and report, switches the pointer', async () => {
    const registry = new MemoryRegistry(champion);
    const result = await runRetrainJob({ history: memoryHistory(history), registry }, QUICK);
    expect(result.decision).toBe('promoted');
    expect(result.fromVersion).toBe(champion.version);
    expect(result.toVersion).not.toBe(champion.version);
    expect(registry.pointer?.value.version).toBe(result.toVersion);
    expect(result.history.records).toBe(1800);
    expect(result.beatsRead).toBeGreaterThan(1800);
    expect(result.beatsSampled).toBe(result.beatsRead);
    expect(result.beatsNormal + result.beatsFlagged).toBe(result.beatsSampled);
    expect(result.beatsFlagged).toBeGreaterThan(100);
    expect(result.beatsUsed).toBeGreaterThan(1000);
    expect(result.devices).toMatchObject({ seen: 10, sampled: 10, training: 8, heldOut: 2, heldOutBy: 'device' });
    expect(result.training?.warmStart).toBe(true);
    expect(result.comparison?.checks.map((c) => c.status)).toEqual(['pass', 'pass']);

    // The stored artifact is what the pointer promises, keeps the champion's window, and has
    // per-device thresholds within the clamp.
    const text = registry.objects.get(registry.pointer!.value.key)!;
    const { artifact } = parseArtifact(text, { expectedSha256: registry.pointer!.value.sha256 });
    const old = parseArtifact(champion.text).artifact;
    expect(artifact.window).toEqual(old.window);
    expect(artifact.training.data.parentVersion).toBe(champion.version);
    const deviceThresholds = Object.values(artifact.deviceThresholds);
    expect(deviceThresholds.length).toBe(result.thresholds?.devices);
    expect(deviceThresholds.length).toBeGreaterThan(0);
    for (const t of deviceThresholds) {
      expect(t).toBeGreaterThanOrEqual(0.5 * artifact.threshold.value - 1e-12);
      expect(t).toBeLessThanOrEqual(4 * artifact.threshold.value + 1e-12);
    }
    const report = JSON.parse(registry.objects.get(`models/${result.toVersion}/report.json`)!);
    expect(report.decision).toBe('promoted');
    expect(Object.keys(report.deviceThresholds)).toHaveLength(deviceThresholds.length);
  }, 120_000);

  it('keeps the champion when the history is empty: clear reason, no new version', async () => {
    const registry = new MemoryRegistry(champion);
    const before = new Map(registry.objects);
    const result = await runRetrainJob({ history: memoryHistory([], { malformedRecords: 3 }), registry }, QUICK);
    expect(result.decision).toBe('kept');
    expect(result.reason).toMatch(/history is empty.*3 malformed records/);
    expect(result.toVersion).toBe(champion.version);
    expect(registry.objects).toEqual(before);
    expect(registry.promotions).toBe(0);
  });

  it('does not promote a worse challenger: a fresh model trained for zero epochs', async () => {
    const registry = new MemoryRegistry(champion);
    const result = await runRetrainJob({ history: memoryHistory(history), registry }, { ...QUICK, warmStart: false, train: { epochs: 0 } });
    expect(result.decision).toBe('kept');
    expect(result.reason).toMatch(/challenger worse than champion: mean error/);
    expect(result.comparison?.checks.find((c) => c.name === 'reconstruction')?.status).toBe('fail');
    expect(registry.promotions).toBe(0);
    expect([...registry.objects.keys()]).toHaveLength(1);
  }, 60_000);

  it('does not promote a challenger whose training diverged', async () => {
    const registry = new MemoryRegistry(champion);
    const result = await runRetrainJob(
      { history: memoryHistory(history), registry },
      { ...QUICK, train: { epochs: 3, learningRate: 3, clipNorm: 0 } },
    );
    expect(result.decision).toBe('kept');
    expect(result.reason).toMatch(/challenger worse/);
    expect(registry.promotions).toBe(0);
  }, 60_000);

  it('keeps the champion on corrupted history: beats it does not recognise never train a challenger', async () => {
    // Every device's leads swapped in polarity: the champion flags nearly every beat.
    const inverted = history.map((r) => ({ ...r, samples: r.samples.map((x) => -x) }));
    const registry = new MemoryRegistry(champion);
    const result = await runRetrainJob({ history: memoryHistory(inverted), registry }, QUICK);
    expect(result.decision).toBe('kept');
    expect(result.beatsFlagged).toBeGreaterThan(result.beatsNormal);
    expect(registry.promotions).toBe(0);
  }, 60_000);

  it('lets only one of two concurrent runs switch the pointer', async () => {
    const registry = new MemoryRegistry(champion);
    const [a, b] = await Promise.all([
      runRetrainJob({ history: memoryHistory(history), registry }, { ...QUICK, train: { epochs: 2 }, seed: 1 }),
      runRetrainJob({ history: memoryHistory(history), registry }, { ...QUICK, train: { epochs: 2 }, seed: 2 }),
    ]);
    expect([a.decision, b.decision].sort()).toEqual(['kept', 'promoted']);
    const loser = a.decision === 'kept' ? a : b;
    const winner = a.decision === 'kept' ? b : a;
    expect(loser.reason).toMatch(/another run switched the pointer first/);
    expect(registry.promotions).toBe(1);
    expect(registry.pointer?.value.version).toBe(winner.toVersion);
    expect(JSON.parse(registry.objects.get(`models/${loser.challengerVersion}/report.json`)!).decision).toBe('kept');
  }, 120_000);

  it('stops training at the time budget (a test clock: 1 s per epoch) and still evaluates and promotes over a barely trained champion', async () => {
    // The job's monotonic clock stands still except that every epoch takes one "second", so
    // the budget allows the same number of epochs on any machine, however loaded.
    let ms = 0;
    const clock = () => ms;
    const onProgress = (p: RetrainProgress) => {
      if (p.phase === 'train' && p.data?.epoch !== undefined) ms += 1_000;
    };
    const registry = new MemoryRegistry(weakChampion);
    const result = await runRetrainJob(
      { history: memoryHistory(history), registry, clock },
      { timeBudgetMs: 8_000, train: { epochs: 10_000, patience: 10_000, learningRate: 5e-3 }, onProgress },
    );
    expect(result.training?.stoppedBy).toBe('time-budget');
    // 8 s less the write reserve (0.8 s) and the evaluation's scoring is the training budget
    // (about 7.2 s); a third of it is kept for the last epoch, so the trainer stops once 4.8 s
    // have passed at the end of an epoch. It reads the clock for an epoch before that epoch's
    // progress report advances it: at the end of epoch 6 it has seen 5 s.
    expect(result.training!.budgetMs).toBeGreaterThan(7_000);
    expect(result.training!.budgetMs).toBeLessThan(7_200);
    expect(result.training!.epochs).toBe(6);
    expect(result.history.truncatedByBudget).toBe(false);
    // A champion trained for one epoch reconstructs normal beats far worse than a challenger
    // fine-tuned from it for five more: the challenger is promoted.
    const reconstruction = result.comparison!.checks.find((c) => c.name === 'reconstruction')!;
    expect(reconstruction.challenger!).toBeLessThan(0.9 * reconstruction.champion!);
    expect(result.decision).toBe('promoted');
    expect(registry.pointer?.value.version).toBe(result.toVersion);
    expect(result.toVersion).not.toBe(weakChampion.version);
  }, 60_000);

  it('refuses to run without a champion, or with one whose sha256 does not match the pointer', async () => {
    await expect(runRetrainJob({ history: memoryHistory(history), registry: new MemoryRegistry() }, QUICK)).rejects.toThrow(ChampionError);
    const registry = new MemoryRegistry(champion);
    registry.objects.set(registry.pointer!.value.key, champion.text.replace('"hidden":8', '"hidden":8 '));
    await expect(runRetrainJob({ history: memoryHistory(history), registry }, QUICK)).rejects.toThrow(/cannot be loaded: .*sha256/);
  });
});
