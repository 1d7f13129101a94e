import {
  BeatSegmenter,
  type Beat,
  type BeatWindowSpec,
  aamiClass,
  type AamiClass,
  EC57_MATCH_WINDOW_SECONDS,
  type MitdbRecord,
  streamBeats,
} from '../ecg';

/** Beats of a record as the detector cuts them, each with the reference class it matches. */
export interface LabelledBeats {
  readonly beats: Beat[];
  /** AAMI class of the reference beat matched within 150 ms, or null (a false detection or an unclassed beat). */
  readonly classes: (AamiClass | null)[];
  /** Seconds from the start of the record of each beat's R peak. */
  readonly times: Float64Array;
}

/** Default chunk the records are streamed in: the 1 s wire records of the device simulator. */
export const DEFAULT_CHUNK_SECONDS = 1;

/**
 * Streams a record's first channel through a {@link BeatSegmenter} with `spec`, exactly as the
 * detector does (1 s chunks), and labels each detected beat with the AAMI class of the nearest
 * reference beat within EC57's 150 ms. Used to pick normal beats for training and to score
 * beats by class in evaluation: the model sees the beats production sees, detection errors included.
 *
 * @example
 * const { beats, classes } = labelledBeats(loadMitdbRecord('data/mitdb', '119'), DEFAULT_BEAT_WINDOW);
 */
export function labelledBeats(record: MitdbRecord, spec: BeatWindowSpec, chunkSeconds = DEFAULT_CHUNK_SECONDS): LabelledBeats {
  return labelBeats(record, streamBeats(record.signal, record.fs, chunkSeconds, new BeatSegmenter({ fs: record.fs, window: spec })));
}

/** Labels beats already cut from `record` (see {@link labelledBeats}). */
export function labelBeats(record: MitdbRecord, beats: Beat[]): LabelledBeats {
  const tolerance = Math.round(EC57_MATCH_WINDOW_SECONDS * record.fs);
  const ref = record.beatSamples;
  const classes: (AamiClass | null)[] = new Array(beats.length).fill(null);
  const times = new Float64Array(beats.length);
  let j = 0;
  for (let i = 0; i < beats.length; i++) {
    const r = beats[i].rIndex;
    times[i] = r / record.fs;
    while (j < ref.length && ref[j] < r - tolerance) j++;
    // Nearest reference beat in [r - tol, r + tol]: j or j + 1.
    let best = -1;
    for (let k = j; k < ref.length && ref[k] <= r + tolerance; k++) {
      if (best < 0 || Math.abs(ref[k] - r) < Math.abs(ref[best] - r)) best = k;
    }
    if (best >= 0) classes[i] = aamiClass(record.beatSymbols[best]) ?? null;
  }
  return { beats, classes, times };
}
