/**
 * What a model built from an artifact offers its users (the streaming detector, retraining,
 * evaluation): beats cut by a streaming segmenter and a batched scorer. `src/model` builds it
 * (`beat-model.ts`); `src/detect` consumes it through its ports.
 */
import type { BeatScoring } from '../contract';
import type { OtherLeadPeaks, PoorStretchRule, SecondQuality, SignalQualityOptions, StreamHead } from '../ecg';

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
  /**
   * mV per unit of `window` and the mV subtracted before scaling (`window[k] * scale + offset` is
   * the window in mV), so a patient adapter can compare amplitudes; absent when unknown.
   */
  readonly scale?: number;
  readonly offset?: number;
  /** Multi-lead segmenters: the lead (index, 0 = the model's) whose QRS detector found the beat. */
  readonly lead?: number;
  /** Multi-lead segmenters: every lead's window cut at the R peak, and whether that lead was usable there. */
  readonly leads?: readonly SegmentedLeadWindow[];
}

/** One lead's window of a beat of a multi-lead segmenter. */
export interface SegmentedLeadWindow {
  readonly window: Float32Array;
  readonly scale: number;
  readonly offset: number;
  /** The lead's signal quality was acceptable over the window (not flat, saturated or noisy). */
  readonly usable: boolean;
  /** No second of the window was flat or saturated on the lead: it shows a signal, usable or not (absent: unknown, taken as readable). */
  readonly readable?: boolean;
  /** The lead's own QRS detector found the beat there (absent: unknown, taken as confirmed). */
  readonly confirmed?: boolean;
}

/** A second of a multi-lead stream: the lead detection used there, and its quality. */
export interface SegmentedSecond {
  readonly index: number;
  readonly quality: SecondQuality;
  readonly lead: number;
  /** During a pause of the beats: the other leads' own R peaks (`OtherLeadPeaks`), for the asystole rule. */
  readonly others?: readonly OtherLeadPeaks[];
}

/** A streaming segmenter of one device: same beats whatever the chunking, JSON state. */
export interface StreamSegmenter {
  /**
   * Consumes the next chunk of samples (mV) of the model's lead and, for a multi-lead segmenter,
   * of its other leads (`null`: absent from this chunk); returns the beats completed by it.
   */
  push(samples: Float32Array, others?: readonly (Float32Array | null)[]): SegmentedBeat[];
  /** Leads it segments (absent: 1). */
  readonly leadCount?: number;
  /** Multi-lead: the seconds decided since the last call (the lead used, its quality), for the rhythm monitor. */
  takeSeconds?(): SegmentedSecond[];
  /** Multi-lead: the seconds judged on every lead but not decided yet (`StreamHead`), for rules that must not wait for the decision (asystole). */
  head?(): StreamHead;
  /** Plain-JSON state from which {@link SegmenterFactory.restore} rebuilds an equivalent segmenter. */
  toJSON(): unknown;
  /** R peaks detected but not emitted as beats yet (optional: rate rules then wait for the beats). */
  pendingPeaks?(): number[];
}

/** How many leads a segmenter fuses, and the signal-quality thresholds that tell when a lead is unusable. */
export interface SegmenterLeads {
  readonly leads: number;
  readonly sqi?: Omit<SignalQualityOptions, 'fs'>;
  /** When poor seconds make a lead unusable for a stretch (the technical-episode rule). */
  readonly stretch?: PoorStretchRule;
}

/** Makes segmenters for devices (one per device; a gap or a new fs makes a fresh one). */
export interface SegmenterFactory {
  /** A segmenter of one lead, or of several (`leads.leads` > 1) when the factory fuses leads. */
  create(fs: number, leads?: SegmenterLeads): StreamSegmenter;
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
  /**
   * How `scoreBeats` turns reconstruction error into a score (absent: reconstruction only). Lets
   * a patient adapter recover the plain reconstruction error of a beat.
   */
  readonly scoring?: BeatScoring;
  /** The beat window the segmenters cut (absent: the default window of `src/ecg`). */
  readonly window?: { readonly before: number; readonly after: number; readonly steps: number };
  /**
   * The lead the model was trained on, by name (absent: MLII): the lead a multi-lead record is
   * detected and scored on first (docs/ARCHITECTURE.md §3.2).
   */
  readonly lead?: string;
  /** Builds a segmenter that cuts beats exactly as this model was trained on. */
  readonly segmenters: SegmenterFactory;
  /** Scores beats in one batched call: one score per beat, higher = more anomalous. */
  scoreBeats(beats: readonly SegmentedBeat[]): Float32Array;
  /**
   * The model's reconstruction of each beat's window, in the window's own units (the input
   * normalization undone): what the model expected the beat to look like. Optional (a model that
   * cannot reconstruct leaves it out); the detector calls it only for the beats of an alert.
   */
  reconstructBeats?(beats: readonly SegmentedBeat[]): Float32Array[];
}
