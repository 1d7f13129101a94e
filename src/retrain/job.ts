import { serializeArtifact } from '../contract/artifact';
import type { ThresholdRule } from '../model/threshold';
import { TimeBudget } from './budget';
import { loadChampion, ChampionError, type Champion } from './champion';
import { compareModels } from './compare';
import { HistoryDatasetBuilder, type HistoryDataset } from './dataset';
import { resolveRetrainOptions, type ChallengerTrainOptions, type ResolvedRetrainOptions, type RetrainOptions } from './options';
import type { RetrainPorts } from './ports';
import { buildChallengerArtifact, publishChallenger } from './publish';
import { consumeHistory } from './read-history';
import type { HistorySummary, RetrainResult } from './result';
import { splitByDevice } from './split';
import { fitRetrainThresholds } from './thresholds';
import { trainChallenger } from './train-challenger';

/**
 * Wall time kept back from training for the writes at the end: 2 s, or a tenth of a short
 * budget. The scoring of evaluation is reserved separately from its measured cost (see
 * `trainChallenger`).
 */
const WRITE_RESERVE_MS = 2_000;
const WRITE_RESERVE_SHARE = 0.1;

/**
 * One retraining run (docs/ARCHITECTURE.md §3.4, §5), top-down:
 *
 * 1. read the champion through the pointer (sha256-checked, as the detector does);
 * 2. read the last `days` days of history, put each device's signal back in `seq` order (gaps
 *    split it), cut beats with the champion's window spec, keep the beats the champion scores
 *    normal, in bounded per-device reservoirs;
 * 3. hold out devices; train a challenger warm-started from the champion inside the time budget,
 *    with early stopping;
 * 4. compare both on the same held-out beats; keep the champion unless the challenger is not
 *    worse by the stated margins;
 * 5. fit the global and per-device thresholds, store `models/<version>/`, switch the pointer
 *    conditionally on its ETag.
 *
 * Never throws for data problems (empty or malformed history keeps the champion, with the reason);
 * throws {@link ChampionError} when there is no usable champion, and on storage errors.
 *
 * @example
 * const result = await runRetrainJob({ history, registry }, { days: 7, timeBudgetMs: 600_000 });
 * console.error(result.decision, result.reason);
 */
