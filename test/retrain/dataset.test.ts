import { describe, expect, it } from 'vitest';
import { createArtifact, serializeArtifact } from '../../src/contract/artifact';
import { HistoryDatasetBuilder, loadChampion, splitByDevice } from '../../src/retrain';
import { SequenceAutoencoder } from '../../src/nn';
import { deviceRecords, interleave, TEST_WINDOW } from './fixtures';

/** An untrained champion whose threshold sits between its scores, so both reservoirs fill. */
function untrainedChampion(threshold: number) {
  const model = SequenceAutoencoder.create({ steps: TEST_WINDOW.steps, hidden: 4 }, { seed: 3 });
  const artifact = createArtifact({
    model,
    window: { kind: 'stream', ...TEST_WINDOW },
    threshold: { rule: 'quantile', params: { q: 0.99 }, value: threshold, details: {} },
    training: {
      data: {},
      epochs: 0,
      seed: 3,
      bestEpoch: 0,
      stoppedBy: 'epochs',
      trainLoss: [],
      valLoss: [],
      seconds: 0,
      options: {},
      metrics: {},
    },
  });
  const { text, sha256 } = serializeArtifact(artifact);
  return loadChampion({ pointer: { version: artifact.version, key: 'k', sha256, promotedAt: '' }, etag: '"e"', artifactText: text });
}

describe('HistoryDatasetBuilder', () => {
  const history = interleave(...Array.from({ length: 12 }, (_, i) => deviceRecords(`dev-${i}`, { seconds: 40, seed: 50 + i })));

  it('stays within its device and beat budgets whatever the history, and says what it left out', () => {
    const builder = new HistoryDatasetBuilder(untrainedChampion(1e30), { maxDevices: 5, maxBeats: 100, reorderWindow: 4, seed: 1 });
    for (const r of history) builder.add(r);
    const d = builder.finish();
    expect(d.devices.length).toBe(5);
    expect(d.devicesSeen).toBe(12);
    expect(d.recordsOfUnsampledDevices).toBeGreaterThan(0);
    const kept = d.devices.reduce((n, x) => n + x.normalCount, 0);
    expect(kept).toBeLessThanOrEqual(100);
    for (const x of d.devices) {
      expect(x.normalCount).toBe(20);
      expect(x.beatsSeen).toBeGreaterThan(20);
      expect(x.normal.length).toBe(20 * TEST_WINDOW.steps);
      expect(x.normalRr.length).toBe(40);
    }
    // Peak window storage: 100 normal rows of 34 floats, plus growth slack, far below the history's size.
    expect(d.peakWindowBytes).toBeLessThan(4 * 34 * 400);
  });

  it('routes beats by the champion threshold: normal ones to training, flagged ones aside', () => {
    const all = (t: number) => {
      const b = new HistoryDatasetBuilder(untrainedChampion(t), { maxDevices: 100, maxBeats: 100_000, reorderWindow: 0, seed: 1 });
      for (const r of history) b.add(r);
      return b.finish();
    };
    const everyNormal = all(1e30);
    const noneNormal = all(0);
    expect(everyNormal.beatsFlagged).toBe(0);
    expect(noneNormal.beatsNormal).toBe(0);
    expect(noneNormal.beatsFlagged).toBe(everyNormal.beatsNormal);
    // Windows are in the model's input space and the RR context comes along.
    const d = everyNormal.devices[0];
    expect(Number.isFinite(d.normalRr[2])).toBe(true);
    expect(d.normalRr[2]).toBeGreaterThan(0.5);
  });

  it('holds out whole devices, and never trains on a held-out one', () => {
    const b = new HistoryDatasetBuilder(untrainedChampion(1e30), { maxDevices: 100, maxBeats: 100_000, reorderWindow: 0, seed: 1 });
    for (const r of history) b.add(r);
    const dataset = b.finish();
    const split = splitByDevice(dataset, 0.25, 7);
    expect(split).toMatchObject({ by: 'device', heldOutDevices: 3, trainDevices: 9 });
    const perDevice = dataset.devices.map((x) => x.normalCount);
    const total = perDevice.reduce((a, c) => a + c, 0);
    expect(split.train.count + split.stop.count + split.evaluate.count).toBe(total);
    // The training windows are exactly the nine training devices' windows: none of the held-out ones.
    const trainRows = new Set<string>();
    for (let i = 0; i < split.train.count; i++) trainRows.add(split.train.data.subarray(i * 32, (i + 1) * 32).join(','));
    for (let i = 0; i < split.evaluate.count; i++)
      expect(trainRows.has(split.evaluate.data.subarray(i * 32, (i + 1) * 32).join(','))).toBe(false);
    // Comparison sets are capped (evaluation time stays bounded); training is not.
    const capped = splitByDevice(dataset, 0.25, 7, 10);
    expect(capped.evaluate.count).toBe(10);
    expect(capped.train.count).toBe(split.train.count);
  });
});
