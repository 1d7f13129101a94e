import type { FittedThreshold } from '../model';
import type { ModelComparison } from './compare';

/** What reading history found (counters only: no device ids, no samples). */
export interface HistorySummary {
  readonly days: number;
  readonly objects: number;
  readonly malformedObjects: number;
  readonly records: number;
  readonly malformedRecords: number;
  /** Records skipped as already seen (same or earlier `seq`). */
  readonly duplicates: number;
  readonly gaps: number;
  /** Records earlier than the run being fed (history is read newest object first): each starts a run. */
  readonly backwardJumps: number;
  /** Records the segmenter could not take (e.g. sample rate out of range). */
  readonly unusableRecords: number;
  /** Records of devices outside the device sample. */
  readonly recordsOfUnsampledDevices: number;
  /** True when reading stopped at its share of the time budget (the rest of history was not read). */
  readonly truncatedByBudget: boolean;
  readonly seconds: number;
}

/** How the challenger was trained. */
export interface TrainingOutcome {
  readonly warmStart: boolean;
  readonly epochs: number;
  readonly bestEpoch: number;
  readonly stoppedBy: string;
  readonly trainLoss: readonly number[];
  readonly valLoss: readonly number[];
  readonly bestValLoss: number;
  readonly seconds: number;
  /** Wall time training was given, and the training windows per epoch chosen to fit it. */
  readonly budgetMs: number;
  readonly windowsPerEpoch: number;
  /** Measured cost of one training window and one scored window (ms), which sized the epoch. */
  readonly msPerTrainWindow: number;
  readonly msPerScoredWindow: number;
}

/** What the labels of one device changed (docs/ARCHITECTURE.md §3.9). */
export interface DeviceLabelOutcome {
  readonly deviceId: string;
  readonly falseAlarms: number;
  readonly falseAlarmBeats: number;
  readonly truePositives: number;
  readonly truePositiveBeats: number;
  /** The device's threshold on its learned scale (1 = its profile's own), before this run and after it. */
  readonly threshold: { readonly before: number; readonly after: number };
  /** A false-alarm beat stays at or above the new threshold (the cap, or a known positive below it). */
  readonly capped: boolean;
  /** Where the new state was stored; null when nothing changed (not written). */
  readonly stored: { readonly table: boolean; readonly profile: boolean } | null;
  /** The model's threshold of the device (model score units), before and after, when a challenger was promoted. */
  readonly modelThreshold?: { readonly before: number; readonly after: number };
}

/** How many labels a run used and what they changed. */
export interface LabelsOutcome {
  /** Labelled beat alerts used. */
  readonly used: number;
  /** Labelled alerts not used, by reason (`episode`: a rhythm or technical alert has no beats; `no snippet`...). */
  readonly skipped: Readonly<Record<string, number>>;
  readonly falseAlarms: { readonly alerts: number; readonly beats: number };
  readonly truePositives: { readonly alerts: number; readonly beats: number };
  /** Labelled beats whose window does not fit the champion's (used for thresholds only). */
  readonly unfitBeats: number;
  /** History beats left out of the training sample because they are labelled beats. */
  readonly historyBeatsLeftOut: number;
  /** Devices whose threshold this run moved. */
  readonly devicesChanged: number;
  /** Per labelled device, in ascending id order. These are the result's only device ids: the Lambda logs the counts above, not this list. */
  readonly devices: readonly DeviceLabelOutcome[];
}

/**
 * The outcome of one retraining run: the `--json` object of `beatwatch retrain`, the basis of
 * `report.json`, and what the Lambda logs. Device ids appear only in `report.json`'s per-device
 * thresholds and in `labels.devices`, which the Lambda leaves out of its log.
 */
export interface RetrainResult {
  readonly decision: 'promoted' | 'kept';
  /** Why, in one sentence (the failed check, the empty history, the lost race...). */
  readonly reason: string;
  /** The version in service when the run started. */
  readonly fromVersion: string;
  /** The version in service after the run (the new one when promoted, else `fromVersion`). */
  readonly toVersion: string;
  /** The challenger's version when one was built, whether promoted or not. */
  readonly challengerVersion: string | null;
  /** Beats cut from history; the uniform per-device sample of them; of the sample, what the champion scored normal / flagged. */
  readonly beatsRead: number;
  readonly beatsSampled: number;
  readonly beatsNormal: number;
  readonly beatsFlagged: number;
  /** Distinct beats the challenger was trained on. */
  readonly beatsUsed: number;
  readonly devices: {
    readonly seen: number;
    readonly sampled: number;
    readonly training: number;
    readonly heldOut: number;
    readonly heldOutBy: 'device' | 'beat' | null;
  };
  readonly history: HistorySummary;
  readonly training: TrainingOutcome | null;
  readonly comparison: ModelComparison | null;
  readonly thresholds: {
    readonly global: FittedThreshold;
    readonly devices: number;
    readonly clamped: number;
    readonly tooFewBeats: number;
    /** Device thresholds raised above their fit by false-alarm labels. */
    readonly raisedByLabels?: number;
    readonly fallback?: string;
  } | null;
  /** Peak bytes of sampled beat windows held (the bounded part of the job's memory). */
  readonly peakWindowBytes: number;
  /** Beats the sample could hold: `maxBeats`, or fewer when the time budget could not afford scoring that many. */
  readonly sampleBudget: number;
  readonly timeBudgetMs: number;
  /** The labels read and what they changed; null when the job was given no label ports. */
  readonly labels: LabelsOutcome | null;
  /** Seconds after training: comparison, thresholds, writes. */
  readonly evaluationSeconds: number;
  readonly seconds: number;
}

/** The short form of a run that `beatwatch demo --retrain --json` reports under `retrain`. */
export interface RetrainSummary {
  readonly decision: RetrainResult['decision'];
  readonly reason: string;
  readonly fromVersion: string;
  readonly toVersion: string;
  readonly beatsUsed: number;
  readonly seconds: number;
  /** Labels used and devices whose threshold they changed (absent without label ports). */
  readonly labels?: { readonly used: number; readonly devicesChanged: number };
}

/**
 * Picks the fields of {@link RetrainSummary} out of a result.
 *
 * @example
 * json.retrain = retrainSummary(await runRetrainCycle({ s3, bucket, days: 1 }));
 */
export function retrainSummary(r: RetrainResult): RetrainSummary {
  return {
    decision: r.decision,
    reason: r.reason,
    fromVersion: r.fromVersion,
    toVersion: r.toVersion,
    beatsUsed: r.beatsUsed,
    seconds: r.seconds,
    ...(r.labels ? { labels: { used: r.labels.used, devicesChanged: r.labels.devicesChanged } } : {}),
  };
}
