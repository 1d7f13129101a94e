/**
 * The CloudWatch metrics the Lambdas emit (EMF, through Powertools) and the dashboard and alarms
 * of infra/ read: one namespace, one `service` dimension per function, the metric names.
 */

/** EMF namespace of every beatwatch metric. */
export const METRICS_NAMESPACE = 'beatwatch';

/** The `service` dimension of the detect function's metrics. */
export const DETECT_SERVICE_NAME = 'detect';

/** The `service` dimension of the retrain function's metrics. */
export const RETRAIN_SERVICE_NAME = 'retrain';

/** Metric names of the detect function. */
export const DETECT_METRIC = {
  beatsScored: 'BeatsScored',
  anomalousBeats: 'AnomalousBeats',
  alerts: 'Alerts',
  failedAlerts: 'FailedAlerts',
  rejectedRecords: 'RejectedRecords',
  segmenterRestarts: 'SegmenterRestarts',
  duplicateRecords: 'DuplicateRecords',
  scoringLatency: 'ScoringLatency',
  learningBeats: 'LearningBeats',
  heldAlerts: 'HeldAlerts',
  profilesLearned: 'ProfilesLearned',
  profileLoads: 'ProfileLoads',
  profileFailures: 'ProfileFailures',
  /** Devices that restarted their seq counter and were resumed. */
  deviceRestarts: 'DeviceRestarts',
  /** Device clocks that jumped back, or forward beyond the bound (rebased onto the device timeline). */
  clockJumps: 'ClockJumps',
  /** Records quarantined as implausible (a seq or t0 jump one record cannot make). */
  implausibleRecords: 'ImplausibleRecords',
  /** Records with samples beyond the physiological ceiling (clipped, still processed). */
  amplitudeFlaggedRecords: 'AmplitudeFlaggedRecords',
  /** Devices evicted from memory to make room for others (they reload their profile when back). */
  deviceEvictions: 'DeviceEvictions',
  /** Devices refused because memory was full of active devices: their records were not scored. */
  refusedDevices: 'RefusedDevices',
  /** Records of refused devices, not scored. */
  refusedRecords: 'RefusedRecords',
  /** Alerts a retry raised again and did not re-send (they had gone out). */
  alreadyPublishedAlerts: 'AlreadyPublishedAlerts',
  /** Batches not consumed because no usable model was in hand (retried by the mapping). */
  noModelBatches: 'NoModelBatches',
  /**
   * Beats of multi-lead devices found on another lead than the model's (or scored on it), because
   * the model's lead was unusable there: detection survived a lost or noisy lead.
   */
  leadFallbackBeats: 'LeadFallbackBeats',
  /** Pauses of the lead in use not raised as asystole: another lead's QRS detector showed the beats. */
  asystoleVetoes: 'AsystoleVetoes',
} as const;

/** Metric names of the retrain function. */
export const RETRAIN_METRIC = {
  historyRecords: 'HistoryRecords',
  malformedHistoryRecords: 'MalformedHistoryRecords',
  malformedHistoryObjects: 'MalformedHistoryObjects',
  beatsRead: 'BeatsRead',
  beatsUsed: 'BeatsUsed',
  trainingSeconds: 'TrainingSeconds',
  retrainSeconds: 'RetrainSeconds',
  promoted: 'Promoted',
} as const;
