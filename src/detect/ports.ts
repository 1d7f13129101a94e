/**
 * The detector's ports: what `processBatch` needs from the ECG pipeline, the model and the
 * outside world. The core imports no AWS SDK (DESIGN.md §2); `functions/detect.ts` plugs in the
 * real segmenter, model and the S3/SNS adapters of `src/aws`, tests plug in small fakes.
 */

/** One beat cut by a device's segmenter. */
export interface SegmentedBeat {
  /** Sample index of the R peak, counted from the segmenter's first sample. */
  readonly rIndex: number;
  /** The beat window as the model expects it (resampled, normalized). */
  readonly window: Float32Array;
  /** Seconds from the previous R peak (null for the first beat after a (re)start). */
  readonly rrPrev: number | null;
  /** Seconds to the next R peak (null if none followed: a pause). */
  readonly rrNext: number | null;
  /** Mean of the RR intervals before `rrPrev` in seconds (null until known). */
  readonly rrLocalMean?: number | null;
}

/** A streaming segmenter of one device: same beats whatever the chunking, JSON state. */
export interface StreamSegmenter {
  /** Consumes the next chunk of samples (mV); returns the beats completed by it. */
  push(samples: Float32Array): SegmentedBeat[];
  /** Plain-JSON state from which {@link SegmenterFactory.restore} rebuilds an equivalent segmenter. */
  toJSON(): unknown;
}

/** Makes segmenters for devices (one per device; a gap or a new fs makes a fresh one). */
export interface SegmenterFactory {
  create(fs: number): StreamSegmenter;
  restore(state: unknown): StreamSegmenter;
}

/** The model in hand, as the detector uses it. */
export interface BeatModel {
  /** The artifact's version, copied into every alert (`modelVersion`). */
  readonly version: string;
  /** Global threshold of the artifact. */
  readonly threshold: number;
  /** Per-device thresholds fitted at retrain time (override the global one). */
  readonly deviceThresholds: Readonly<Record<string, number>>;
  /** Builds a segmenter that cuts beats exactly as this model was trained on. */
  readonly segmenters: SegmenterFactory;
  /** Scores beats in one batched call: one score per beat, higher = more anomalous. */
  scoreBeats(beats: readonly SegmentedBeat[]): Float32Array;
}

/** A decoded wire record (samples in mV), as `decodeWireRecord` of `src/aws` hands it out. */
export interface DecodedRecord {
  readonly deviceId: string;
  readonly seq: number;
  readonly t0: number;
  readonly fs: number;
  readonly samples: Float32Array;
}

/** Decoder port: a record or a precise rejection; never throws. */
export type RecordDecoder = (data: Uint8Array) => { ok: true; record: DecodedRecord } | { ok: false; reason: string; field?: string };

/** A record rejected by the decoder, as quarantined to S3 `rejected/`. */
export interface Rejection {
  /** Id of the input record (the Kinesis sequence number). */
  readonly recordId: string;
  readonly reason: string;
  readonly field?: string;
  /** The raw payload, kept for forensics in the quarantine bucket only (never logged). */
  readonly data: Uint8Array;
  /** Epoch ms the record arrived (Kinesis approximate arrival), used for the key's date. */
  readonly arrivedAt: number;
}

/** The SNS alert body of DESIGN.md §3.3, exactly. */
export interface AlertMessage {
  readonly type: 'beatwatch.alert';
  readonly id: string;
  readonly deviceId: string;
  readonly severity: 'warning' | 'critical';
  readonly from: number;
  readonly to: number;
  readonly anomalousBeats: number;
  readonly windowBeats: number;
  readonly maxScore: number;
  readonly threshold: number;
  readonly modelVersion: string;
  readonly snippetKey: string;
}

/** The S3 `alerts/` object of an alert: the beats behind it (never in the SNS body). */
export interface AlertSnippet {
  readonly alert: AlertMessage;
  readonly beats: readonly {
    t: number;
    score: number;
    anomalous: boolean;
    rrPrev: number | null;
    rrNext: number | null;
    window: number[];
  }[];
}

/** Side effects of the detector. Each must be idempotent for the same input (keys derive from ids). */
export interface DetectSinks {
  quarantine(rejection: Rejection): Promise<void>;
  putSnippet(key: string, snippet: AlertSnippet): Promise<void>;
  publishAlert(message: AlertMessage): Promise<void>;
}
