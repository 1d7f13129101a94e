import { createHmac } from 'node:crypto';
import type { WireSignal } from '../contract';
export { recordBounds, recordCount, cutWireRecord } from '../contract';

/** A device to simulate: a signal in mV at `fs` Hz, sent under a pseudonymous id (see {@link pseudonymousDeviceId}). */
export type SimulatedDevice = WireSignal;

/** Salt of {@link pseudonymousDeviceId} when none is given: fine for demos, not for real patients. */
export const DEFAULT_DEVICE_ID_SALT = 'beatwatch-local';

/**
 * A stable pseudonymous device id for a source label (a record name, a serial number): `dev-`
 * and 16 hex digits of HMAC-SHA256(salt, label). The label cannot be read back from the id,
 * and the same label and salt always give the same id.
 *
 * @example
 * pseudonymousDeviceId('mitdb/208') // 'dev-…' (16 hex digits)
 */
export function pseudonymousDeviceId(label: string, salt = DEFAULT_DEVICE_ID_SALT): string {
  return `dev-${createHmac('sha256', salt).update(label, 'utf8').digest('hex').slice(0, 16)}`;
}
