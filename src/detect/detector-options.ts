/**
 * The options of a `Detector` (`process-batch.ts`): alert policy, thresholds, adaptation, learning period,
 * stores, rhythm rules, signal-lost timing and leads. Every field has a documented default.
 */
import type { AlertPolicyOptions } from './alert-policy';
import type { DeviceRegistryOptions } from './device-registry';
import type { PatientAdapter, ProfileStore } from './patient-adaptation';
import type { SnoozeSource } from './ports';
import type { MonitoredBeat, RhythmOptions } from './rhythm-monitor';
import type { PresenceStore } from './signal-lost';

/** Options of a `Detector`; every field has a documented default. */
export interface DetectorOptions extends DeviceRegistryOptions {
  /** Alert policy (default `DEFAULT_ALERT_POLICY`). */
  readonly policy?: AlertPolicyOptions;
  /** Replaces the artifact's global threshold (default: the artifact's). Per-device thresholds still win. */
  readonly globalThreshold?: number;
  /**
   * Multiplies every threshold, population and learned (default 1): one knob for sensitivity.
   * A beat's relative score is divided by it, so 1.2 flags only beats 20 % further out.
   */
  readonly thresholdMultiplier?: number;
  /** Patient adaptation (default `patientProfileAdapter()`; `thresholdCalibrationAdapter()`, `OFF_ADAPTER` for ablation). */
  readonly adaptation?: PatientAdapter;
  /** Learning period of a device, seconds of signal after first sight or a model change (default 300, EC57). */
  readonly learningSeconds?: number;
  /**
   * Where learned profiles persist (S3 `devices/` in the Lambda). Loaded once per device when
   * it is first seen in this environment, saved when its learning period completes. Default:
   * none (profiles live in memory only, and a device relearns after a cold start).
   */
  readonly profiles?: ProfileStore;
  /**
   * Snoozed devices (the alert state store in the Lambda). Read once per batch for its devices;
   * a snoozed device's warnings are not sent (counted in `snoozedAlerts`), its critical alerts
   * always are. A failed read snoozes nothing: better an alert too many than one silenced.
   */
  readonly snoozes?: SnoozeSource;
  /** Wall clock for snoozes (default `Date.now`). */
  readonly now?: () => number;
  /**
   * Signal quality, technical alerts and rhythm episodes (docs/ARCHITECTURE.md §3.3): thresholds
   * over `DEFAULT_RHYTHM_OPTIONS`, or `false` for none (beats are then never gated).
   */
  readonly rhythm?: Partial<RhythmOptions> | false;
  /**
   * Deadline from a device's last record to its `signal-lost` alert, seconds (default 60;
   * `src/contract/signal-lost.ts`). With {@link DetectorOptions.signalLostCheckSeconds} it sets
   * the silence after which a device is declared lost (default 50 s).
   */
  readonly signalLostSeconds?: number;
  /** Seconds between two signal-lost sweeps (default 10): the sweep and the detector must agree. */
  readonly signalLostCheckSeconds?: number;
  /**
   * Where devices' last arrivals and open `signal-lost` episodes persist, shared with the sweep
   * (the alert state table in the Lambda). Default: memory, this detector's view only.
   */
  readonly presence?: PresenceStore;
  /**
   * Leads detected on per device (docs/ARCHITECTURE.md §3.2): 2 (default) detects beats on a
   * second lead of multi-lead (v2) records where the model's lead is unusable (lost, flat,
   * noisy), so detection survives its loss; 1 the model's lead only.
   */
  readonly leads?: 1 | 2;
  /**
   * With two leads, also learn each device's second lead and score a beat on it where the
   * model's lead is unusable or its verdict gates the beat as noise (default true; false: such
   * beats are gated). Chosen on MIT-BIH DS1 leave-one-record-out by the acceptance criteria (all
   * 22 folds; README, "Detection figures"): V AUC 0.968 to 0.979 and VEB Se 89.7 % to 90.4 %, for
   * +P 93.4 % to 92.6 % and one more false alert (record 108, on V1 where MLII is noisy).
   */
  readonly secondLeadScoring?: boolean;
  /**
   * Sees every beat as the rhythm rules are given it (evaluation only: choosing the rules'
   * constants replays them over exactly these beats, `src/evaluate/rhythm-replay.ts`).
   */
  readonly rhythmTap?: (deviceId: string, beat: MonitoredBeat) => void;
}
