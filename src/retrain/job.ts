import { serializeArtifact, type DeviceLabels } from '../contract';
import type { ThresholdRule } from '../model';
import { TimeBudget } from './budget';
import { loadChampion, ChampionError, type Champion } from './champion';
import { compareModels } from './compare';
import { HistoryDatasetBuilder, type HistoryDataset } from './dataset';
import { resolveRetrainOptions, type ChallengerTrainOptions, type ResolvedRetrainOptions, type RetrainOptions } from './options';
import type { DeviceLabelStore, LabelledAlert, RetrainPorts } from './ports';
import { buildChallengerArtifact, publishChallenger } from './publish';
import { consumeHistory } from './read-history';
import type { DeviceLabelOutcome, HistorySummary, LabelsOutcome, RetrainResult } from './result';
import { splitByDevice, type WindowSet } from './split';
import { labelledBeats, planDeviceLabels, withLabelledNormal, type DeviceLabelPlan } from './labels';
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
 * 1. read the champion through the pointer (sha256-checked, as the detector does); read the
 *    clinicians' labels (when the ports have them) and store what they do to each labelled
 *    device's threshold (`labels.ts`, docs/ARCHITECTURE.md §3.9), whatever the rest decides;
 * 2. read the last `days` days of history, put each device's signal back in `seq` order (gaps
 *    split it), cut beats with the champion's window spec, keep the beats the champion scores
 *    normal, in bounded per-device reservoirs (labelled beats left out); add the false-alarm
 *    beats to their devices' normal beats;
 * 3. hold out devices; train a challenger warm-started from the champion inside the time budget,
 *    with early stopping;
 * 4. compare both on the same held-out beats and on the beats labelled true alarms; keep the
 *    champion unless the challenger is not worse by the stated margins;
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

  // Labels first: what they do to each device's threshold does not wait for (or depend on) a
  // challenger, and their beats' times keep history's copies out of the sample.
  const labelRead = ports.labels ? await ports.labels.source.read(o.maxLabels) : null;
  const labelled = labelRead ? labelledBeats(labelRead.alerts, champion) : null;
  const deviceLabels =
    ports.labels && labelRead ? await storeDeviceLabels(ports.labels.devices, planDeviceLabels(labelRead.alerts), now()) : [];
  if (labelRead)
    progress?.({
      phase: 'labels',
      message: `${labelRead.alerts.length} labelled alerts used (${labelRead.alerts.filter((a) => !a.value).length} false alarms, ${labelRead.alerts.filter((a) => a.value).length} true); ${changedThresholds(deviceLabels)} device thresholds changed`,
      data: { used: labelRead.alerts.length, devicesChanged: changedThresholds(deviceLabels) },
    });

  const sampleBudget = beatSampleBudget(champion, o, clock);
  const builder = new HistoryDatasetBuilder(champion, {
    maxDevices: o.maxDevices,
    maxBeats: sampleBudget,
    reorderWindow: o.reorderWindow,
    seed: o.seed,
    ...(labelled ? { labelled: labelled.times } : {}),
  });
  const consumed = await consumeHistory(
    ports.history.read({ days: o.days, now: now() }),
    builder,
    budget,
    o.historyShare,
    o.days,
    progress,
  );
  const history = consumed.summary;
  // False alarms are their devices' normal beats: split, trained on and fitted over like the others.
  const dataset = labelled ? withLabelledNormal(consumed.dataset, labelled.normal) : consumed.dataset;
  const labelsOf = (modelThreshold?: (deviceId: string) => { before: number; after: number }): LabelsOutcome | null =>
    labelRead && labelled
      ? {
          used: labelRead.alerts.length,
          skipped: labelRead.skipped,
          falseAlarms: countOf(labelRead.alerts, false),
          truePositives: countOf(labelRead.alerts, true),
          unfitBeats: labelled.unfit,
          historyBeatsLeftOut: consumed.dataset.labelledBeatsLeftOut,
          devicesChanged: changedThresholds(deviceLabels),
          devices: deviceLabels.map((d) => (modelThreshold ? { ...d, modelThreshold: modelThreshold(d.deviceId) } : d)),
        }
      : null;
  const kept = (reason: string, extra: Partial<RetrainResult> = {}): RetrainResult =>
    keptResult(champion, dataset, history, o, budget, reason, { sampleBudget, labels: labelsOf(), ...extra });

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

  const comparison = compareModels(champion.model, trained.model, split.evaluate, split.flagged, o, {
    positives: labelled?.positives ?? EMPTY_SET,
    falseAlarms: labelled ? concatSets([...labelled.normal.values()], champion.model.config.steps) : EMPTY_SET,
  });
  const base = { devices: { ...devicesOf(dataset), ...devices }, training: trained.outcome, comparison, beatsUsed: trained.windowsUsed };
  if (!comparison.promote) return kept(comparison.reason, { ...base, evaluationSeconds: (budget.elapsedMs() - evaluationStart) / 1000 });

  const thresholds = fitRetrainThresholds(trained.model, split.evaluate, dataset.devices, {
    rule: o.thresholdRule ?? ruleOf(champion),
    scoring: champion.scoring,
    minDeviceBeats: o.minDeviceThresholdBeats,
    maxDeviceBeats: o.maxDeviceThresholdBeats,
    seed: o.seed,
    clamp: o.deviceThresholdClamp,
    ...(labelled ? { labelledNormal: labelled.normal } : {}),
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
    raisedByLabels: thresholds.raisedByLabels,
    ...(thresholds.fallback ? { fallback: thresholds.fallback } : {}),
  };
  const promoted: RetrainResult = {
    ...kept(comparison.reason, base),
    labels: labelsOf((deviceId) => ({
      before: champion.thresholdFor(deviceId),
      after: thresholds.devices[deviceId] ?? thresholds.global.value,
    })),
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
    labels: null,
    evaluationSeconds: 0,
    seconds: budget.elapsedMs() / 1000,
    ...extra,
  };
}

