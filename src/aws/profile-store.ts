import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { deviceProfileKey } from '../contract';
import { parseDeviceProfile, type DeviceProfile, type ProfileStore } from '../detect';
import { isNotFound } from './s3-errors';

/** A {@link ProfileStore} over S3 with its request counts. */
export interface S3ProfileStore extends ProfileStore {
  /** GETs issued (one per device first seen by this environment). */
  readonly loads: number;
  /** PUTs issued (one per completed learning period). */
  readonly saves: number;
}

/**
 * Device profiles in S3 under `devices/<deviceId>/profile.json`. A missing object is "no profile
 * yet" (null); so is an object that is not a valid profile (reported to `onInvalid`, then
 * relearned and overwritten), so a corrupt object never blocks a device. Any other failure throws,
 * and the detector fails that device's records for a retry.
 *
 * Cost: one GET per device per cold start (or eviction) of a detect environment, one PUT per
 * completed learning period (first sight, then once per model version).
 *
 * @example
 * const profiles = createS3ProfileStore(aws.s3, bucket);
 * const detector = new Detector(sinks, decodeRecord, { profiles });
 */
export function createS3ProfileStore(s3: S3Client, bucket: string, onInvalid?: (deviceId: string, reason: string) => void): S3ProfileStore {
  let loads = 0;
  let saves = 0;
  return {
    get loads() {
      return loads;
    },
    get saves() {
      return saves;
    },
    async load(deviceId) {
      loads++;
      let text: string;
      try {
        const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: deviceProfileKey(deviceId) }));
        text = (await out.Body?.transformToString('utf-8')) ?? '';
      } catch (err) {
        if (isNotFound(err)) return null;
        throw err;
      }
      let parsed: ReturnType<typeof parseDeviceProfile>;
      try {
        parsed = parseDeviceProfile(JSON.parse(text));
      } catch {
        parsed = { ok: false, reason: 'profile is not JSON' };
      }
      if (!parsed.ok) {
        onInvalid?.(deviceId, parsed.reason);
        return null;
      }
      return parsed.profile;
    },
    async save(deviceId, profile: DeviceProfile) {
      saves++;
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: deviceProfileKey(deviceId),
          Body: JSON.stringify(profile),
          ContentType: 'application/json',
        }),
      );
    },
  };
}
