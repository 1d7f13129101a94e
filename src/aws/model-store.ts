import { createHash } from 'node:crypto';
import { ARTIFACT_FORMAT, MODEL_VERSION_PATTERN, type ModelPointer, MODEL_POINTER_KEY, modelVersionKeys } from '../contract';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { ModelSource } from '../detect';
import { isNotFound, isNotModified, isPreconditionFailed } from './s3-errors';

/** The pointer was changed by someone else since it was read: re-read and decide again. */
export class PointerConflictError extends Error {
  override readonly name = 'PointerConflictError';
}

/** Lower-case hex sha256 of a text's UTF-8 bytes (what the pointer's `sha256` holds). */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * Reads `models/current.json` with its ETag, or `undefined` when there is none yet.
 *
 * @example
 * const current = await readModelPointer(s3, bucket); // { text, etag } | undefined
 */
export async function readModelPointer(s3: S3Client, bucket: string): Promise<{ text: string; etag: string } | undefined> {
  try {
    const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: MODEL_POINTER_KEY }));
    return { text: (await out.Body?.transformToString('utf-8')) ?? '', etag: out.ETag ?? '' };
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/**
 * The detector's {@link ModelSource} over S3: the pointer read conditionally on the ETag held
 * (S3 answers 304 without a body when unchanged), artifacts read by key. A missing pointer is
 * an error here: the model cache turns it into "keep the model in hand". `pointerKey` defaults to
 * `models/current.json` (the detector's `MODEL_POINTER_KEY` setting overrides it).
 *
 * @example
 * const cache = new ModelCache(createS3ModelSource(aws.s3, bucket), loadBeatModel);
 */
export function createS3ModelSource(s3: S3Client, bucket: string, pointerKey: string = MODEL_POINTER_KEY): ModelSource {
  return {
    async readPointer(ifNoneMatch) {
      try {
        const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: pointerKey, IfNoneMatch: ifNoneMatch }));
        const etag = out.ETag ?? '';
        const text = (await out.Body?.transformToString('utf-8')) ?? '';
        // Emulators may ignore If-None-Match: an equal ETag is still "not modified".
        if (ifNoneMatch !== undefined && etag === ifNoneMatch) return { notModified: true };
        return { notModified: false, etag, text };
      } catch (err) {
        if (isNotModified(err)) return { notModified: true };
        if (isNotFound(err)) throw new Error(`no model pointer at s3://${bucket}/${pointerKey}`, { cause: err });
        throw err;
      }
    },
    async readArtifact(key) {
      const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return (await out.Body?.transformToString('utf-8')) ?? '';
    },
  };
}

/**
 * Stores a model version (`models/<version>/model.json`, and `report.json` when given) without
 * promoting it. Returns the artifact's key and sha256, ready for {@link promoteModel}.
 *
 * @example
 * const { key, sha256 } = await putModelVersion(s3, bucket, artifact.version, text, reportText);
 */
export async function putModelVersion(
  s3: S3Client,
  bucket: string,
  version: string,
  artifactText: string,
  reportText?: string,
): Promise<{ key: string; sha256: string }> {
  const keys = modelVersionKeys(version);
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: keys.model, Body: artifactText, ContentType: 'application/json' }));
  if (reportText !== undefined)
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: keys.report, Body: reportText, ContentType: 'application/json' }));
  return { key: keys.model, sha256: sha256Hex(artifactText) };
}

/**
 * Switches `models/current.json` to `pointer` as a compare-and-swap: it succeeds only if the
 * pointer still has `expectedEtag` (`null` = there must be no pointer yet), else throws
 * {@link PointerConflictError}. Two guards: a HEAD compares the ETag first (emulators ignore
 * conditional writes: fauxqs drops `If-None-Match: *`), then the PUT carries `If-Match` /
 * `If-None-Match: *` so real S3 also catches a writer that slips in between. Returns the new ETag.
 *
 * @example
 * const cur = await readModelPointer(s3, bucket);
 * await promoteModel(s3, bucket, { version, key, sha256, promotedAt: new Date().toISOString() }, cur?.etag ?? null);
 */
