/** The pointer object `models/current.json` (docs/ARCHITECTURE.md §3.4): which version is in service. */
export interface ModelPointer {
  readonly version: string;
  /** S3 key of the artifact, e.g. `models/<version>/model.json`. */
  readonly key: string;
  /** Lower-case hex sha256 of the artifact's bytes. */
  readonly sha256: string;
  /** ISO time of the promotion. */
  readonly promotedAt: string;
}

/**
 * Parses and checks a pointer's text, naming the bad field.
 *
 * @example
 * parsePointer('{"version":"v1","key":"models/v1/model.json","sha256":"ab…","promotedAt":"…"}')
 */
export function parsePointer(text: string): ModelPointer {
  let o: unknown;
  try {
    o = JSON.parse(text);
  } catch {
    throw new Error('model pointer is not JSON');
  }
  if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new Error('model pointer must be a JSON object');
  const p = o as Record<string, unknown>;
  for (const field of ['version', 'key', 'sha256', 'promotedAt'] as const) {
    if (typeof p[field] !== 'string' || p[field] === '') throw new Error(`model pointer: ${field} must be a non-empty string`);
  }
  if (!/^[0-9a-f]{64}$/.test(p.sha256 as string)) throw new Error('model pointer: sha256 must be 64 lower-case hex digits');
  return { version: p.version as string, key: p.key as string, sha256: p.sha256 as string, promotedAt: p.promotedAt as string };
}
