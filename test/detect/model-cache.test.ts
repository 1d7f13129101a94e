import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ModelCache, NoModelError, parsePointer, type ModelSource } from '../../src/detect/model-cache';
import type { BeatModel } from '../../src/detect/ports';
import { fakeModel } from './fakes';

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

/** An in-memory bucket with ETags, counting reads. */
class FakeSource implements ModelSource {
  objects = new Map<string, string>();
  pointerReads = 0;
  artifactReads = 0;
  fail = false;
  async readPointer(ifNoneMatch?: string) {
    this.pointerReads++;
    if (this.fail) throw new Error('S3 unavailable');
    const text = this.objects.get('models/current.json');
    if (text === undefined) throw new Error('NoSuchKey: models/current.json');
    const etag = `"${sha(text).slice(0, 16)}"`;
    return ifNoneMatch === etag ? { notModified: true as const } : { notModified: false as const, etag, text };
  }
  async readArtifact(key: string) {
    this.artifactReads++;
    const text = this.objects.get(key);
    if (text === undefined) throw new Error(`NoSuchKey: ${key}`);
    return text;
  }
  promote(version: string, artifactText: string, pointerSha = sha(artifactText)) {
    const key = `models/${version}/model.json`;
    this.objects.set(key, artifactText);
    this.objects.set('models/current.json', JSON.stringify({ version, key, sha256: pointerSha, promotedAt: '2026-11-26T00:00:00Z' }));
  }
}

/** Loader: the artifact text is `{"version": ...}`; refuses a hash mismatch like parseArtifact does. */
function loader(text: string, sha256: string): BeatModel {
  if (sha(text) !== sha256) throw new Error('artifact sha256 differs from the pointer');
  const { version } = JSON.parse(text) as { version: string };
  return { ...fakeModel(), version };
}

function setup() {
  let clock = 0;
  const source = new FakeSource();
  const rejected: string[] = [];
  const cache = new ModelCache(source, loader, { now: () => clock, onRejected: (r) => rejected.push(r) });
  return { source, cache, rejected, advance: (ms: number) => (clock += ms) };
}

describe('ModelCache', () => {
  it('throws NoModelError when there is no model at all (the batch must fail)', async () => {
    const { cache } = setup();
    await expect(cache.current()).rejects.toBeInstanceOf(NoModelError);
    await expect(cache.current()).rejects.toThrow(/NoSuchKey/);
  });

  it('gives a caller that arrives during a revalidation the model that revalidation loads', async () => {
    const { source, cache, advance } = setup();
    source.promote('v1', '{"version":"v1"}');
    expect((await cache.current()).version).toBe('v1');
    source.promote('v2', '{"version":"v2"}');
    advance(60_000);
    // Two batches in one process (two shards): the second asks while the first is revalidating.
    const [first, second] = await Promise.all([cache.current(), cache.current()]);
    expect(first.version).toBe('v2');
    expect(second.version).toBe('v2');
  });

  it('loads through the pointer and revalidates at most once a minute', async () => {
    const { source, cache, advance } = setup();
    source.promote('v1', '{"version":"v1"}');
    expect((await cache.current()).version).toBe('v1');
    advance(30_000);
    await cache.current();
    expect(source.pointerReads).toBe(1);
    advance(30_000);
    await cache.current();
    expect(source.pointerReads).toBe(2);
    expect(source.artifactReads).toBe(1); // 304: not re-downloaded
  });

  it('switches to a newly promoted artifact at the next revalidation', async () => {
    const { source, cache, advance } = setup();
    source.promote('v1', '{"version":"v1"}');
    await cache.current();
    source.promote('v2', '{"version":"v2"}');
    expect((await cache.current()).version).toBe('v1');
    advance(60_000);
    expect((await cache.current()).version).toBe('v2');
  });

  it('keeps the model in hand when the new artifact fails its sha256, is missing, or S3 fails', async () => {
    const { source, cache, advance, rejected } = setup();
    source.promote('v1', '{"version":"v1"}');
    await cache.current();
    source.promote('v2', '{"version":"v2"}', '0'.repeat(64));
    advance(60_000);
    expect((await cache.current()).version).toBe('v1');
    source.objects.set(
      'models/current.json',
      JSON.stringify({ version: 'v3', key: 'models/v3/model.json', sha256: 'a'.repeat(64), promotedAt: 'x' }),
    );
    advance(60_000);
    expect((await cache.current()).version).toBe('v1');
    source.fail = true;
    advance(60_000);
    expect((await cache.current()).version).toBe('v1');
    expect(rejected).toEqual([
      expect.stringMatching(/sha256/),
      expect.stringMatching(/NoSuchKey/),
      expect.stringMatching(/S3 unavailable/),
    ]);
    expect(cache.lastError).toMatch(/S3 unavailable/);
  });

  it('retries at once while it has no model', async () => {
    const { source, cache } = setup();
    await expect(cache.current()).rejects.toThrow();
    source.promote('v1', '{"version":"v1"}');
    expect((await cache.current()).version).toBe('v1');
  });

  it('shares one revalidation among concurrent callers', async () => {
    const { source, cache } = setup();
    source.promote('v1', '{"version":"v1"}');
    await Promise.all([cache.current(), cache.current(), cache.current()]);
    expect(source.pointerReads).toBe(1);
  });
});

describe('parsePointer', () => {
  it('names the bad field', () => {
    expect(() => parsePointer('nope')).toThrow(/not JSON/);
    expect(() => parsePointer('[]')).toThrow(/object/);
    expect(() => parsePointer('{"version":"v","key":"k","sha256":"x","promotedAt":"p"}')).toThrow(/sha256/);
    expect(() => parsePointer('{"version":"v","sha256":"x","promotedAt":"p"}')).toThrow(/key must be/);
  });
});
