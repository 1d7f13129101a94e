import { ecgSimulate } from '../src/ecg';
import { pseudonymousDeviceId, type SimulatedDevice } from '../src/local/device-simulator';

/** Sampling rate of the simulated fleet (MIT-BIH's). */
export const LOAD_FS = 360;

/**
 * A fleet of `count` synthetic devices of `seconds` each: heart rates spread over 50-110 bpm, one
 * PVC in every fifth device, each its own seed, so no two devices send the same signal.
 *
 * @example
 * const fleet = loadFleet(2000, 20, 'load');
 */
export function loadFleet(count: number, seconds: number, label: string): SimulatedDevice[] {
  return Array.from({ length: count }, (_, i) => ({
    deviceId: pseudonymousDeviceId(`${label}-${i}`),
    signal: ecgSimulate({
      fs: LOAD_FS,
      seconds,
      seed: i + 1,
      heartRate: 50 + ((i * 37) % 61),
      anomalies: i % 5 === 0 ? [{ kind: 'pvc', at: seconds / 2 }] : [],
    }).signal,
    fs: LOAD_FS,
  }));
}
