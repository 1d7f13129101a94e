import { parsePointer } from '../contract';
import type { BeatModel } from './ports';

export type { ModelPointer } from '../contract';

/** Where the cache reads the pointer and artifacts from (an S3 adapter in Lambda, a map in tests). */
export interface ModelSource {
  /**
   * Reads the pointer object. With `ifNoneMatch` (the ETag held) an unchanged pointer answers
   * `{ notModified: true }` without a body (S3: a conditional GET answering 304).
   */
  readPointer(ifNoneMatch?: string): Promise<{ notModified: true } | { notModified: false; etag: string; text: string }>;
  /** Reads an artifact's text by key. */
  readArtifact(key: string): Promise<string>;
}

/** Turns an artifact's text into a model, verifying it hashes to `sha256` (throws otherwise). */
export type ModelLoader = (text: string, sha256: string) => BeatModel;

/** Options of a {@link ModelCache}. */
export interface ModelCacheOptions {
  /** Pointer revalidation period in ms (default {@link DEFAULT_REVALIDATE_MS}). */
  readonly revalidateMs?: number;
  /** Clock (default `Date.now`), injectable for tests. */
  readonly now?: () => number;
  /** Told about every refused pointer or artifact (the model in hand is kept). */
  readonly onRejected?: (reason: string) => void;
}

/** Default revalidation period: one conditional GET a minute per warm environment. */
export const DEFAULT_REVALIDATE_MS = 60_000;

/** Thrown when there is no model at all: the batch must fail so no record is lost. */
export class NoModelError extends Error {
  override readonly name = 'NoModelError';
}

export { parsePointer } from '../contract';

/**
 * The model in hand, loaded through `models/current.json`: the pointer is revalidated by ETag
 * at most once per `revalidateMs`; a new artifact is loaded only when its sha256 matches the
 * pointer and its format is known. Anything bad (missing pointer, unreadable or corrupt
 * artifact, wrong hash) keeps the model in hand; with no model at all {@link ModelCache.current}
 * throws {@link NoModelError} so the batch fails and is retried, never dropped.
 *
 * @example
 * const cache = new ModelCache(s3ModelSource, (text, sha) => loadBeatModel(text, sha));
 * const model = await cache.current();
 */
export class ModelCache {
  private model: BeatModel | null = null;
  private etag: string | undefined;
  private checkedAt = -Infinity;
  private inflight: Promise<void> | null = null;
  private readonly revalidateMs: number;
  private readonly now: () => number;
  /** The last refusal, or null (for logs and health checks). */
  lastError: string | null = null;

  constructor(
    private readonly source: ModelSource,
    private readonly load: ModelLoader,
    private readonly options: ModelCacheOptions = {},
  ) {
    this.revalidateMs = options.revalidateMs ?? DEFAULT_REVALIDATE_MS;
    this.now = options.now ?? Date.now;
  }

  /** The model to score with, revalidating the pointer when due. */
  async current(): Promise<BeatModel> {
    // A revalidation in flight has already moved `checkedAt`: wait for it rather than return
    // the model it may be replacing (two shards sharing one process would disagree otherwise).
    if (this.inflight) await this.inflight;
    if (this.now() - this.checkedAt >= this.revalidateMs || this.model === null) {
      // Concurrent callers share one revalidation.
      this.inflight ??= this.revalidate().finally(() => {
        this.inflight = null;
      });
      await this.inflight;
    }
    if (this.model === null) throw new NoModelError(`no model available: ${this.lastError ?? 'the pointer was never read'}`);
    return this.model;
  }

  private async revalidate(): Promise<void> {
    this.checkedAt = this.now();
    try {
      const read = await this.source.readPointer(this.model === null ? undefined : this.etag);
      if (read.notModified) return;
      const pointer = parsePointer(read.text);
      if (this.model !== null && this.model.version === pointer.version && this.etag !== undefined) {
        this.etag = read.etag;
        return;
      }
      const text = await this.source.readArtifact(pointer.key);
      const model = this.load(text, pointer.sha256);
      this.model = model;
      this.etag = read.etag;
      this.lastError = null;
    } catch (err) {
      this.lastError = (err as Error).message;
      this.options.onRejected?.(this.lastError);
    }
  }
}