export async function promoteModel(s3: S3Client, bucket: string, pointer: ModelPointer, expectedEtag: string | null): Promise<string> {
  let currentEtag: string | null;
  try {
    currentEtag = (await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: MODEL_POINTER_KEY }))).ETag ?? '';
  } catch (err) {
    if (!isNotFound(err)) throw err;
    currentEtag = null;
  }
  if (currentEtag !== expectedEtag) {
    throw new PointerConflictError(`model pointer changed: expected ${expectedEtag ?? 'none'}, found ${currentEtag ?? 'none'}`);
  }
  try {
    const out = await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: MODEL_POINTER_KEY,
        Body: JSON.stringify(pointer),
        ContentType: 'application/json',
        ...(expectedEtag === null ? { IfNoneMatch: '*' } : { IfMatch: expectedEtag }),
      }),
    );
    return out.ETag ?? '';
  } catch (err) {
    if (isPreconditionFailed(err)) throw new PointerConflictError('model pointer changed while it was being switched', { cause: err });
    throw err;
  }
}

/** Options of {@link seedModel}. */
export interface SeedModelOptions {
  /** `report.json` stored beside the artifact (none when omitted). */
  readonly reportText?: string;
  /** Time recorded in the pointer (default now). */
  readonly promotedAt?: Date;
}

/** What {@link seedModel} did. */
export interface SeededModel {
  readonly version: string;
  /** Key of the stored artifact, `models/<version>/model.json`. */
  readonly key: string;
  readonly sha256: string;
  /** True when this call wrote `models/current.json`; false when a pointer already existed (left as it was). */
  readonly promoted: boolean;
}

/**
 * Uploads a model and points at it: stores `models/<version>/` ({@link putModelVersion}) and
 * creates `models/current.json` for it unless a pointer exists, which is never overwritten (after
 * the first deployment the pointer belongs to retraining). What the deploy-time custom resource,
 * `beatwatch demo`, the pipeline benchmark and the retrain-memory script all do.
 *
 * @example
 * const { version, key, promoted } = await seedModel(s3, bucket, readFileSync('data/default-model/model.json', 'utf8'));
 */
export async function seedModel(s3: S3Client, bucket: string, artifactText: string, options: SeedModelOptions = {}): Promise<SeededModel> {
  const version = artifactVersionOf(artifactText, 'model artifact');
  const { key, sha256 } = await putModelVersion(s3, bucket, version, artifactText, options.reportText);
  const promotedAt = (options.promotedAt ?? new Date()).toISOString();
  try {
    await promoteModel(s3, bucket, { version, key, sha256, promotedAt }, null);
  } catch (err) {
    if (err instanceof PointerConflictError) return { version, key, sha256, promoted: false };
    throw err;
  }
  return { version, key, sha256, promoted: true };
}

/**
 * Reads an artifact's version without parsing its weights, refusing anything that is not a
 * beatwatch model or whose version is not {@link MODEL_VERSION_PATTERN}. `where` names the
 * artifact in errors.
 */
export function artifactVersionOf(artifactText: string, where: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(artifactText);
  } catch (err) {
    throw new Error(`${where}: not JSON (${(err as Error).message})`, { cause: err });
  }
  const artifact = parsed as { format?: unknown; version?: unknown };
  if (typeof parsed !== 'object' || parsed === null || artifact.format !== ARTIFACT_FORMAT) {
    throw new Error(`${where}: field "format" must be "${ARTIFACT_FORMAT}"`);
  }
  if (typeof artifact.version !== 'string' || !MODEL_VERSION_PATTERN.test(artifact.version)) {
    throw new Error(`${where}: field "version" must match ${MODEL_VERSION_PATTERN}, got ${JSON.stringify(artifact.version)}`);
  }
  return artifact.version;
}
