/**
 * `src/ecg`: reading ECG recordings ({@link readEcgFile}: WFDB, EDF/BDF, CSV), streaming
 * filters, QRS detection, beat windows and synthetic ECG. Pipeline: samples (mV) →
 * {@link BeatSegmenter} (which runs a {@link QrsDetector} and cuts a window per beat), or
 * {@link MultiLeadSegmenter} for several leads of one device → beats for the model.
 */
export { ANNOTATION_SYMBOLS, aamiClass, isBeatSymbol, type AamiClass } from './beat-symbols';
export { EcgFormatError } from './ecg-format-error';
export { WfdbFormatError } from './wfdb-error';
export { parseWfdbHeader, readWfdbHeader, SUPPORTED_WFDB_FORMATS, type WfdbHeader, type WfdbSignalSpec } from './wfdb-header';
export { readWfdbRecord, type ReadWfdbRecordOptions, type WfdbRecord, type WfdbSignal } from './wfdb-record';
export { parseWfdbAnnotations, readWfdbAnnotations, type WfdbAnnotations } from './wfdb-annotations';
export { listMitdbRecords, loadMitdbRecord, type MitdbRecord } from './mitdb';
export { millivoltsPerUnit } from './ecg-units';
export { EdfFormatError, parseEdf, readEdf, type EdfAnnotation, type EdfRecord, type EdfSignal } from './read-edf';
export { CsvFormatError, parseEcgCsv, readEcgCsv, type CsvLead, type CsvUnit, type EcgCsv, type ReadEcgCsvOptions } from './read-csv';
export { readUcr, type UcrDataset } from './read-ucr';
export {
  chooseLead,
  isLeadNamed,
  listEcgFiles,
  MODEL_LEAD,
  readEcgFile,
  type EcgAnnotations,
  type EcgFileFormat,
  type EcgLead,
  type EcgRecording,
  type ReadEcgFileOptions,
} from './read-ecg-file';
export { BiquadCascade, butterworthBandpass, type BiquadCascadeState } from './biquad';
export { createEcgCleaner, DEFAULT_CLEAN_BAND, ecgClean, ecgCleanDelay, type EcgCleanOptions } from './ecg-clean';
export { ecgResample } from './resample';
export { detectableRate, toDetectableRate } from './resample-recording';
export { DEFAULT_QRS_OPTIONS, QRS_FS_RANGE, resolveQrsOptions, type QrsOptions } from './qrs-options';
export { ecgPeaks, QrsDetector, type QrsDetectorState } from './qrs-detector';
export { DEFAULT_BEAT_WINDOW, type BeatNormalization, type BeatWindowSpec } from './beat-window-spec';
export { ecgBeatWindow, normalizeBeat, validateBeatWindowSpec } from './beat-window';
export {
  BeatSegmenter,
  DEFAULT_SEGMENTER_OPTIONS,
  ecgSegment,
  type Beat,
  type BeatSegmenterOptions,
  type BeatSegmenterState,
} from './beat-segmenter';
export {
  MAX_SEGMENTER_LEADS,
  MultiLeadSegmenter,
  type FusedSecond,
  type HeadReport,
  type HeadSecond,
  type StreamHead,
  type OtherLeadPeaks,
  type LeadWindow,
  type MultiLeadBeat,
  type MultiLeadSegmenterOptions,
  type MultiLeadSegmenterState,
} from './multi-lead-segmenter';
export {
  EC57_LEARNING_SECONDS,
  EC57_MATCH_WINDOW_SECONDS,
  matchBeats,
  positivePredictivity,
  sensitivity,
  type BeatMatch,
} from './match-beats';
export { scoreQrs, streamBeats, streamLeadBeats, totalQrs, type QrsScore } from './qrs-evaluation';
// Signal quality per second, and the beat shape and RR measures the rhythm rules of src/detect build on.
export {
  DEFAULT_POOR_STRETCH,
  isPoorQuality,
  poorStretchOnset,
  SECOND_QUALITY_CODE,
  secondQualityOf,
  SignalQualityIndex,
  type PoorStretchRule,
  type SecondQuality,
  type SignalQualityOptions,
  type SignalQualityState,
} from './signal-quality';
export { correlation, P_WAVE_SPAN, QRS_SPAN, windowPart, type WindowSpan } from './beat-shape';
export { QrsTemplates, type QrsTemplatesState } from './qrs-templates';
export { rrIrregularity } from './rr-irregularity';
export { ecgSimulate, type EcgSimulateOptions, type SimulatedAnomaly, type SimulatedBeatLabel, type SimulatedEcg } from './ecg-simulate';
