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