export async function runRetrainJob(
  ports: RetrainPorts,
  options: Partial<Omit<RetrainOptions, 'train'>> & { train?: Partial<ChallengerTrainOptions> } = {},
): Promise<RetrainResult> {
  const o = resolveRetrainOptions(options);
  const now = ports.now ?? Date.now;
  const clock = ports.clock ?? (() => performance.now());
  const budget = new TimeBudget(o.timeBudgetMs, clock);
  const progress = o.onProgress;

  const current = await ports.registry.readCurrent();
  if (current === undefined)
    throw new ChampionError('no model pointer (models/current.json): deploy or train a first model before retraining');
  const champion = loadChampion(current);
  progress?.({
    phase: 'champion',
    message: `champion ${champion.artifact.version}: ${champion.model.config.cell} ${champion.model.config.hidden} units, ${champion.window.steps}-step windows`,
  });

  const sampleBudget = beatSampleBudget(champion, o, clock);
  const builder = new HistoryDatasetBuilder(champion, {
    maxDevices: o.maxDevices,
    maxBeats: sampleBudget,
    reorderWindow: o.reorderWindow,
    seed: o.seed,
  });
  const { dataset, summary: history } = await consumeHistory(
    ports.history.read({ days: o.days, now: now() }),
    builder,
    budget,
    o.historyShare,
    o.days,
    progress,
  );
  const kept = (reason: string, extra: Partial<RetrainResult> = {}): RetrainResult =>
    keptResult(champion, dataset, history, o, budget, reason, { sampleBudget, ...extra });

  if (history.records === 0) {
    const bad = history.malformedRecords + history.malformedObjects;
    return kept(
      `history is empty: no valid records in the last ${o.days} days${bad > 0 ? ` (${history.malformedRecords} malformed records and ${history.malformedObjects} unreadable objects skipped)` : ''}; no new version`,
    );
  }
  const split = splitByDevice(dataset, o.validationFraction, o.seed, o.maxEvaluationBeats);
  progress?.({
    phase: 'dataset',
    message: `${dataset.signal.beats} beats from ${dataset.devices.length} devices, ${dataset.beatsSampled} sampled (budget ${sampleBudget}): ${dataset.beatsNormal} normal, ${dataset.beatsFlagged} flagged by the champion; ${split.train.count} training, ${split.stop.count} early-stopping, ${split.evaluate.count} comparison beats`,
    data: { beats: dataset.signal.beats, normal: dataset.beatsNormal, flagged: dataset.beatsFlagged, devices: dataset.devices.length },
  });
  const devices = { training: split.trainDevices, heldOut: split.heldOutDevices, heldOutBy: split.by };
  if (split.train.count < o.minTrainingBeats)
    return kept(`too few normal beats to train on: ${split.train.count} (need ${o.minTrainingBeats})`, {
      devices: { ...devicesOf(dataset), ...devices },
    });
  if (split.evaluate.count < o.minEvaluationBeats)
    return kept(`too few held-out normal beats to judge a challenger: ${split.evaluate.count} (need ${o.minEvaluationBeats})`, {
      devices: { ...devicesOf(dataset), ...devices },
    });

  // What evaluation will score after training: both models on held-out and flagged beats, the
  // challenger on up to maxDeviceThresholdBeats normal beats of each device with enough of them.
  let thresholdBeats = 0;
  for (const d of dataset.devices)
    if (d.normalCount >= o.minDeviceThresholdBeats) thresholdBeats += Math.min(d.normalCount, o.maxDeviceThresholdBeats);
  const toScore = 2 * (split.evaluate.count + split.flagged.count) + split.evaluate.count + thresholdBeats;
  const trained = await trainChallenger(split.train, split.stop, {
    champion: champion.model,
    train: o.train,
    warmStart: o.warmStart,
    seed: o.seed,
    budgetMs: Math.max(0, budget.remainingMs() - Math.min(WRITE_RESERVE_MS, WRITE_RESERVE_SHARE * o.timeBudgetMs)),
    reserveScoredWindows: toScore,
    minEpochsInBudget: o.minEpochsInBudget,
    onProgress: progress,
    clock,
  });
  const evaluationStart = budget.elapsedMs();
  progress?.({
    phase: 'evaluate',
    message: `trained ${trained.outcome.epochs} epochs (${trained.outcome.stoppedBy}) in ${trained.outcome.seconds.toFixed(1)} s; comparing on held-out beats`,
  });

  const comparison = compareModels(champion.model, trained.model, split.evaluate, split.flagged, o);
  const base = { devices: { ...devicesOf(dataset), ...devices }, training: trained.outcome, comparison, beatsUsed: trained.windowsUsed };
  if (!comparison.promote) return kept(comparison.reason, { ...base, evaluationSeconds: (budget.elapsedMs() - evaluationStart) / 1000 });

  const thresholds = fitRetrainThresholds(trained.model, split.evaluate, dataset.devices, {
    rule: o.thresholdRule ?? ruleOf(champion),
    scoring: champion.scoring,
    minDeviceBeats: o.minDeviceThresholdBeats,
    maxDeviceBeats: o.maxDeviceThresholdBeats,
    seed: o.seed,
    clamp: o.deviceThresholdClamp,
  });
  const artifact = buildChallengerArtifact(
    champion,
    trained.model,
    thresholds,
    {
      days: o.days,
      beatsRead: dataset.signal.beats,
      beatsSampled: dataset.beatsSampled,
      beatsNormal: dataset.beatsNormal,
      beatsFlagged: dataset.beatsFlagged,
      devicesSampled: dataset.devices.length,
      split,
      training: trained.outcome,
      trainOptions: { ...o.train, warmStart: o.warmStart },
      seed: o.seed,
      comparison,
    },
    new Date(now()),
  );
  const thresholdSummary = {
    global: thresholds.global,
    devices: thresholds.fitted,
    clamped: thresholds.clamped,
    tooFewBeats: thresholds.tooFewBeats,
    ...(thresholds.fallback ? { fallback: thresholds.fallback } : {}),
  };
  const promoted: RetrainResult = {
    ...kept(comparison.reason, base),
    decision: 'promoted',
    toVersion: artifact.version,
    challengerVersion: artifact.version,
    thresholds: thresholdSummary,
  };
  progress?.({ phase: 'promote', message: `storing ${artifact.version} and switching the pointer from ${champion.artifact.version}` });
  const report = (r: RetrainResult) => ({ ...r, deviceThresholds: thresholds.devices, options: { ...o, onProgress: undefined } });
  const outcome = await publishChallenger(ports.registry, champion, artifact, report(promoted), new Date(now()));
  const finish = (r: RetrainResult): RetrainResult => ({
    ...r,
    evaluationSeconds: (budget.elapsedMs() - evaluationStart) / 1000,
    seconds: budget.elapsedMs() / 1000,
  });
  if (outcome.promoted) return finish(promoted);
  const lost = finish({
    ...promoted,
    decision: 'kept',
    toVersion: champion.artifact.version,
    reason: `the challenger passed (${comparison.reason}) but another run switched the pointer first: ${outcome.reason}; ${artifact.version} is stored, not promoted`,
  });
  // Say so in the stored report too: the version exists but was never in service.
  await ports.registry.putVersion(artifact.version, serializeArtifact(artifact).text, `${JSON.stringify(report(lost), null, 2)}\n`);
  return lost;
}

