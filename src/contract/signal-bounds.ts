/**
 * Physiological bounds of the signal, after unit conversion (samples in mV). A surface ECG
 * rarely exceeds 5 mV peak to peak and a front end saturates well below 20 mV; anything beyond
 * is an artifact (a lead off, a wrong gain, a bug, a forged record), and such values would set
 * the QRS detector's levels so high that it misses real beats for a long time afterwards.
 */

/** Largest |sample| in mV beatwatch feeds to the detector; beyond it samples are clipped. */
export const MAX_ABS_MV = 20;

/**
 * Clips `samples` (mV) in place to [-{@link MAX_ABS_MV}, {@link MAX_ABS_MV}] and returns how
 * many were beyond: a record with any such sample is flagged (counted as
 * `AmplitudeFlaggedRecords`) but still processed, so the beats around the artifact survive.
 *
 * @example
 * const clipped = clipAmplitude(record.samples);
 * if (clipped > 0) counts.amplitudeFlagged++;
 */
export function clipAmplitude(samples: Float32Array, limit = MAX_ABS_MV): number {
  let clipped = 0;
  for (let i = 0; i < samples.length; i++) {
    const x = samples[i];
    if (x > limit) {
      samples[i] = limit;
      clipped++;
    } else if (x < -limit) {
      samples[i] = -limit;
      clipped++;
    }
  }
  return clipped;
}
