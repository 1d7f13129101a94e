/**
 * Test fixtures of the retraining job: simulated devices as history records, a small trained
 * champion, and in-memory implementations of the job's ports.
 */
import { ecgSimulate, type SimulatedAnomaly } from '../../src/ecg/ecg-simulate';
import { ecgSegment } from '../../src/ecg/beat-segmenter';
import type { BeatWindowSpec } from '../../src/ecg/beat-window-spec';
import { createArtifact, serializeArtifact, sha256Hex } from '../../src/contract/artifact';
import { fitThreshold } from '../../src/model/threshold';
import { SequenceAutoencoder, trainAutoencoder } from '../../src/nn';
import type { ChampionRecord, HistoryCounters, DecodedRecord, HistorySource, ModelRegistry, ModelPointer } from '../../src/retrain';

/** A small window so tests train in seconds: 32 steps, z-scored. */
export const TEST_WINDOW: BeatWindowSpec = { before: 0.25, after: 0.45, steps: 32, normalization: 'zscore' };
export const TEST_FS = 250;

/** One simulated device, cut into 1 s records with consecutive `seq` from `firstSeq`. */
export function deviceRecords(
  deviceId: string,
  options: { seconds: number; seed: number; heartRate?: number; anomalies?: SimulatedAnomaly[]; firstSeq?: number; t0?: number },
): DecodedRecord[] {
  const { signal } = ecgSimulate({
    fs: TEST_FS,
    seconds: options.seconds,
    seed: options.seed,
    heartRate: options.heartRate ?? 70,
    anomalies: options.anomalies,
  });
  const out: DecodedRecord[] = [];
  const t0 = options.t0 ?? Date.UTC(2026, 10, 26, 12);
  for (let k = 0; k * TEST_FS < signal.length; k++) {
    out.push({
      deviceId,
      seq: (options.firstSeq ?? 0) + k,
      t0: t0 + k * 1000,
      fs: TEST_FS,
      samples: signal.slice(k * TEST_FS, (k + 1) * TEST_FS),
    });
  }
  return out;
}

/** Records of several devices interleaved second by second, as a stream archives them. */
export function interleave(...devices: DecodedRecord[][]): DecodedRecord[] {
  const out: DecodedRecord[] = [];
  const longest = Math.max(...devices.map((d) => d.length));
  for (let k = 0; k < longest; k++) for (const d of devices) if (k < d.length) out.push(d[k]);
  return out;
}

/** PVCs every ~`every` seconds over `seconds`. */
export function pvcs(seconds: number, every: number, from = 5): SimulatedAnomaly[] {
  const out: SimulatedAnomaly[] = [];
  for (let t = from; t < seconds - 2; t += every) out.push({ kind: 'pvc', at: t });
  return out;
}

/** A champion trained on simulated normal beats: window {@link TEST_WINDOW}, hidden 8, quantile 0.99. */
export async function trainTestChampion(
  options: { epochs?: number; seed?: number } = {},
): Promise<{ text: string; sha256: string; version: string }> {
  const beats = [60, 70, 80, 90].flatMap((heartRate, i) =>
    ecgSegment(ecgSimulate({ fs: TEST_FS, seconds: 60, seed: 100 + i, heartRate }).signal, TEST_FS, TEST_WINDOW),
  );
  const steps = TEST_WINDOW.steps;
  const data = new Float32Array(beats.length * steps);
  beats.forEach((b, i) => data.set(b.window, i * steps));
  const model = SequenceAutoencoder.create({ steps, hidden: 8 }, { seed: options.seed ?? 1 });
  const report = await trainAutoencoder(model, data, beats.length, {
    epochs: options.epochs ?? 30,
    batchSize: 16,
    learningRate: 5e-3,
    patience: 50,
    validationSplit: 0.2,
  });
  const threshold = fitThreshold(model.score(data, beats.length), { rule: 'quantile', params: { q: 0.995 } });
  const artifact = createArtifact({
    model,
    window: { kind: 'stream', ...TEST_WINDOW },
    threshold,
    training: {
      data: { source: 'ecgSimulate' },
      epochs: report.epochsRun,
      seed: 1,
      bestEpoch: report.bestEpoch,
      stoppedBy: report.stoppedBy,
      trainLoss: report.trainLoss,
      valLoss: report.valLoss,
      seconds: report.seconds,
      options: {},
      metrics: {},
    },
    createdAt: new Date(Date.UTC(2026, 10, 1)),
  });
  const { text, sha256 } = serializeArtifact(artifact);
  return { text, sha256, version: artifact.version };
}

/** History over memory: the given records, plus counters of malformed input it pretends to have skipped. */
export function memoryHistory(
  records: readonly DecodedRecord[],
  skipped: Partial<HistoryCounters> = {},
): HistorySource & { reads: number } {
  const source = {
    reads: 0,
    read() {
      source.reads++;
      const stats: HistoryCounters = { objects: 1, malformedObjects: 0, records: 0, malformedRecords: 0, ...skipped };
      async function* iterate(): AsyncGenerator<DecodedRecord> {
        for (const r of records) {
          stats.records++;
          yield r;
        }
      }
      return { records: iterate(), stats };
    },
  };
  return source;
}

/** A registry over a Map with ETags and compare-and-swap, like S3 with conditional writes. */
export class MemoryRegistry implements ModelRegistry {
  readonly objects = new Map<string, string>();
  pointer: { value: ModelPointer; etag: string } | undefined;
  private etagCounter = 0;
  promotions = 0;

  constructor(champion?: { text: string; sha256: string; version: string }) {
    if (champion) {
      const key = `models/${champion.version}/model.json`;
      this.objects.set(key, champion.text);
      this.pointer = {
        value: { version: champion.version, key, sha256: champion.sha256, promotedAt: new Date(0).toISOString() },
        etag: this.nextEtag(),
      };
    }
  }

  private nextEtag(): string {
    return `"etag-${++this.etagCounter}"`;
  }

  async readCurrent(): Promise<ChampionRecord | undefined> {
    if (!this.pointer) return undefined;
    const text = this.objects.get(this.pointer.value.key);
    if (text === undefined) throw new Error(`no object ${this.pointer.value.key}`);
    return { pointer: this.pointer.value, etag: this.pointer.etag, artifactText: text };
  }

  async putVersion(version: string, artifactText: string, reportText: string): Promise<{ key: string; sha256: string }> {
    const key = `models/${version}/model.json`;
    this.objects.set(key, artifactText);
    this.objects.set(`models/${version}/report.json`, reportText);
    return { key, sha256: sha256Hex(artifactText) };
  }

  async promote(pointer: ModelPointer, expectedEtag: string) {
    if (this.pointer?.etag !== expectedEtag)
      return { promoted: false as const, reason: `pointer ETag is ${this.pointer?.etag ?? 'none'}, expected ${expectedEtag}` };
    this.pointer = { value: pointer, etag: this.nextEtag() };
    this.promotions++;
    return { promoted: true as const };
  }
}
