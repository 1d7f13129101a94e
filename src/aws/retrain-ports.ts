import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { parsePointer } from '../contract';
import {
  runRetrainJob,
  type ChallengerTrainOptions,
  type ModelRegistry,
  type RetrainOptions,
  type RetrainPorts,
  type RetrainResult,
} from '../retrain';
import type { AlertStateStore } from './alert-state-store';
import { emptyHistoryStats, listHistoryKeys, readHistoryObject, type HistoryProblem } from './history-reader';
import { createLabelPorts } from './label-ports';
import { PointerConflictError, promoteModel, putModelVersion, readModelPointer } from './model-store';

/** Options of {@link createS3RetrainPorts}. */
export interface S3RetrainPortsOptions {
  /** Told about every skipped history record or object (key, byte offset, reason; never samples or ids). */
  readonly onProblem?: (problem: HistoryProblem) => void;
  /** Clock (default `Date.now`). */
  readonly now?: () => number;
}

/**
 * The retraining job's registry over S3: `models/current.json` read with its ETag, versions
 * stored by {@link putModelVersion}, the pointer switched by {@link promoteModel}'s
 * compare-and-swap (a lost race is an outcome, not an error).
 *
 * @example
 * const registry = createS3ModelRegistry(aws.s3, bucket);
 * const champion = await registry.readCurrent();
 */
export function createS3ModelRegistry(s3: S3Client, bucket: string): ModelRegistry {
  return {
    async readCurrent() {
      const current = await readModelPointer(s3, bucket);
      if (current === undefined) return undefined;
      const pointer = parsePointer(current.text);
      const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: pointer.key }));
      return { pointer, etag: current.etag, artifactText: (await out.Body?.transformToString('utf-8')) ?? '' };
    },
    putVersion: (version, artifactText, reportText) => putModelVersion(s3, bucket, version, artifactText, reportText),
    async promote(pointer, expectedEtag) {
      try {
        await promoteModel(s3, bucket, pointer, expectedEtag);
        return { promoted: true };
      } catch (err) {
        if (err instanceof PointerConflictError) return { promoted: false, reason: err.message };
        throw err;
      }
    },
  };
}

/**
 * The job's ports over one S3 bucket: history from `history/` (newest object first, streamed,
 * gunzipped, v1 and v2 records framed, bad records and objects skipped and counted) and the model registry under `models/`.
 *
 * @example
 * const result = await runRetrainJob(createS3RetrainPorts(aws.s3, bucket), { days: 7 });
 */
export function createS3RetrainPorts(s3: S3Client, bucket: string, options: S3RetrainPortsOptions = {}): RetrainPorts {
  return {
    history: {
      read(window) {
        const stats = emptyHistoryStats();
        async function* newestFirst() {
          const keys = await listHistoryKeys(s3, bucket, { days: window.days, now: window.now });
          // Newest object first: when the time budget stops reading early, what was read is the
          // most recent history (the job puts each device's records back in order per object).
          for (let i = keys.length - 1; i >= 0; i--) yield* readHistoryObject(s3, bucket, keys[i], stats, options.onProblem);
        }
        return { records: newestFirst(), stats };
      },
    },
    registry: createS3ModelRegistry(s3, bucket),
    ...(options.now ? { now: options.now } : {}),
  };
}

/** Options of {@link runRetrainCycle}: the job's options plus where to run it. */
export type RetrainCycleOptions = Partial<Omit<RetrainOptions, 'train'>> & {
  readonly s3: S3Client;
  readonly bucket: string;
  readonly train?: Partial<ChallengerTrainOptions>;
  readonly onProblem?: (problem: HistoryProblem) => void;
  /** Wall clock, epoch ms (default `Date.now`): the end of the history window. */
  readonly now?: () => number;
  /** The alert state table: its labels are used (docs/ARCHITECTURE.md §3.9); absent, labels are not read. */
  readonly alertState?: AlertStateStore;
};

/**
 * One retraining cycle against a bucket (AWS or the local emulators): what `beatwatch retrain`,
 * `beatwatch demo --retrain` and the Lambda run.
 *
 * @example
 * const result = await runRetrainCycle({ s3: pipeline.aws.s3, bucket: pipeline.resources.bucket, days: 1, timeBudgetMs: 20_000 });
 * console.error(result.decision, result.reason);
 */
export async function runRetrainCycle(options: RetrainCycleOptions): Promise<RetrainResult> {
  const { s3, bucket, onProblem, now, alertState, ...jobOptions } = options;
  const ports = createS3RetrainPorts(s3, bucket, { onProblem, now });
  const labels = alertState ? createLabelPorts({ store: alertState, s3, bucket, ...(now ? { now } : {}) }) : undefined;
  return runRetrainJob(labels ? { ...ports, labels } : ports, jobOptions);
}
