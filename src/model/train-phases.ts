import type { SequenceAutoencoder, TrainOptions, TrainReport } from '../nn';
import { createRandom, shuffleInPlace, trainAutoencoder } from '../nn';

/** One phase of a step learning-rate schedule. */
export interface TrainPhase {
  /** Share of the total epochs this phase gets (shares are normalised to sum to 1). */
  share: number;
  /** Multiplier of the base learning rate in this phase. */
  lrFactor: number;
}

/**
 * Default schedule: half the epochs at the base rate, 30 % at 0.3×, 20 % at 0.1×. Adam at a
 * constant rate keeps bouncing out of the minimum late in training (loss spikes on ECG5000);
 * lowering the rate in steps settles it, which a longer constant-rate run does not.
 */
export const DEFAULT_TRAIN_PHASES: readonly TrainPhase[] = Object.freeze([
  { share: 0.5, lrFactor: 1 },
  { share: 0.3, lrFactor: 0.3 },
  { share: 0.2, lrFactor: 0.1 },
]);

/**
 * Trains in phases of decreasing learning rate: each phase is one {@link trainAutoencoder} run
 * (fresh Adam moments, early stopping within the phase) starting from the best weights so far; a
 * phase that ends worse than its start (validation loss) is rolled back. A `validationSplit` is
 * drawn once (seeded), so every phase is judged on the same windows. Deterministic for a given
 * seed: phase p shuffles with seed `seed + p`. Returns one report over all phases (epochs numbered
 * across phases); `timeBudgetMs` spans all phases.
 *
 * @example
 * const report = await trainInPhases(model, windows, count, { epochs: 100, learningRate: 3e-3 });
 */
export async function trainInPhases(
  model: SequenceAutoencoder,
  data: Float32Array,
  count: number,
  options: Partial<TrainOptions> & { epochs: number; learningRate: number },
  phases: readonly TrainPhase[] = DEFAULT_TRAIN_PHASES,
): Promise<TrainReport> {
  if (phases.length === 0) throw new RangeError('trainInPhases: needs at least one phase');
  const total = phases.reduce((s, p) => s + p.share, 0);
  if (!(total > 0) || phases.some((p) => !(p.share >= 0) || !(p.lrFactor > 0))) {
    throw new RangeError('trainInPhases: every phase needs share >= 0 and lrFactor > 0, with a positive total share');
  }
  const started = performance.now();
  const seed = options.seed ?? 1;
  const { trainData, trainCount, validation } = splitOnce(model, data, count, options, seed);
  let combined: TrainReport | null = null;
  let best = { loss: Infinity, epoch: 0, weights: model.exportWeights() };
  let assigned = 0;
  for (let p = 0; p < phases.length; p++) {
    // Round cumulative shares so the phase epochs always add up to options.epochs.
    const upTo =
      p === phases.length - 1
        ? options.epochs
        : Math.round((options.epochs * phases.slice(0, p + 1).reduce((s, x) => s + x.share, 0)) / total);
    const epochs = upTo - assigned;
    assigned = upTo;
    if (epochs <= 0) continue;
    const offset = combined?.epochsRun ?? 0;
    const elapsedMs = performance.now() - started;
    if (options.timeBudgetMs !== undefined && elapsedMs >= options.timeBudgetMs) {
      if (combined) combined.stoppedBy = 'time-budget';
      break;
    }
    const report = await trainAutoencoder(model, trainData, trainCount, {
      ...options,
      validation,
      validationSplit: 0,
      epochs,
      learningRate: options.learningRate * phases[p].lrFactor,
      seed: seed + p,
      timeBudgetMs: options.timeBudgetMs === undefined ? undefined : options.timeBudgetMs - elapsedMs,
      onEpoch: options.onEpoch
        ? (info) => options.onEpoch?.({ ...info, epoch: info.epoch + offset, seconds: (performance.now() - started) / 1000 })
        : undefined,
    });
    if (report.bestValLoss < best.loss)
      best = { loss: report.bestValLoss, epoch: offset + report.bestEpoch, weights: model.exportWeights() };
    else model.importWeights(best.weights);
    if (!combined) {
      combined = { ...report, trainLoss: [...report.trainLoss], valLoss: [...report.valLoss] };
    } else {
      combined.trainLoss.push(...report.trainLoss);
      combined.valLoss.push(...report.valLoss);
      combined.epochsRun += report.epochsRun;
      combined.stoppedBy = report.stoppedBy;
    }
    combined.bestEpoch = best.epoch;
    combined.bestValLoss = best.loss;
  }
  if (!combined) throw new RangeError('trainInPhases: no phase got any epochs');
  combined.seconds = (performance.now() - started) / 1000;
  combined.options = { ...combined.options, epochs: options.epochs, learningRate: options.learningRate };
  return combined;
}

/** Draws `validationSplit` of the windows once (seeded), unless explicit validation is given. */
function splitOnce(
  model: SequenceAutoencoder,
  data: Float32Array,
  count: number,
  options: Partial<TrainOptions>,
  seed: number,
): { trainData: Float32Array; trainCount: number; validation: TrainOptions['validation'] } {
  const fraction = options.validationSplit ?? 0;
  if (options.validation || !(fraction > 0)) return { trainData: data, trainCount: count, validation: options.validation };
  const width = model.config.steps * model.config.inputSize;
  const order = new Uint32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  shuffleInPlace(order, createRandom(seed));
  const valCount = Math.min(count - 1, Math.round(count * fraction));
  const gather = (rows: Uint32Array) => {
    const out = new Float32Array(rows.length * width);
    rows.forEach((r, k) => out.set(data.subarray(r * width, (r + 1) * width), k * width));
    return out;
  };
  const trainRows = order.slice(valCount).sort();
  return {
    trainData: gather(trainRows),
    trainCount: trainRows.length,
    validation: valCount > 0 ? { data: gather(order.slice(0, valCount)), count: valCount } : undefined,
  };
}
