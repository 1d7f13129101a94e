import type { ThresholdRule } from '../model';

/** Training settings of the challenger (see `trainAutoencoder`). */
export interface ChallengerTrainOptions {
  /** Maximum epochs; 0 skips training (the challenger is the warm start or a fresh init as is). */
  readonly epochs: number;
  readonly batchSize: number;
  /** Fine-tuning step size: lower than from-scratch training, the warm start is already close. */
  readonly learningRate: number;
  readonly clipNorm: number;
  /** Epochs without a better early-stopping loss before stopping (best weights are kept). */
  readonly patience: number;
  /** Data-parallel gradient threads (1 = this thread). */
  readonly workers: number;
}

/** Progress of a run, for stderr or a logger: never holds samples or device ids. */
export interface RetrainProgress {
  readonly phase: 'champion' | 'labels' | 'history' | 'dataset' | 'train' | 'evaluate' | 'promote';
  readonly message: string;
  readonly data?: Readonly<Record<string, number | string | boolean>>;
}

/** Options of `runRetrainJob`. Every field has a named default in {@link DEFAULT_RETRAIN_OPTIONS}. */
export interface RetrainOptions {
  /** Days of history read, up to now. */
  readonly days: number;
  /** Wall-time budget of the whole run in ms (history, training and evaluation). */
  readonly timeBudgetMs: number;
  /** Fraction of the budget reading history may take; past it the job continues with what it has. */
  readonly historyShare: number;
  /**
   * Fraction of the budget the champion may spend scoring the sampled beats: the beat sample is
   * made no larger than the champion can score in that time (measured at the start).
   */
  readonly scoringShare: number;
  /** Most devices sampled (a seeded bottom-k sample of device ids, so memory is bounded whatever the fleet). */
  readonly maxDevices: number;
  /**
   * Most beats sampled over all devices (split evenly between devices, reservoir-sampled within
   * each). Only sampled beats are scored by the champion, so this bounds memory and scoring time.
   */
  readonly maxBeats: number;
  /** Most held-out normal beats, and most flagged beats, the two models are compared on. */
  readonly maxEvaluationBeats: number;
  /** Most beats of one device its threshold is fitted on. */
  readonly maxDeviceThresholdBeats: number;
  /** Records of one device buffered to put slightly out-of-order history back in `seq` order. */
  readonly reorderWindow: number;
  /** Fraction of devices held out from training (validation and comparison). */
  readonly validationFraction: number;
  /** Fewest normal training beats worth a retraining; fewer keeps the champion. */
  readonly minTrainingBeats: number;
  /** Fewest held-out normal beats to compare models and fit the threshold on; fewer keeps the champion. */
  readonly minEvaluationBeats: number;
  /** Epochs that must fit into the training budget: the training set is subsampled so they do. */
  readonly minEpochsInBudget: number;
  /** Start from the champion's weights (true) or from a fresh seeded init (false). */
  readonly warmStart: boolean;
  readonly train: ChallengerTrainOptions;
  /** Seed of device sampling, reservoirs, splits, init and shuffling. */
  readonly seed: number;
  /**
   * Promotion margin on reconstruction: the challenger's mean error on held-out normal beats
   * may exceed the champion's by at most this fraction.
   */
  readonly reconstructionMargin: number;
  /**
   * Promotion margin on separation: the challenger's separation of champion-flagged beats from
   * held-out normal beats may fall below the champion's by at most this fraction.
   */
  readonly separationMargin: number;
  /** Fewest flagged beats for the separation check; below it the check is skipped (and said so). */
  readonly minFlaggedForSeparation: number;
  /** Fewest normal beats of a device for it to get its own threshold. */
  readonly minDeviceThresholdBeats: number;
  /** A device threshold is clamped to [lo, hi] x the global threshold. */
  readonly deviceThresholdClamp: readonly [number, number];
  /** Most labelled alerts read (the newest; docs/ARCHITECTURE.md §3.9). */
  readonly maxLabels: number;
  /** Threshold rule; default: the champion's rule and parameters. */
  readonly thresholdRule?: ThresholdRule;
  /** Told about progress. */
  readonly onProgress?: (progress: RetrainProgress) => void;
}

/**
 * Defaults: a week of history, a 10-minute budget of which at most 40 % reads history and 20 %
 * scores the beat sample with the champion, up to
 * 1000 devices and 60 000 sampled beats (16 MB of 64-step windows), 20 % of devices held out,
 * comparisons on at most 5000 held-out and 5000 flagged beats, device thresholds on at most
 * 1000 beats each,
 * fine-tuning at learning rate 2e-4 for up to 30 epochs with patience 5, promotion margins of
 * 5 % on reconstruction and 25 % on separation, device thresholds for devices with 200+ beats
 * clamped to [0.5, 4] x the global one, the newest 1000 labelled alerts.
 */