/** Windows timed to measure the champion's scoring cost. */
const SCORING_PROBE_WINDOWS = 128;

/**
 * How many beats to sample: `maxBeats`, or fewer when the champion could not score that many
 * within `scoringShare` of the budget (its cost per window is measured here, on a second pass so
 * the first one's compilation does not count).
 */
function beatSampleBudget(champion: Champion, o: ResolvedRetrainOptions, clock: () => number): number {
  const steps = champion.model.config.steps;
  const probe = new Float32Array(SCORING_PROBE_WINDOWS * steps);
  for (let i = 0; i < probe.length; i++) probe[i] = Math.sin((2 * Math.PI * (i % steps)) / steps);
  champion.model.score(probe, SCORING_PROBE_WINDOWS);
  const t = clock();
  champion.model.score(probe, SCORING_PROBE_WINDOWS);
  const msPerWindow = Math.max(1e-4, (clock() - t) / SCORING_PROBE_WINDOWS);
  const affordable = Math.floor((o.scoringShare * o.timeBudgetMs) / msPerWindow);
  return Math.max(Math.min(o.maxBeats, 2 * o.minTrainingBeats), Math.min(o.maxBeats, affordable));
}

/** The champion's threshold rule and parameters, without its fitted value. */
function ruleOf(champion: Champion): ThresholdRule {
  const { rule, params } = champion.artifact.threshold;
  return { rule, params: { ...params } } as ThresholdRule;
}

function devicesOf(dataset: HistoryDataset): RetrainResult['devices'] {
  return { seen: dataset.devicesSeen, sampled: dataset.devices.length, training: 0, heldOut: 0, heldOutBy: null };
}

function keptResult(
  champion: Champion,
  dataset: HistoryDataset,
  history: HistorySummary,
  o: ResolvedRetrainOptions,
  budget: TimeBudget,
  reason: string,
  extra: Partial<RetrainResult>,
): RetrainResult {
  return {
    decision: 'kept',
    reason,
    fromVersion: champion.artifact.version,
    toVersion: champion.artifact.version,
    challengerVersion: null,
    beatsRead: dataset.signal.beats,
    beatsSampled: dataset.beatsSampled,
    beatsNormal: dataset.beatsNormal,
    beatsFlagged: dataset.beatsFlagged,
    beatsUsed: 0,
    devices: devicesOf(dataset),
    history,
    training: null,
    comparison: null,
    thresholds: null,
    peakWindowBytes: dataset.peakWindowBytes,
    sampleBudget: o.maxBeats,
    timeBudgetMs: o.timeBudgetMs,
    evaluationSeconds: 0,
    seconds: budget.elapsedMs() / 1000,
    ...extra,
  };
}
