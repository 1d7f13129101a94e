/**
 * Step 2 of a batch: each device's records, in the device's order, through its stream state
 * (duplicates skipped, gaps restart the segmenter, implausible records refused) to cut its beats
 * on the model's lead by name and on a second lead of multi-lead records; each admitted record
 * also goes to the device's rhythm monitor.
 */
import type { BatchCounts } from './batch-result';
import type { DeviceRegistry } from './device-registry';
import { DEFAULT_LEAD_PLAN, type Admitted, type DeviceState, type LeadPlan, type TimedBeat } from './device-state';
import { inDeviceOrder, latestArrival, type DeviceWork } from './device-work';
import type { DeviceProfile } from './patient-adaptation';
import type { Rejection } from './ports';
import { monitorRecord } from './rhythm-feed';
import { poorStretchRule, type RhythmOptions } from './rhythm-monitor';
import { SecondLead } from './second-lead';

/**
 * Beats this close (ms) to a record with clipped samples are artefacts: the R peak's window (up
 * to 1 s around it) saw the clipped samples.
 */
export const ARTIFACT_MARGIN_MS = 1000;

/** What {@link segmentDevices} works with. */
export interface SegmentContext {
  readonly devices: DeviceRegistry;
  readonly plan: LeadPlan;
  /** Profiles loaded for devices new to this environment. */
  readonly loaded: ReadonlyMap<string, DeviceProfile>;
  /** Ids of records whose model lead had samples clipped. */
  readonly clipped: ReadonlySet<string>;
  /** Where refused records go to be quarantined. */
  readonly rejections: Rejection[];
  readonly counts: BatchCounts;
  /** The rhythm monitor's options (null: no monitor). */
  readonly rhythm: RhythmOptions | null;
}

/**
 * The leads a device's segmenter cuts beats on: the model's (by name) and, with two leads, a
 * second; with the rhythm monitor on, its signal-quality index judges each second too.
 *
 * @example
 * const plan = leadPlanOf(model.lead, 2, DEFAULT_RHYTHM_OPTIONS);
 */
export function leadPlanOf(modelLead: string | undefined, leads: 1 | 2, rhythm: RhythmOptions | null): LeadPlan {
  return {
    lead: modelLead ?? DEFAULT_LEAD_PLAN.lead,
    leads,
    ...(rhythm === null ? {} : { sqi: rhythm.sqi, stretch: poorStretchRule(rhythm) }),
  };
}

/**
 * Feeds each device's records to its state and returns the beats of all devices, device after
 * device (each work's `firstScore` says where its beats start). Each device is snapshotted first
 * (for a rollback) and acquired from the registry; a device memory has no room for is dropped
 * from `byDevice`, visibly (`refusedDevices`, `refusedRecords`).
 *
 * @example
 * const allBeats = segmentDevices(byDevice, { devices, plan, loaded, clipped, rejections, counts, rhythm });
 */
export function segmentDevices(byDevice: Map<string, DeviceWork>, context: SegmentContext): TimedBeat[] {
  const { devices, counts } = context;
  const allBeats: TimedBeat[] = [];
  for (const work of [...byDevice.values()]) {
    inDeviceOrder(work.records);
    work.snapshot = devices.snapshot(work.deviceId);
    const acquired = devices.acquire(work.deviceId, latestArrival(work));
    if (acquired === null) {
      // Memory is full of devices active more recently: this one is dropped, visibly
      // (RefusedDevices, DeviceEvictions), rather than restarting every device on every record.
      counts.refusedDevices++;
      counts.refusedRecords += work.records.length;
      byDevice.delete(work.deviceId);
      continue;
    }
    const state = (work.state = acquired);
    const profile = context.loaded.get(work.deviceId);
    if (profile) {
      state.profile = profile;
      state.tracker = null;
      state.second = profile.secondLead ? SecondLead.learned(profile.secondLead.lead) : null;
    }
    admitRecords(work, state, context);
    work.firstScore = allBeats.length;
    allBeats.push(...work.beats);
  }
  return allBeats;
}

/** Admits a device's records in order: its beats and episode events go to `work`, refused records to the rejections. */
function admitRecords(work: DeviceWork, state: DeviceState, context: SegmentContext): void {
  const { counts, rejections } = context;
  for (const { record, item } of work.records) {
    let admitted: Admitted;
    try {
      admitted = state.admit(record, item.arrivedAt, context.plan);
    } catch (err) {
      // Valid on the wire but not for the signal path (e.g. an fs the QRS detector does not
      // support): quarantined like any bad record, never a failed batch that blocks the shard.
      rejections.push({
        recordId: item.id,
        reason: `record cannot be segmented: ${(err as Error).message}`,
        data: item.data,
        arrivedAt: item.arrivedAt,
      });
      continue;
    }
    if (admitted.admission === 'refused') {
      counts.implausibleRecords++;
      rejections.push({
        recordId: item.id,
        reason: `implausible record: ${admitted.reason}`,
        data: item.data,
        arrivedAt: item.arrivedAt,
      });
      continue;
    }
    if (admitted.admission === 'duplicate') counts.duplicates++;
    if (admitted.admission === 'restarted') counts.segmenterRestarts++;
    if (admitted.admission === 'reset') counts.deviceRestarts++;
    if (admitted.clockJump !== undefined) counts.clockJumps++;
    // Beats near a clipped record are artefacts: scored and reported, kept out of alerts.
    if (context.clipped.has(item.id)) {
      const end = state.clock.timelineEnd as number;
      const start = end - (record.samples.length * 1000) / record.fs;
      state.artifact = [start - ARTIFACT_MARGIN_MS, end + ARTIFACT_MARGIN_MS];
    }
    work.beats.push(...admitted.beats);
    if (admitted.admission === 'duplicate') continue;
    const vetoes = state.monitor?.asystoleVetoes ?? 0;
    work.events.push(...monitorRecord(context.rhythm, state, record, admitted));
    counts.asystoleVetoes += (state.monitor?.asystoleVetoes ?? 0) - vetoes;
  }
}
