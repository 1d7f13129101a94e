/** Classifies S3 errors by HTTP status (names differ between S3, emulators and SDK versions). */

function statusOf(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
}

/** 404: no such key or bucket. */
export function isNotFound(err: unknown): boolean {
  const name = (err as { name?: string } | null)?.name;
  return statusOf(err) === 404 || name === 'NoSuchKey' || name === 'NotFound';
}

/** 304: a conditional GET whose ETag still matches. */
export function isNotModified(err: unknown): boolean {
  return statusOf(err) === 304 || (err as { name?: string } | null)?.name === 'NotModified';
}

/** 412: If-Match / If-None-Match failed. 409: a concurrent conditional write won. */
export function isPreconditionFailed(err: unknown): boolean {
  const status = statusOf(err);
  return status === 412 || status === 409 || (err as { name?: string } | null)?.name === 'PreconditionFailed';
}
