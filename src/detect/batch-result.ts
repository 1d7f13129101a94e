/**
 * What goes into a batch and what comes out of it: the input record, the scored beat observers
 * see, and the batch's result and counts (the detect function turns the counts into metrics).
 */
import type { BeatKind, DevicePhase } from './patient-adaptation';
import type { AlertMessage, EpisodeAlertMessage } from './ports';

/** One input record of a batch (a Kinesis record, already base64-decoded). */
export interface InputRecord {
  /** Record id reported back on failure (the Kinesis sequence number). */
  readonly id: string;
  readonly data: Uint8Array;
  /** Epoch ms the record reached the stream. */
  readonly arrivedAt: number;
}

/** One scored beat, as reported to observers (metrics, the demo's report). */
export interface ScoredBeat {
  readonly deviceId: string;
  readonly t: number;
  /** Relative score: 1 = the device's threshold (the population one while learning), thresholdMultiplier applied. */
  readonly score: number;
  /** The model's own score (reconstruction error and prematurity), before any adaptation. */
  readonly modelScore: number;
  /** Always 1: scores are relative (kept so plots draw the threshold line). */
  readonly threshold: number;
  readonly anomalous: boolean;
  readonly kind: BeatKind;
  /** `learning`: scored by the population model while the device learns its profile. */
  readonly phase: DevicePhase;
  /** The lead the beat was scored on, when not the model's (its second lead: the model's was unusable there). */
  readonly lead?: string;
}

/** What one batch counted (the detect function's metrics). */
export interface BatchCounts {
  records: number;
  rejected: number;
  duplicates: number;
  segmenterRestarts: number;
  beatsScored: number;
  anomalousBeats: number;
  alerts: number;
  failedAlerts: number;
  rolledBackDevices: number;
  /** Beats scored while their device was learning. */
  learningBeats: number;
  /** Non-critical alerts not sent because their device was learning. */
  heldAlerts: number;
  /** Devices whose learning period completed in this batch. */
  profilesLearned: number;
  /** Learned profiles that changed materially and were saved again (template drift, a new normal morphology). */
  profileUpdates: number;
  profileLoads: number;
  profilesFound: number;
  profileSaves: number;
  profileFailures: number;
  /** Devices that restarted their seq counter (resumed, see `STREAM_RULES`). */
  deviceRestarts: number;
  /** Device clock jumps (back, or forward beyond the bound): rebased onto the device's timeline. */
  clockJumps: number;
  /** Records refused as implausible (seq or t0 jump), quarantined with the reason; also in `rejected`. */
  implausibleRecords: number;
  /** Records with samples beyond ±MAX_ABS_MV (clipped, still processed). */
  amplitudeFlagged: number;
  /** Devices evicted from memory by this batch (to make room for new ones). */
  evictions: number;
  /** Devices refused because memory was full of active devices; their records are dropped. */
  refusedDevices: number;
  /** Records of refused devices, dropped (not scored). */
  refusedRecords: number;
  /** Alerts raised again by a retry and not re-sent because they already went out. */
  alreadyPublished: number;
  /**
   * Warnings not sent because their device was snoozed: beat alerts and rhythm or technical
   * episode warnings alike (critical alerts, beat or episode, are never snoozed).
   */
  snoozedAlerts: number;
  /**
   * Beats left out of alerts as artefacts (kind `gated`): their signal was poor (noise, lead-off,
   * clipping; not scored, not learned from) or they were near a record with samples beyond
   * ±MAX_ABS_MV (scored, reported, kept out of alerts).
   */
  gatedBeats: number;
  /** Episode alerts published (rhythm and technical, onsets and offsets; `signal-lost` included). */
  episodeAlerts: number;
  /** Devices' last arrivals persisted (at most one per device per `writeEveryMs`, `src/contract/signal-lost.ts`). */
  presenceWrites: number;
  /** Persisting them failed (tried again at the next batch; the batch itself does not fail for it). */
  presenceFailures: number;
  /**
   * Beats of multi-lead devices whose R peak was found on another lead than the model's (the
   * model's lead was unusable there: lost, flat, noisy), or that were scored on their second
   * lead for that reason: detection went on without the model's lead.
   */
  leadFallbackBeats: number;
  /**
   * Pauses of the lead in use (no QRS for the asystole interval) not raised as asystole because
   * another lead's own QRS detector showed the heart beating through them (`src/detect/asystole-veto.ts`):
   * the lead in use failed to show the beats.
   */
  asystoleVetoes: number;
}

/** What one batch did. */
export interface BatchResult {
  /** Ids of records to report in `batchItemFailures` (the caller retries from the lowest). */
  readonly failedRecordIds: string[];
  /** Beat alerts published by this batch. */
  readonly alerts: AlertMessage[];
  /** Rhythm and technical episode alerts (onsets and offsets) published by this batch. */
  readonly episodes: EpisodeAlertMessage[];
  /** Every beat scored by this batch (of devices whose outcome stands, i.e. not rolled back). */
  readonly beats: ScoredBeat[];
  readonly counts: BatchCounts;
  /** Wall ms of the one batched scoring call. */
  readonly scoringMs: number;
  /** Wall ms spent explaining this batch's alerts (reconstructions included): the added latency per alert. */
  readonly explainMs: number;
}

/**
 * The counts of a batch of `records` records before anything happened: every other count 0.
 *
 * @example
 * const counts = emptyCounts(input.length);
 * counts.duplicates++;
 */
export function emptyCounts(records: number): BatchCounts {
  return {
    records,
    rejected: 0,
    duplicates: 0,
    segmenterRestarts: 0,
    beatsScored: 0,
    anomalousBeats: 0,
    alerts: 0,
    failedAlerts: 0,
    rolledBackDevices: 0,
    learningBeats: 0,
    heldAlerts: 0,
    profilesLearned: 0,
    profileUpdates: 0,
    profileLoads: 0,
    profilesFound: 0,
    profileSaves: 0,
    profileFailures: 0,
    deviceRestarts: 0,
    clockJumps: 0,
    implausibleRecords: 0,
    amplitudeFlagged: 0,
    evictions: 0,
    refusedDevices: 0,
    refusedRecords: 0,
    alreadyPublished: 0,
    snoozedAlerts: 0,
    gatedBeats: 0,
    episodeAlerts: 0,
    presenceWrites: 0,
    presenceFailures: 0,
    leadFallbackBeats: 0,
    asystoleVetoes: 0,
  };
}
