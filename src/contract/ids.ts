/**
 * Identifiers shared by the wire format, the artifact and the S3 layout, each defined once.
 */
import { createHash } from 'node:crypto';

/** Longest device id (docs/ARCHITECTURE.md §3.1). */
export const MAX_DEVICE_ID_LENGTH = 128;

/**
 * A device id: 1 to {@link MAX_DEVICE_ID_LENGTH} characters of `[A-Za-z0-9._:-]` (docs/ARCHITECTURE.md
 * §3.1). A single character passes exactly when it is allowed, which the wire validator uses to
 * point at the first bad one.
 */
export const DEVICE_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * A model version as `createArtifact` makes it: the UTC creation time and 8 hex digits of the
 * artifact's hash, e.g. `20261126T194421Z-9bc2b706`. It sorts by time and is safe in an S3 key.
 */
export const MODEL_VERSION_PATTERN = /^\d{8}T\d{6}Z-[0-9a-f]{8}$/;

/** Human form of {@link MODEL_VERSION_PATTERN}, for error messages. */
export const MODEL_VERSION_FORM = 'YYYYMMDDTHHMMSSZ-<8 hex>';

/**
 * A short stable pseudonym of a device id for logs (never the id itself): 12 hex digits of its
 * sha256, the same in every function's logs so one device's lines can be followed.
 *
 * @example
 * deviceLogRef('dev-1') // '<12 hex digits>'
 */
export function deviceLogRef(deviceId: string): string {
  return createHash('sha256').update(deviceId).digest('hex').slice(0, 12);
}
