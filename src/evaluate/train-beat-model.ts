import { type Beat, type BeatWindowSpec, loadMitdbRecord, MODEL_LEAD } from '../ecg';
import { createArtifact, serializeArtifact, type ModelArtifact, type BeatScoring } from '../contract';
import { fitThreshold, type ThresholdRule, beatModelOf } from '../model';
import { createRandom, SequenceAutoencoder, shuffleInPlace, trainAutoencoder, type TrainReport } from '../nn';
import { labelledBeats, type LabelledBeats } from './labelled-beats';

/** What to train a beat model on and how. Every field has a documented default in {@link DEFAULT_BEAT_TRAINING}. */
export interface BeatTrainingOptions {
  /** Beat window cut around each R peak. */
  readonly window: BeatWindowSpec;
  /** Recurrent units of the autoencoder. */
  readonly hidden: number;
  /** Most normal windows trained on (a seeded sample across the records). */
  readonly maxTrainWindows: number;
  /** Normal windows held out for early stopping and the threshold fit. */
  readonly validationWindows: number;
  /** Training epochs (fixed, so the result does not depend on the machine's speed). */
  readonly epochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
  /** Seed of sampling, initialisation and shuffling. */
  readonly seed: number;
  /** Rule of the global threshold, fitted on the held-out normal beats' scores. */
  readonly threshold: ThresholdRule;
  /** How beat scores are made (stored in the artifact). */
  readonly scoring: BeatScoring;
}

/**
 * Defaults: the 0.25 s + 0.45 s window at 64 steps z-scored, an LSTM of 32 units, 2,000 normal
 * windows for 6 epochs (about a minute and a half on one idle core), 600 held out, seed 1,
 * threshold at the 99.5th percentile of held-out normal scores, reconstruction + prematurity
 * scoring. Longer training lowers the normal beats' error further but not the outliers' (noisy
 * beats), which then stand out more against a per-record threshold set from the median.
 */
export const DEFAULT_BEAT_TRAINING: BeatTrainingOptions = Object.freeze<BeatTrainingOptions>({
  window: { before: 0.25, after: 0.45, steps: 64, normalization: 'zscore' },
  hidden: 32,
  maxTrainWindows: 2000,
  validationWindows: 600,
  epochs: 6,
  batchSize: 32,
  learningRate: 2e-3,
  seed: 1,
  threshold: { rule: 'quantile', params: { q: 0.995 } },
  scoring: { kind: 'reconstruction+prematurity', prematurityWeight: 0.5 },
});

/** A trained model: the artifact (with `scoring`), its canonical text and sha256, and what was done. */
export interface TrainedBeatModel {
  readonly artifact: ModelArtifact & { scoring: BeatScoring };
  readonly text: string;
  readonly sha256: string;
  readonly report: TrainReport;
  /** Normal beats available per record, and how many were used. */
  readonly data: { records: string[]; normalBeats: Record<string, number>; trainWindows: number; validationWindows: number };
}

/** Packs beat windows into one row-major buffer. */
function pack(beats: readonly Beat[], steps: number): Float32Array {
  const out = new Float32Array(beats.length * steps);
  beats.forEach((b, i) => out.set(b.window, i * steps));
  return out;
}

/**
 * Trains the detector's model on the normal (AAMI N) beats of MIT-BIH records, cut by the same
 * streaming {@link labelledBeats} path the detector uses. Deterministic for a seed: fixed epochs,
 * seeded sampling, no time budget.
 *
 * `cache` (keyed by record and window) lets several models share one segmentation pass.
 *
 * @example
 * const trained = await trainBeatModel('data/mitdb', ['100', '101'], { epochs: 2 });
 * writeFileSync('model.json', trained.text);
 */
