/**
 * Sampling rates (Hz, inclusive) the QRS detector works at: its filters, windows and defaults
 * are specified in seconds and validated over this range. The one definition of what beatwatch
 * can process: wire format v1 accepts exactly this range (`src/contract/wire-validate.ts`
 * re-exports it as `MIN_FS`/`MAX_FS`), so a record the decoder accepts is never refused by the
 * detector for its rate.
 */
export const QRS_FS_RANGE: readonly [min: number, max: number] = Object.freeze([100, 1000] as const);

/**
 * Parameters of the streaming QRS detector ({@link QrsDetector}). Times are in seconds so one
 * set of values works at every sample rate from 100 to 1000 Hz.
 */
export interface QrsOptions {
  /** Sample rate in Hz (100 to 1000). */
  readonly fs: number;
  /** Band-pass of the detection path in Hz: where QRS energy dominates P/T waves and drift. */
  readonly detectionBand: readonly [number, number];
  /** Moving-window integration width, about one QRS duration. */
  readonly integrationWindow: number;
  /**
   * Refractory period: two beats are never closer than this. Also the half-width of the window in
   * which an integrated-signal peak must be the maximum, hence the detector's minimum latency.
   */
  readonly refractory: number;
  /** Initial learning period: thresholds are estimated from it, then its peaks are classified. */
  readonly learningPeriod: number;
  /** Threshold = noise level + this fraction of (signal level - noise level). */
  readonly thresholdFraction: number;
  /** Search back for a missed beat once this many mean RR intervals passed without one. */
  readonly searchBackFactor: number;
  /** In search-back, a peak above this fraction of the threshold is taken as a beat. */
  readonly searchBackThresholdRatio: number;
  /** A peak this soon after a beat is a T wave if its slope is below `tWaveSlopeRatio` of the beat's. */
  readonly tWaveWindow: number;
  /** See `tWaveWindow`. */
  readonly tWaveSlopeRatio: number;
  /** RR intervals averaged for the search-back interval. */
  readonly rrHistory: number;
  /** Bounds of the mean RR interval used for search-back (s): keeps it sane after pauses or bursts. */
  readonly rrBounds: readonly [number, number];
  /**
   * With no beat for this long (s), the levels are lowered towards the peaks seen meanwhile
   * (halved at most, each time): recovers from levels set by an artifact or a drop of amplitude.
   * Must be longer than the longest search-back interval (`searchBackFactor * rrBounds[1]`).
   */
  readonly relearnAfter: number;
  /** Half-width of the window (s) around the integrated-signal's QRS span in which the R peak is located. */
  readonly locateMargin: number;
}

/** Defaults (Pan-Tompkins/Hamilton-class values, in seconds). */
export const DEFAULT_QRS_OPTIONS: Readonly<Omit<QrsOptions, 'fs'>> = Object.freeze({
  detectionBand: [5, 15] as const,
  integrationWindow: 0.15,
  refractory: 0.2,
  learningPeriod: 2,
  thresholdFraction: 0.25,
  searchBackFactor: 1.66,
  searchBackThresholdRatio: 0.5,
  tWaveWindow: 0.36,
  tWaveSlopeRatio: 0.5,
  rrHistory: 8,
  rrBounds: [0.25, 2] as const,
  relearnAfter: 3.5,
  locateMargin: 0.05,
});

/** Fills defaults and validates, naming the offending option. */
export function resolveQrsOptions(options: { fs: number } & Partial<QrsOptions>): QrsOptions {
  const o: QrsOptions = { ...DEFAULT_QRS_OPTIONS, ...options };
  if (!(Number.isFinite(o.fs) && o.fs >= QRS_FS_RANGE[0] && o.fs <= QRS_FS_RANGE[1]))
    throw new RangeError(`QrsDetector: fs must be in [${QRS_FS_RANGE[0]}, ${QRS_FS_RANGE[1]}] Hz, got ${o.fs}`);
  const positive: (keyof QrsOptions)[] = [
    'integrationWindow',
    'refractory',
    'thresholdFraction',
    'searchBackFactor',
    'searchBackThresholdRatio',
    'tWaveSlopeRatio',
    'rrHistory',
  ];
  for (const key of positive) {
    const v = o[key] as number;
    if (!(Number.isFinite(v) && v > 0)) throw new RangeError(`QrsDetector: ${key} must be a positive number, got ${v}`);
  }
  for (const key of ['learningPeriod', 'tWaveWindow', 'locateMargin'] as const) {
    if (!(Number.isFinite(o[key]) && o[key] >= 0)) throw new RangeError(`QrsDetector: ${key} must be >= 0, got ${o[key]}`);
  }
  const [lo, hi] = o.detectionBand;
  if (!(lo > 0 && hi > lo)) throw new RangeError(`QrsDetector: detectionBand must be [low, high] with 0 < low < high, got [${lo}, ${hi}]`);
  if (!(o.rrBounds[0] > 0 && o.rrBounds[1] > o.rrBounds[0]))
    throw new RangeError('QrsDetector: rrBounds must be [min, max] with 0 < min < max');
  if (!(o.relearnAfter > o.searchBackFactor * o.rrBounds[1]))
    throw new RangeError(
      `QrsDetector: relearnAfter must exceed searchBackFactor * rrBounds[1] = ${o.searchBackFactor * o.rrBounds[1]} s, got ${o.relearnAfter}`,
    );
  if (!Number.isInteger(o.rrHistory)) throw new RangeError(`QrsDetector: rrHistory must be an integer, got ${o.rrHistory}`);
  return o;
}
