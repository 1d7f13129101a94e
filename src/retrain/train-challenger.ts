import { createRandom, SequenceAutoencoder, trainAutoencoder } from '../nn';
import type { ChallengerTrainOptions, RetrainProgress } from './options';
import type { TrainingOutcome } from './result';
import { subsampleWindows, type WindowSet } from './split';

/** Windows timed to measure the cost of a training window and of a scored one. */
const PROBE_WINDOWS = 64;

/** What {@link trainChallenger} needs beyond the data. */
export interface ChallengerPlan {
  readonly champion: SequenceAutoencoder;
  readonly train: ChallengerTrainOptions;
  readonly warmStart: boolean;
  readonly seed: number;
  /** Wall time training and evaluation may take, ms (probe included). */
  readonly budgetMs: number;
  /** Windows evaluation will score after training: their measured cost is kept back from training. */
  readonly reserveScoredWindows: number;
  /** Epochs that must fit into the budget: the training set is subsampled so they do. */
  readonly minEpochsInBudget: number;
  readonly onProgress?: (p: RetrainProgress) => void;
  /** Monotonic clock, ms, of the budget and the cost probes (default `performance.now`). */
  readonly clock?: () => number;
}

/** The trained challenger and how it went. */
export interface TrainedChallenger {
  readonly model: SequenceAutoencoder;
  readonly outcome: TrainingOutcome;
  /** Distinct training windows used. */
  readonly windowsUsed: number;
}

/**
 * Trains the challenger: a copy of the champion (warm start) or a fresh seeded model of the
 * same architecture, fine-tuned on the training windows with early stopping on `stop`, inside
 * the time budget. The cost of a window is measured first, and the training set is subsampled
 * (seeded) so that `minEpochsInBudget` epochs fit: the trainer checks its budget only between
 * epochs, so an epoch must be a fraction of the budget for the budget to hold.
 *
 * @example
 * const { model, outcome } = await trainChallenger(split.train, split.stop, plan);
 */
export async function trainChallenger(train: WindowSet, stop: WindowSet, plan: ChallengerPlan): Promise<TrainedChallenger> {
  const clock = plan.clock ?? (() => performance.now());
  const started = clock();
  const champion = plan.champion;
  const steps = champion.config.steps;
  const model = plan.warmStart ? champion.clone() : SequenceAutoencoder.create({ ...champion.config }, { seed: plan.seed });
  const { msPerTrainWindow, msPerScoredWindow } = await probeCosts(model, train, steps, plan.train, clock);

  // Budget left after the probe and the evaluation reserve (with a quarter of headroom), split
  // into epochs; each epoch also scores the stop set.
  const reserveMs = 1.25 * plan.reserveScoredWindows * msPerScoredWindow;
  const budgetMs = Math.max(0, plan.budgetMs - (clock() - started) - reserveMs);
  const epochMs = budgetMs / plan.minEpochsInBudget;
  const rng = createRandom(plan.seed ^ 0x7a11);
  const stopSet = subsampleWindows(stop, Math.max(1, Math.floor((0.25 * epochMs) / msPerScoredWindow)), steps, rng);
  const perEpoch = Math.max(plan.train.batchSize, Math.floor((epochMs - stopSet.count * msPerScoredWindow) / msPerTrainWindow));
  const trainSet = subsampleWindows(train, perEpoch, steps, rng);

  const base = { warmStart: plan.warmStart, budgetMs, windowsPerEpoch: trainSet.count, msPerTrainWindow, msPerScoredWindow };
  if (plan.train.epochs === 0) {
    return {
      model,
      windowsUsed: 0,
      outcome: { ...base, epochs: 0, bestEpoch: 0, stoppedBy: 'epochs', trainLoss: [], valLoss: [], bestValLoss: NaN, seconds: 0 },
    };
  }
  plan.onProgress?.({
    phase: 'train',
    message: `training on ${trainSet.count} of ${train.count} windows per epoch, ${stopSet.count} for early stopping, budget ${(budgetMs / 1000).toFixed(1)} s`,
    data: { windows: trainSet.count, budgetMs },
  });
  const report = await trainAutoencoder(model, trainSet.data, trainSet.count, {
    epochs: plan.train.epochs,
    batchSize: plan.train.batchSize,
    learningRate: plan.train.learningRate,
    clipNorm: plan.train.clipNorm,
    patience: plan.train.patience,
    workers: plan.train.workers,
    seed: plan.seed,
    shuffle: true,
    validationSplit: 0,
    validation: stopSet.count > 0 ? stopSet : undefined,
    // The trainer stops after the epoch during which the budget ran out: leave it one epoch.
    timeBudgetMs: Math.max(0, budgetMs - epochMs),
    clock,
    onEpoch: ({ epoch, trainLoss, valLoss, seconds }) =>
      plan.onProgress?.({
        phase: 'train',
        message: `epoch ${epoch}: train ${trainLoss.toExponential(3)}, validation ${valLoss.toExponential(3)} (${seconds.toFixed(1)} s)`,
        data: { epoch, trainLoss, valLoss, seconds },
      }),
  });
  return {
    model,
    windowsUsed: trainSet.count,
    outcome: {
      ...base,
      epochs: report.epochsRun,
      bestEpoch: report.bestEpoch,
      stoppedBy: report.stoppedBy,
      trainLoss: report.trainLoss,
      valLoss: report.valLoss,
      bestValLoss: report.bestValLoss,
      seconds: report.seconds,
    },
  };
}

/** Times one epoch over a few windows (on a throwaway copy) and one scoring pass. */
async function probeCosts(
  model: SequenceAutoencoder,
  train: WindowSet,
  steps: number,
  o: ChallengerTrainOptions,
  clock: () => number,
): Promise<{ msPerTrainWindow: number; msPerScoredWindow: number }> {
  const n = Math.min(PROBE_WINDOWS, train.count);
  if (n === 0) return { msPerTrainWindow: 1, msPerScoredWindow: 1 };
  const probe = train.data.subarray(0, n * steps);
  const scratch = model.clone();
  let t = clock();
  await trainAutoencoder(scratch, probe, n, {
    epochs: 1,
    batchSize: o.batchSize,
    learningRate: o.learningRate,
    clipNorm: o.clipNorm,
    validationSplit: 0,
    shuffle: false,
  });
  const msPerTrainWindow = Math.max(1e-3, (clock() - t) / n);
  t = clock();
  scratch.score(probe, n);
  const msPerScoredWindow = Math.max(1e-3, (clock() - t) / n);
  return { msPerTrainWindow, msPerScoredWindow };
}