export async function trainBeatModel(
  folder: string,
  records: readonly string[],
  options: Partial<BeatTrainingOptions> = {},
  log: (message: string) => void = () => {},
  cache: Map<string, LabelledBeats> = new Map(),
): Promise<TrainedBeatModel> {
  const o = { ...DEFAULT_BEAT_TRAINING, ...options };
  const normal: Beat[] = [];
  const normalBeats: Record<string, number> = {};
  for (const name of records) {
    const key = `${name}:${JSON.stringify(o.window)}`;
    let labelled = cache.get(key);
    if (!labelled) cache.set(key, (labelled = labelledBeats(loadMitdbRecord(folder, name), o.window)));
    const { beats, classes } = labelled;
    let n = 0;
    beats.forEach((b, i) => {
      if (classes[i] === 'N') {
        normal.push(b);
        n++;
      }
    });
    normalBeats[name] = n;
    log(`${name}: ${beats.length} beats, ${n} normal`);
  }
  const rng = createRandom(o.seed);
  const order = Uint32Array.from(normal.keys());
  shuffleInPlace(order, rng);
  const validationCount = Math.min(o.validationWindows, Math.floor(normal.length / 5));
  const validation = Array.from(order.subarray(0, validationCount), (i) => normal[i]);
  const train = Array.from(order.subarray(validationCount, validationCount + o.maxTrainWindows), (i) => normal[i]);
  if (train.length < 50) throw new Error(`trainBeatModel: only ${train.length} normal training beats in ${records.join(', ')}`);

  const steps = o.window.steps;
  const model = SequenceAutoencoder.create({ steps, hidden: o.hidden }, { seed: o.seed });
  const report = await trainAutoencoder(model, pack(train, steps), train.length, {
    epochs: o.epochs,
    batchSize: o.batchSize,
    learningRate: o.learningRate,
    seed: o.seed,
    validation: { data: pack(validation, steps), count: validation.length },
    onEpoch: (e) => log(`epoch ${e.epoch}: train ${e.trainLoss.toFixed(4)} val ${e.valLoss.toFixed(4)} (${e.seconds.toFixed(0)} s)`),
  });

  // Threshold on the held-out normal beats, scored exactly as the detector will score them.
  const provisional = createArtifact({
    model,
    window: { kind: 'stream', ...o.window },
    threshold: { rule: 'quantile', params: { q: 0.5 }, value: 1, details: {} },
    training: summary(o, report, records, normalBeats, train.length, validation.length),
    createdAt: new Date(0),
    scoring: o.scoring,
  });
  const scores = beatModelOf(provisional, model, o.scoring).scoreBeats(validation);
  const threshold = fitThreshold(scores, o.threshold);
  // createArtifact records the scoring it is given, so the artifact has one.
  const artifact = createArtifact({
    model,
    window: { kind: 'stream', ...o.window },
    threshold,
    scoring: o.scoring,
    lead: MODEL_LEAD,
    training: {
      ...summary(o, report, records, normalBeats, train.length, validation.length),
      metrics: { heldOutLoss: report.bestValLoss, heldOutMedianScore: median(scores), threshold: threshold.value },
    },
  }) as ModelArtifact & { scoring: BeatScoring };
  const { text, sha256 } = serializeArtifact(artifact);
  return {
    artifact,
    text,
    sha256,
    report,
    data: { records: [...records], normalBeats, trainWindows: train.length, validationWindows: validation.length },
  };
}

function summary(
  o: BeatTrainingOptions,
  report: TrainReport,
  records: readonly string[],
  normalBeats: Record<string, number>,
  trainWindows: number,
  validationWindows: number,
) {
  return {
    data: {
      source: `MIT-BIH Arrhythmia Database, lead ${MODEL_LEAD} (by name), AAMI N beats matched within 150 ms`,
      records: records.join(','),
      normalBeats: Object.values(normalBeats).reduce((a, b) => a + b, 0),
      trainWindows,
      validationWindows,
      chunkSeconds: 1,
    },
    epochs: report.epochsRun,
    seed: o.seed,
    bestEpoch: report.bestEpoch,
    stoppedBy: report.stoppedBy,
    trainLoss: report.trainLoss,
    valLoss: report.valLoss,
    seconds: report.seconds,
    options: {
      epochs: o.epochs,
      batchSize: o.batchSize,
      learningRate: o.learningRate,
      hidden: o.hidden,
      maxTrainWindows: o.maxTrainWindows,
      scoring: o.scoring.kind,
      prematurityWeight: o.scoring.kind === 'reconstruction' ? 0 : o.scoring.prematurityWeight,
    },
    metrics: {},
  };
}

function median(xs: Float32Array): number {
  const s = Float64Array.from(xs).sort();
  return s.length === 0 ? Number.NaN : s[Math.floor(s.length / 2)];
}
