/**
 * How a beat window is cut around an R peak. The model artifact stores it, so the detector
 * cuts exactly the windows the model was trained on.
 */
export interface BeatWindowSpec {
  /** Seconds of signal before the R peak. */
  readonly before: number;
  /** Seconds of signal after the R peak. */
  readonly after: number;
  /** Samples the span is resampled to (the autoencoder's T). */
  readonly steps: number;
  /** Per-beat normalization applied after resampling. */
  readonly normalization: BeatNormalization;
}

/** `zscore`: subtract the mean, divide by the std; `minmax`: scale to [0, 1]; `none`: as is (mV). */
export type BeatNormalization = 'zscore' | 'minmax' | 'none';

/**
 * Default window: 0.25 s before to 0.45 s after the R peak (P wave to end of T wave at normal
 * heart rates), resampled to 64 steps, z-scored per beat.
 */
export const DEFAULT_BEAT_WINDOW: BeatWindowSpec = Object.freeze({
  before: 0.25,
  after: 0.45,
  steps: 64,
  normalization: 'zscore',
});
