/**
 * Which model is in service and how good it is (`beatwatch model`, the console's `GET /api/model`):
 * the pointer, the artifact's training summary and threshold, and the retraining decisions
 * recorded in the `report.json` of the recent versions under `models/`.
 */
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { MODELS_PREFIX, modelVersionKeys, MODEL_VERSION_PATTERN, parsePointer } from '../contract';
import { readModelPointer } from './model-store';

/** One version's retraining decision, from its `report.json`. */
export interface RetrainDecision {
  readonly version: string;
  readonly decision: string | null;
  readonly reason: string | null;
  readonly fromVersion: string | null;
  readonly beatsUsed: number | null;
  readonly createdAt: string | null;
}

/** The model in service. */
export interface ModelInfo {
  readonly version: string;
  readonly promotedAt: string;
  readonly sha256: string;
  readonly createdAt: string | null;
  /** Training data in the artifact's words (source, records, beats). */
  readonly trainedOn: Record<string, unknown> | null;
  /** Validation figures of the artifact's training (metrics, best epoch, validation loss). */
  readonly validation: Record<string, unknown> | null;
  readonly threshold: { readonly rule: string | null; readonly value: number | null };
  /** Recent versions' retraining decisions, newest first (at most 5). */
  readonly decisions: RetrainDecision[];
}

async function readJson(s3: S3Client, bucket: string, key: string): Promise<Record<string, unknown> | null> {
  try {
    const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return JSON.parse(await (out.Body as { transformToString(): Promise<string> }).transformToString()) as Record<string, unknown>;
  } catch (err) {
    if (
      (err as { name?: string }).name === 'NoSuchKey' ||
      (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404
    )
      return null;
    throw err;
  }
}

const str = (v: unknown) => (typeof v === 'string' ? v : null);
const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/**
 * Reads the model in service of a bucket, or null when it has no pointer yet.
 *
 * @example
 * const info = await describeModel(aws.s3, 'beatwatch-local');
 * info?.version // '20261206T091352Z-…'
 */
export async function describeModel(s3: S3Client, bucket: string): Promise<ModelInfo | null> {
  const pointerText = await readModelPointer(s3, bucket);
  if (!pointerText) return null;
  const pointer = parsePointer(pointerText.text);
  const artifact = (await readJson(s3, bucket, pointer.key)) ?? {};
  const training = (artifact.training ?? null) as Record<string, unknown> | null;
  const threshold = (artifact.threshold ?? {}) as Record<string, unknown>;
  // Versions under models/ (one folder each); their report.json says how each came to be.
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: MODELS_PREFIX, Delimiter: '/' }));
  const versions = (listed.CommonPrefixes ?? [])
    .map((p) => (p.Prefix ?? '').slice(MODELS_PREFIX.length, -1))
    .filter((v) => MODEL_VERSION_PATTERN.test(v))
    .sort()
    .reverse()
    .slice(0, 5);
  const decisions = await Promise.all(
    versions.map(async (version): Promise<RetrainDecision> => {
      const r = (await readJson(s3, bucket, modelVersionKeys(version).report)) ?? {};
      return {
        version,
        decision: str(r.decision),
        reason: str(r.reason),
        fromVersion: str(r.fromVersion),
        beatsUsed: num(r.beatsUsed),
        createdAt: str(r.createdAt),
      };
    }),
  );
  return {
    version: pointer.version,
    promotedAt: pointer.promotedAt,
    sha256: pointer.sha256,
    createdAt: str(artifact.createdAt),
    trainedOn: training && typeof training.data === 'object' ? (training.data as Record<string, unknown>) : null,
    validation: training
      ? { bestEpoch: training.bestEpoch ?? null, valLoss: training.valLoss ?? null, metrics: training.metrics ?? null }
      : null,
    threshold: { rule: str(threshold.rule), value: num(threshold.value) },
    decisions,
  };
}
