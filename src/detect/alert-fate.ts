/**
 * What becomes of a beat alert the policy raised: a warning from a device still learning is
 * held (it was judged by the population model, which is what adaptation is for), a warning from
 * a snoozed device is silenced, anything else goes out. Critical alerts are never held nor
 * snoozed: better an alert too many than one silenced.
 */
import type { AlertSeverity } from './alert-policy';
import type { DevicePhase } from './patient-adaptation';

/** `held` (learning), `snoozed` (by a clinician) or `raised` (to publish). */
export type AlertFate = 'held' | 'snoozed' | 'raised';

/**
 * The fate of an alert of `severity` from a device in `phase`, snoozed until `snoozedUntil`
 * (epoch ms, 0: not snoozed) at wall-clock `now`.
 *
 * @example
 * alertFate('warning', 'learning', 0, Date.now()); // 'held'
 * alertFate('critical', 'learning', Infinity, Date.now()); // 'raised'
 */
export function alertFate(severity: AlertSeverity, phase: DevicePhase, snoozedUntil: number, now: number): AlertFate {
  if (severity === 'critical') return 'raised';
  if (phase === 'learning') return 'held';
  return snoozedUntil > now ? 'snoozed' : 'raised';
}
