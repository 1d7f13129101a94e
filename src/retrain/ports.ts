/**
 * The retraining job's ports: where history comes from and where models go. The job imports no
 * AWS SDK and does not assume Lambda (docs/ARCHITECTURE.md §2, §5): `src/aws/retrain-ports.ts` implements
 * these over S3, tests implement them over memory, a container task could implement them over
 * anything else.
 */

import type { DecodedRecord, DeviceLabels, ModelPointer } from '../contract';
/** One history record as the job needs it: a decoded wire record, samples in mV. */
export type { DecodedRecord };

/** Counters of a history read, filled in while it is iterated. */
export interface HistoryCounters {
  /** Objects opened. */
  objects: number;
  /** Objects that could not be read to the end (skipped from the fault on). */
  malformedObjects: number;
  /** Valid records yielded. */
  records: number;
  /** Records that were not valid (a bad line, or bytes skipped to resync: docs/ARCHITECTURE.md §3.4). */
  malformedRecords: number;
}

/** A read of the history window: the records (oldest object first) and live counters. */
export interface HistoryRead {
  readonly records: AsyncIterable<DecodedRecord>;
  readonly stats: Readonly<HistoryCounters>;
}

/**
 * Reads archived wire records of the last `days` days up to `now` (epoch ms). Any order of
 * objects works (each device's records are put back in `seq` order per object, and a step back
 * starts a new run); newest object first is best: when the time budget stops reading early, the
 * most recent history is the part that was read.
 */
export interface HistorySource {
  read(window: { days: number; now: number }): HistoryRead;
}

/** The pointer `models/current.json` (docs/ARCHITECTURE.md §3.4). */
export type { ModelPointer } from '../contract';

/** The model in service: its pointer, the pointer's ETag (for the conditional switch) and its artifact text. */
export interface ChampionRecord {
  readonly pointer: ModelPointer;
  readonly etag: string;
  readonly artifactText: string;
}

/** Outcome of a conditional pointer switch. */
export type PromoteOutcome = { readonly promoted: true } | { readonly promoted: false; readonly reason: string };

/** The model registry: `models/<version>/` and the conditional pointer. */
export interface ModelRegistry {
  /** The current pointer, its ETag and the artifact it names; undefined when there is no pointer. */
  readCurrent(): Promise<ChampionRecord | undefined>;
  /** Stores `models/<version>/model.json` and `report.json` (not promoted). Returns the artifact key and sha256. */
  putVersion(version: string, artifactText: string, reportText: string): Promise<{ key: string; sha256: string }>;
  /**
   * Switches the pointer only if it still has `expectedEtag` (compare-and-swap), so two
   * concurrent runs cannot interleave: the loser gets `{ promoted: false, reason }`.
   */
  promote(pointer: ModelPointer, expectedEtag: string): Promise<PromoteOutcome>;
}

/** A labelled beat alert, as the job reads it: only its flagged beats matter. */
export interface LabelledAlert {
  readonly id: string;
  readonly deviceId: string;
  /** `true`: a true alarm; `false`: a false alarm. */
  readonly value: boolean;
  /** Raised while the device was still learning: its scores are on the population scale, not the device's. */
  readonly calibrating: boolean;
  /** The alert's flagged beats: time, relative score (1 = the device's learned threshold), the window the model saw, RR context. */
  readonly beats: readonly {
    readonly t: number;
    readonly score: number;
    readonly window: readonly number[];
    readonly rrPrev: number | null;
    readonly rrNext: number | null;
  }[];
}

/** Where labels come from (the alert state table and the alert snippets, in AWS). */
export interface LabelSource {
  /**
   * The labelled beat alerts, newest first, at most `limit`; with counts of labelled alerts that
   * could not be used, by reason (an episode alert has no beats, a snippet is missing...).
   */
  read(limit: number): Promise<{ readonly alerts: readonly LabelledAlert[]; readonly skipped: Readonly<Record<string, number>> }>;
}

/** Where a device's label-derived state goes (the alert state table and the device's profile, in AWS). */
export interface DeviceLabelStore {
  /** The device's stored state, or null when labels never changed it. */
  current(deviceId: string): Promise<DeviceLabels | null>;
  /** Stores the state; says where it landed (a device never seen by the detector has no item, one still learning no profile). */
  write(deviceId: string, labels: DeviceLabels): Promise<{ readonly table: boolean; readonly profile: boolean }>;
}

/** The label ports of the job: both or neither. */
export interface LabelPorts {
  readonly source: LabelSource;
  readonly devices: DeviceLabelStore;
}

/** Everything the job talks to. */
export interface RetrainPorts {
  readonly history: HistorySource;
  readonly registry: ModelRegistry;
  /** Clinicians' labels, and where what they change goes (absent: labels are not used). */
  readonly labels?: LabelPorts;
  /**
   * Wall clock, epoch ms (default `Date.now`): the end of the history window and the new
   * version's timestamps. The time budget runs on a monotonic clock of its own.
   */
  readonly now?: () => number;
  /**
   * Monotonic clock, ms (default `performance.now`): the time budget, the measured costs of
   * scoring and training a window, and the trainer's own budget all read it. A test passes a
   * clock it advances itself, so what the budget allows does not depend on the machine's load.
   */
  readonly clock?: () => number;
}
