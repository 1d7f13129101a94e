import type { SequenceAutoencoder } from './autoencoder';
import { checkWindows } from './autoencoder';
import { Adam, clipGlobalNorm } from './adam';
import { createRandom, shuffleInPlace } from '../random';
import { createGradientWorkers, type GradientWorkers } from './parallel';

/** Options of {@link trainAutoencoder}. */
export interface TrainOptions {
  /** Maximum passes over the training windows. */
  epochs: number;
  /** Windows per Adam step. */
  batchSize: number;
  /** Adam step size. */
  learningRate: number;
  /** Global-norm gradient clipping threshold (0 disables). */
  clipNorm: number;
  /** Fraction of the windows held out (after a seeded shuffle) when `validation` is absent. */
  validationSplit: number;
  /** Explicit validation windows; when given nothing is held out of `data`. */
  validation?: { data: Float32Array; count: number };
  /** Epochs without a new best validation loss before stopping; the best weights are restored. */
  patience: number;
  /** Seed of the split, the shuffles and the worker sharding order. */
  seed: number;
  /** Reshuffle the training windows every epoch. */
  shuffle: boolean;
  /** Stop after the epoch during which this much wall time has elapsed. */
  timeBudgetMs?: number;
  /**
   * Monotonic clock in ms that `timeBudgetMs` and the reported seconds are measured on (default
   * `performance.now`); a test passes its own to make the budget deterministic.
   */
  clock?: () => number;
  /** Data-parallel gradient threads (1 = this thread only); same seed + workers = same weights. */
  workers?: number;
  /** Called after every epoch (progress reporting). */
  onEpoch?: (info: { epoch: number; trainLoss: number; valLoss: number; seconds: number }) => void;
}

/** What a training run did. */
export interface TrainReport {
  epochsRun: number;
  /** 1-based epoch whose weights the model holds at the end. */
  bestEpoch: number;
  bestValLoss: number;
  trainLoss: number[];
  valLoss: number[];
  stoppedBy: 'epochs' | 'early-stop' | 'time-budget';
  seconds: number;
  options: Omit<TrainOptions, 'onEpoch' | 'validation' | 'clock'>;
}

/**
 * Defaults: 60 epochs of batch 32 at learning rate 2e-3, clip norm 1, 10% validation, patience
 * 10, seed 1, shuffling, one thread: a generic starting point that cuts the loss of small
 * periodic-signal models by more than 10x. Task recipes (the ECG5000 evaluation, the retrain job)
 * set their own in `src/model`.
 */
export const DEFAULT_TRAIN_OPTIONS: Readonly<Omit<TrainOptions, 'validation' | 'onEpoch' | 'timeBudgetMs' | 'clock'>> = Object.freeze({
  epochs: 60,
  batchSize: 32,
  learningRate: 2e-3,
  clipNorm: 1,
  validationSplit: 0.1,
  patience: 10,
  seed: 1,
  shuffle: true,
  workers: 1,
});

/**
 * Trains `model` in place on `count` windows (row-major [count, steps, inputSize]) with
 * mini-batch Adam, global-norm clipping and early stopping on the validation loss (the model
 * ends with its best weights). Deterministic: the same model, data, seed and worker count give
 * bit-identical weights.
 *
 * @example
 * const report = await trainAutoencoder(model, windows, count, { epochs: 40, seed: 3 });
 * console.error(report.bestValLoss, report.stoppedBy);
 */