export const DEFAULT_RETRAIN_OPTIONS: Readonly<Omit<RetrainOptions, 'thresholdRule' | 'onProgress'>> = Object.freeze({
  days: 7,
  timeBudgetMs: 600_000,
  historyShare: 0.4,
  scoringShare: 0.2,
  maxDevices: 1000,
  maxBeats: 60_000,
  maxEvaluationBeats: 5_000,
  maxDeviceThresholdBeats: 1_000,
  reorderWindow: 16,
  validationFraction: 0.2,
  minTrainingBeats: 200,
  minEvaluationBeats: 50,
  minEpochsInBudget: 3,
  warmStart: true,
  // Fine-tuning step 2e-4: Adam's first steps move every weight by about the step size whatever
  // its gradient, and 1e-3 knocks a converged model far off before it recovers (measured on the
  // default model: one step at 1e-3 took its error from 0.13 to 1.0; at 2e-4 to 0.17).
  train: Object.freeze({ epochs: 30, batchSize: 32, learningRate: 2e-4, clipNorm: 1, patience: 5, workers: 1 }),
  seed: 1,
  reconstructionMargin: 0.05,
  separationMargin: 0.25,
  minFlaggedForSeparation: 10,
  minDeviceThresholdBeats: 200,
  deviceThresholdClamp: Object.freeze([0.5, 4] as const),
  maxLabels: 1_000,
});

/** Options after defaults, validated. */
export type ResolvedRetrainOptions = Omit<RetrainOptions, 'train'> & { readonly train: ChallengerTrainOptions };

/**
 * Fills defaults (also inside `train`) and validates every field, naming it in the error.
 *
 * @example
 * const o = resolveRetrainOptions({ days: 1, timeBudgetMs: 20_000 });
 */
export function resolveRetrainOptions(
  options: Partial<Omit<RetrainOptions, 'train'>> & { train?: Partial<ChallengerTrainOptions> } = {},
): ResolvedRetrainOptions {
  const o = { ...DEFAULT_RETRAIN_OPTIONS, ...options, train: { ...DEFAULT_RETRAIN_OPTIONS.train, ...options.train } };
  const num = (name: string, v: number, min: number, max: number, integer = false): void => {
    if (typeof v !== 'number' || !(v >= min && v <= max) || (integer && !Number.isInteger(v))) {
      throw new RangeError(
        `retrain option ${name} must be ${integer ? 'an integer' : 'a number'} in [${min}, ${max}], got ${JSON.stringify(v)}`,
      );
    }
  };
  num('days', o.days, 1 / 24, 366);
  num('timeBudgetMs', o.timeBudgetMs, 1, 24 * 3_600_000);
  num('historyShare', o.historyShare, 0.01, 0.95);
  num('scoringShare', o.scoringShare, 0.01, 0.95);
  if (o.historyShare + o.scoringShare > 0.95)
    throw new RangeError(`retrain options historyShare + scoringShare must leave time to train, got ${o.historyShare} + ${o.scoringShare}`);
  num('maxDevices', o.maxDevices, 1, 1_000_000, true);
  num('maxBeats', o.maxBeats, 1, 10_000_000, true);
  num('maxEvaluationBeats', o.maxEvaluationBeats, 10, 10_000_000, true);
  num('maxDeviceThresholdBeats', o.maxDeviceThresholdBeats, 10, 10_000_000, true);
  num('reorderWindow', o.reorderWindow, 0, 10_000, true);
  num('validationFraction', o.validationFraction, 0.01, 0.9);
  num('minTrainingBeats', o.minTrainingBeats, 1, 10_000_000, true);
  num('minEvaluationBeats', o.minEvaluationBeats, 10, 10_000_000, true);
  num('minEpochsInBudget', o.minEpochsInBudget, 1, 1000, true);
  num('seed', o.seed, -Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, true);
  num('reconstructionMargin', o.reconstructionMargin, 0, 10);
  num('separationMargin', o.separationMargin, 0, 1);
  num('minFlaggedForSeparation', o.minFlaggedForSeparation, 2, 1_000_000, true);
  num('minDeviceThresholdBeats', o.minDeviceThresholdBeats, 10, 10_000_000, true);
  num('maxLabels', o.maxLabels, 0, 100_000, true);
  num('train.epochs', o.train.epochs, 0, 100_000, true);
  num('train.batchSize', o.train.batchSize, 1, 100_000, true);
  num('train.learningRate', o.train.learningRate, Number.MIN_VALUE, 10);
  num('train.clipNorm', o.train.clipNorm, 0, Infinity);
  num('train.patience', o.train.patience, 1, 100_000, true);
  num('train.workers', o.train.workers, 1, 64, true);
  if (typeof o.warmStart !== 'boolean')
    throw new TypeError(`retrain option warmStart must be a boolean, got ${JSON.stringify(o.warmStart)}`);
  const [lo, hi] = o.deviceThresholdClamp;
  if (!(lo > 0 && hi >= lo && Number.isFinite(hi)))
    throw new RangeError(
      `retrain option deviceThresholdClamp must be [lo, hi] with 0 < lo <= hi, got ${JSON.stringify(o.deviceThresholdClamp)}`,
    );
  return o;
}
