/**
 * After a batch's beats: a learned profile that moved materially (and was not saved too
 * recently) is updated, to be saved again, so a cold start resumes from today's templates rather
 * than the learning period's. The second lead's profile moves the same way.
 */
import type { DeviceState } from './device-state';
import type { DeviceWork } from './device-work';
import type { DeviceProfile } from './patient-adaptation';

/**
 * Asks the device's trackers (model lead, second lead) whether its profile moved by the time of
 * its last beat of the batch; a moved profile becomes the device's profile and `work.updated`.
 * Nothing when the profile was learned in this batch (it is saved anyway) or the device had no beats.
 *
 * @example
 * trackProfileDrift(work, state);
 * if (work.updated !== null) await profiles.save(work.deviceId, work.updated);
 */
export function trackProfileDrift(work: DeviceWork, state: DeviceState): void {
  if (state.tracker !== null && state.profile !== null && work.learned === null && work.beats.length > 0) {
    const t = work.beats[work.beats.length - 1].t;
    const features = state.tracker.update(t);
    if (features !== null) work.updated = state.profile = { ...state.profile, features, updatedAt: t };
  }
  const secondLearned = state.profile?.secondLead;
  if (state.second !== null && secondLearned !== undefined && work.learned === null && work.beats.length > 0) {
    const t = work.beats[work.beats.length - 1].t;
    const features = state.second.update(t);
    if (features !== null)
      work.updated = state.profile = { ...(state.profile as DeviceProfile), secondLead: { ...secondLearned, features }, updatedAt: t };
  }
}