export async function trainAutoencoder(
  model: SequenceAutoencoder,
  data: Float32Array,
  count: number,
  options: Partial<TrainOptions> = {},
): Promise<TrainReport> {
  const opts = resolveTrainOptions(options);
  checkWindows(data, count, model.config, 'data');
  checkFinite(data, count, model.config.steps * model.config.inputSize, 'data');
  if (options.validation) {
    checkWindows(options.validation.data, options.validation.count, model.config, 'validation');
    checkFinite(options.validation.data, options.validation.count, model.config.steps * model.config.inputSize, 'validation');
  }
  const clock = opts.clock ?? (() => performance.now());
  const started = clock();
  const rng = createRandom(opts.seed);
  const TI = model.config.steps * model.config.inputSize;

  // Split: explicit validation set, or a seeded held-out fraction of `data`.
  const order = new Uint32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  let trainIdx = order;
  let valData: Float32Array | null = null;
  let valCount = 0;
  if (options.validation) {
    valData = options.validation.data;
    valCount = options.validation.count;
  } else if (opts.validationSplit > 0) {
    shuffleInPlace(order, rng);
    valCount = Math.min(count - 1, Math.round(count * opts.validationSplit));
    if (valCount > 0) {
      valData = new Float32Array(valCount * TI);
      for (let k = 0; k < valCount; k++) valData.set(data.subarray(order[k] * TI, (order[k] + 1) * TI), k * TI);
      trainIdx = order.slice(valCount);
      trainIdx.sort();
    }
  }
  const nTrain = trainIdx.length;
  if (nTrain === 0) throw new RangeError('trainAutoencoder: no training windows left after the validation split');

  const net = model.net;
  const adam = new Adam(net.values.length, { learningRate: opts.learningRate });
  const best = net.values.slice();
  const valScores = new Float32Array(valCount);
  const workers: GradientWorkers | null =
    opts.workers > 1 ? await createGradientWorkers(model, data, count, opts.workers - 1, opts.batchSize) : null;
  const { onEpoch: _onEpoch, clock: _clock, ...reported } = opts;
  const report: TrainReport = {
    epochsRun: 0,
    bestEpoch: 0,
    bestValLoss: Infinity,
    trainLoss: [],
    valLoss: [],
    stoppedBy: 'epochs',
    seconds: 0,
    options: reported,
  };
  let sinceBest = 0;
  try {
    for (let epoch = 1; epoch <= opts.epochs; epoch++) {
      if (opts.shuffle) shuffleInPlace(trainIdx, rng);
      let lossSum = 0;
      for (let from = 0; from < nTrain; from += opts.batchSize) {
        const B = Math.min(opts.batchSize, nTrain - from);
        net.grads.fill(0);
        const scale = 1 / B;
        if (workers) lossSum += await workers.lossAndGradient(trainIdx, from, B, scale);
        else lossSum += model.lossAndGradient(data, trainIdx, from, B, scale, opts.batchSize);
        clipGlobalNorm(net.grads, opts.clipNorm);
        adam.step(net.values, net.grads);
        net.syncDerived();
      }
      const trainLoss = lossSum / nTrain;
      let valLoss = NaN;
      if (valData) {
        model.score(valData, valCount, valScores);
        let s = 0;
        for (let k = 0; k < valCount; k++) s += valScores[k];
        valLoss = s / valCount;
      }
      report.trainLoss.push(trainLoss);
      report.valLoss.push(valLoss);
      report.epochsRun = epoch;
      // Without validation data the training loss decides what "best" is.
      const monitored = valData ? valLoss : trainLoss;
      if (monitored < report.bestValLoss) {
        report.bestValLoss = monitored;
        report.bestEpoch = epoch;
        best.set(net.values);
        sinceBest = 0;
      } else {
        sinceBest++;
      }
      const seconds = (clock() - started) / 1000;
      opts.onEpoch?.({ epoch, trainLoss, valLoss, seconds });
      if (!Number.isFinite(trainLoss))
        throw new RangeError(`trainAutoencoder: training loss became ${trainLoss} at epoch ${epoch} (lower learningRate or clipNorm)`);
      if (sinceBest >= opts.patience) {
        report.stoppedBy = 'early-stop';
        break;
      }
      if (opts.timeBudgetMs !== undefined && seconds * 1000 >= opts.timeBudgetMs && epoch < opts.epochs) {
        report.stoppedBy = 'time-budget';
        break;
      }
    }
  } finally {
    await workers?.close();
  }
  net.values.set(best);
  net.syncDerived();
  report.seconds = (clock() - started) / 1000;
  return report;
}

/** Rejects a non-finite sample, naming the window and the position in it. */
function checkFinite(data: Float32Array, count: number, windowSize: number, where: string): void {
  const n = count * windowSize;
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(data[i])) {
      throw new RangeError(
        `${where}: window ${Math.floor(i / windowSize)}, value ${i % windowSize} is ${data[i]} (training needs finite samples)`,
      );
    }
  }
}

/** Fills defaults and validates every option, naming it in errors. */
export function resolveTrainOptions(options: Partial<TrainOptions>): Omit<TrainOptions, 'onEpoch' | 'validation' | 'clock'> & {
  workers: number;
  onEpoch?: TrainOptions['onEpoch'];
  clock?: TrainOptions['clock'];
} {
  // Options explicitly set to undefined take their defaults too.
  const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as Partial<TrainOptions>;
  const o = { ...DEFAULT_TRAIN_OPTIONS, ...given };
  const int = (name: string, v: unknown, min: number): void => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min)
      throw new RangeError(`train option ${name} must be an integer >= ${min}, got ${JSON.stringify(v)}`);
  };
  const num = (name: string, v: unknown, min: number, max: number): void => {
    if (typeof v !== 'number' || !(v >= min && v <= max))
      throw new RangeError(`train option ${name} must be a number in [${min}, ${max}], got ${JSON.stringify(v)}`);
  };
  int('epochs', o.epochs, 1);
  int('batchSize', o.batchSize, 1);
  num('learningRate', o.learningRate, Number.MIN_VALUE, 10);
  num('clipNorm', o.clipNorm, 0, Infinity);
  num('validationSplit', o.validationSplit, 0, 0.9);
  int('patience', o.patience, 1);
  num('seed', o.seed, -Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  int('workers', o.workers, 1);
  if (o.timeBudgetMs !== undefined) num('timeBudgetMs', o.timeBudgetMs, 0, Infinity);
  const { validation: _v, onEpoch, clock, ...rest } = o as TrainOptions;
  return { ...rest, workers: o.workers ?? 1, shuffle: Boolean(o.shuffle), onEpoch, clock };
}