const EMPTY_SET: WindowSet = { data: new Float32Array(0), rr: new Float32Array(0), count: 0 };

function concatSets(sets: readonly WindowSet[], steps: number): WindowSet {
  const count = sets.reduce((n, x) => n + x.count, 0);
  const data = new Float32Array(count * steps);
  const rr = new Float32Array(count * 2);
  let at = 0;
  for (const x of sets) {
    data.set(x.data.subarray(0, x.count * steps), at * steps);
    rr.set(x.rr.subarray(0, x.count * 2), at * 2);
    at += x.count;
  }
  return { data, rr, count };
}

const changedThresholds = (devices: readonly DeviceLabelOutcome[]) =>
  devices.filter((d) => d.threshold.before !== d.threshold.after).length;

function countOf(alerts: readonly LabelledAlert[], value: boolean): { alerts: number; beats: number } {
  const these = alerts.filter((a) => a.value === value);
  return { alerts: these.length, beats: these.reduce((n, a) => n + a.beats.length, 0) };
}

/**
 * Stores each planned device state that differs from the stored one (threshold or counts), and
 * says what changed. Idempotent: a second run over the same labels writes nothing.
 */
async function storeDeviceLabels(store: DeviceLabelStore, plans: readonly DeviceLabelPlan[], at: number): Promise<DeviceLabelOutcome[]> {
  const out: DeviceLabelOutcome[] = [];
  for (const p of plans) {
    const current = await store.current(p.deviceId);
    const before = current?.threshold ?? 1;
    const next: DeviceLabels = {
      threshold: p.threshold,
      falseAlarms: p.falseAlarms,
      falseAlarmBeats: p.falseAlarmBeats,
      truePositives: p.truePositives,
      truePositiveBeats: p.truePositiveBeats,
      capped: p.capped,
      updatedAt: at,
    };
    const same =
      current !== null &&
      current.threshold === next.threshold &&
      current.falseAlarms === next.falseAlarms &&
      current.truePositives === next.truePositives &&
      current.falseAlarmBeats === next.falseAlarmBeats &&
      current.truePositiveBeats === next.truePositiveBeats;
    const stored = same ? null : await store.write(p.deviceId, next);
    out.push({
      deviceId: p.deviceId,
      falseAlarms: p.falseAlarms,
      falseAlarmBeats: p.falseAlarmBeats,
      truePositives: p.truePositives,
      truePositiveBeats: p.truePositiveBeats,
      threshold: { before, after: p.threshold },
      capped: p.capped,
      stored,
    });
  }
  return out;
}
