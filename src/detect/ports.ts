/**
 * The detector's ports: what `processBatch` needs from the ECG pipeline, the model and the
 * outside world. The core imports no AWS SDK (docs/ARCHITECTURE.md §2); `functions/detect.ts` plugs in the
 * real segmenter, model and the S3/SNS adapters of `src/aws`, tests plug in small fakes.
 */

// The scorer's side of the port (beats, segmenters, the model) is defined by src/model, which
// builds it from an artifact; the detector names it here with the rest of its ports.
export type {
  BeatModel,
  SegmentedBeat,
  SegmentedLeadWindow,
  SegmentedSecond,
  SegmenterFactory,
  SegmenterLeads,
  StreamSegmenter,
} from '../model';

/** A decoded record (samples in mV), as `decodeRecord` of `src/contract` hands it out (wire format v1 or v2). */
export type { DecodedRecord } from '../contract';
import type { DecodedRecord } from '../contract';
import type { AlertExplanation } from './explain';

/** A beat's mark on a device's recent strip: where it is, and what it was taken for. */
export interface BeatMark {
  readonly t: number;
  readonly anomalous: boolean;
  readonly kind?: string;
  readonly rrPrev: number | null;
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

/** The SNS alert body of docs/ARCHITECTURE.md §3.3 for a beat alert, exactly. */
export interface AlertMessage {
  readonly type: 'beatwatch.alert';
  /** `beat`: anomalous beats (always set by the detector; optional for messages older than issue 13). */
  readonly kind?: 'beat';
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
  /**
   * Present (true) when the device had not finished learning its profile: the alert is critical
   * (non-critical ones are held during learning) and was judged by the population model.
   */
  readonly calibrating?: true;
}

/** Rhythms raised as episodes (docs/ARCHITECTURE.md §3.3). */
export type { RhythmLabel, TechnicalReason } from './rhythm-monitor';
import type { RhythmLabel, TechnicalReason } from './rhythm-monitor';

/**
 * The SNS body of a rhythm or technical episode alert (docs/ARCHITECTURE.md §3.3): raised at
 * onset and at offset only. `from` is when the episode began; `to` when the onset was decided
 * (onset) or when the episode ended (offset). Ids are deterministic:
 * `<deviceId>:<rhythm|reason>:<from>` for an onset (`:critical` appended for a VT run reaching the
 * critical length), `...:offset` for its offset. No samples, no snippet.
 */
export interface EpisodeAlertMessage {
  readonly type: 'beatwatch.alert';
  readonly kind: 'rhythm' | 'technical';
  readonly id: string;
  readonly deviceId: string;
  readonly severity: 'warning' | 'critical';
  readonly phase: 'onset' | 'offset';
  /** Set when `kind` is `rhythm`. */
  readonly rhythm?: RhythmLabel;
  /** Set when `kind` is `technical`. */
  readonly reason?: TechnicalReason;
  readonly from: number;
  readonly to: number;
  /** Model in service when raised (null for `signal-lost`, raised without a model). */
  readonly modelVersion: string | null;
}

/** Any message on the alerts topic: a beat alert or an episode alert (tell them apart by `kind`). */
export type AnyAlertMessage = AlertMessage | EpisodeAlertMessage;

/** The S3 `alerts/` object of an alert: the beats behind it (never in the SNS body). */
export interface AlertSnippet {
  readonly alert: AlertMessage;
  /** As in the message: the device was still learning its profile. */
  readonly calibrating?: true;
  readonly beats: readonly {
    t: number;
    score: number;
    anomalous: boolean;
    kind?: string;
    rrPrev: number | null;
    rrNext: number | null;
    window: number[];
    /** The model's own score (reconstruction error + timing term). */
    modelScore?: number;
  }[];
  /**
   * At least 10 s of the device's raw ECG (mV, 3 decimals) up to the alert's last beat, and the
   * marks of the beats scored in it (docs/ARCHITECTURE.md §3.3, "Explanation").
   */
  readonly strip?: { readonly t0: number; readonly fs: number; readonly samples: number[]; readonly beats: readonly BeatMark[] };
  /** Why the alert fired (`src/detect/explain.ts`); absent when the model has no window span. */
  readonly explanation?: AlertExplanation;
}

/** What clinicians' actions set on a device (docs/ARCHITECTURE.md §3.7, §3.9). */
export interface DeviceSettings {
  /** Epoch ms (wall clock) until which its warnings are snoozed. */
  readonly snoozedUntil?: number;
  /** Its threshold on its learned scale (1 = its profile's own), raised by retraining from false-alarm labels. */
  readonly threshold?: number;
}

/** Snoozes (and label thresholds) of devices, as the alert state store keeps them. */
export interface SnoozeSource {
  /** Epoch ms (wall clock) until which each given device is snoozed; devices not snoozed are left out. */
  snoozedUntil(deviceIds: readonly string[]): Promise<ReadonlyMap<string, number>>;
  /** Snoozes and label thresholds in one read; used instead of `snoozedUntil` when present. Devices with neither are left out. */
  deviceSettings?(deviceIds: readonly string[]): Promise<ReadonlyMap<string, DeviceSettings>>;
}

/** Side effects of the detector. Each must be idempotent for the same input (keys derive from ids). */
export interface DetectSinks {
  quarantine(rejection: Rejection): Promise<void>;
  putSnippet(key: string, snippet: AlertSnippet): Promise<void>;
  /** Publishes any alert; beat alerts after their snippet, episode alerts (no snippet) alone. */
  publishAlert(message: AnyAlertMessage): Promise<void>;
  /**
   * Records a beat alert in the alert state store (the console's list), between the snippet and the
   * SNS message so that a beat alert a pager shows is always in the console. Optional; idempotent.
   */
  recordAlert?(message: AlertMessage, snippet: AlertSnippet): Promise<void>;
  /**
   * Records a rhythm or technical episode alert in the alert state store before its SNS message
   * (an onset opens an alert, an offset marks it ended). Optional; idempotent.
   */
  recordEpisode?(message: EpisodeAlertMessage): Promise<void>;
}
