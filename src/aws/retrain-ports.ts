import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { applyBeatScoring, readBeatScoring } from '../model/beat-scoring';
import { parsePointer } from '../contract/model-pointer';
import {
  runRetrainJob,
  type ChallengerTrainOptions,
  type ModelRegistry,
  type RetrainOptions,
  type RetrainPorts,
  type RetrainResult,
  type ScoringPort,
} from '../retrain';
import { listHistoryKeys, readHistoryObject, type HistoryProblem, type HistoryReadStats } from './history-reader';
import { PointerConflictError, promoteModel, putModelVersion, readModelPointer } from './model-store';

/** Options of {@link createS3RetrainPorts}. */
export interface S3RetrainPortsOptions {
  /** Told about every skipped history line or object (key, line, reason; never samples or ids). */
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
 * The detector's scoring rule (`scoring` in the artifact: reconstruction, optionally plus
 * prematurity), so retraining filters beats and fits thresholds on the scores the detector will
 * compare them with; the rule is carried into the new artifact unchanged.
 */
export const detectorScoring: ScoringPort = (raw) => {
  const scoring = readBeatScoring(raw);
  const beats: { rrPrev: number | null; rrNext: number | null }[] = [];
  return {
    complete(errors, rr, count) {
      // The detector's rule takes beats with RR context; reuse the objects between calls.
      for (let i = beats.length; i < count; i++) beats.push({ rrPrev: null, rrNext: null });
      for (let i = 0; i < count; i++) {
        const prev = rr[2 * i];
        const next = rr[2 * i + 1];
        beats[i].rrPrev = Number.isNaN(prev) ? null : prev;
        beats[i].rrNext = Number.isNaN(next) ? null : next;
      }
      applyBeatScoring(errors.subarray(0, count), beats.slice(0, count), scoring);
    },
    artifactExtras: raw.scoring === undefined ? {} : { scoring },
  };
};

/**
 * The job's ports over one S3 bucket: history from `history/` (newest object first, streamed,
 * gunzipped, bad lines and objects skipped and counted), the model registry under `models/`, the
 * detector's scoring.
 *
 * @example
 * const result = await runRetrainJob(createS3RetrainPorts(aws.s3, bucket), { days: 7 });
 */
export function createS3RetrainPorts(s3: S3Client, bucket: string, options: S3RetrainPortsOptions = {}): RetrainPorts {
  return {
    history: {
      read(window) {
        const stats: HistoryReadStats = { objects: 0, malformedObjects: 0, lines: 0, records: 0, malformedLines: 0 };
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
    scoring: detectorScoring,
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
  const { s3, bucket, onProblem, now, ...jobOptions } = options;
  return runRetrainJob(createS3RetrainPorts(s3, bucket, { onProblem, now }), jobOptions);
}
