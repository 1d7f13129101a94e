import { QRS_FS_RANGE } from './qrs-options';
import type { EcgRecording } from './read-ecg-file';
import { ecgResample } from './resample';

/**
 * The rate the detector processes a recording at: its own when the QRS detector takes it
 * (100-1000 Hz), else the nearest rate it takes. Beat windows are cut in seconds and resampled to
 * the model's steps whatever the rate, so nothing else in the model depends on it.
 *
 * @example
 * detectableRate(2000); // 1000
 * detectableRate(250); // 250
 */
export function detectableRate(fs: number): number {
  return Math.min(QRS_FS_RANGE[1], Math.max(QRS_FS_RANGE[0], fs));
}

/**
 * A recording at a rate the detector processes ({@link detectableRate}): every lead resampled
 * (`ecgResample`, anti-aliased when downsampling) and annotation samples moved to the new rate,
 * with a warning saying so; the recording itself when its rate is already one.
 *
 * @example
 * const rec = toDetectableRate(readEcgFile('holter-2000hz.edf')); // rec.fs 1000, rec.warnings[...] 'resampled from 2000 Hz to 1000 Hz ...'
 */
export function toDetectableRate(recording: EcgRecording): EcgRecording {
  const from = recording.fs;
  const to = detectableRate(from);
  if (to === from) return recording;
  const a = recording.annotations;
  return {
    ...recording,
    fs: to,
    leads: recording.leads.map((l) => ({ ...l, samples: ecgResample(l.samples, from, to) })),
    ...(a === undefined ? {} : { annotations: { ...a, sample: Int32Array.from(a.sample, (s) => Math.round((s * to) / from)) } }),
    warnings: [
      ...recording.warnings,
      `resampled from ${from} Hz to ${to} Hz: the detector takes ${QRS_FS_RANGE[0]}-${QRS_FS_RANGE[1]} Hz (beat windows are resampled to the model's steps at any rate)`,
    ],
  };
}
