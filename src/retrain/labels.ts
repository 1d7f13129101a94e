/**
 * Clinicians' labels as training data (docs/ARCHITECTURE.md §3.9). A beat alert labelled a
 * **false alarm** says its flagged beats were that device's normal: they join the device's
 * normal beats (the challenger trains on them, its threshold is fitted over them) and the
 * device's threshold rises just above the highest of them. A beat alert labelled **true** says
 * its flagged beats were anomalies: they never enter normal training (their copies in history
 * are left out of the sample) and are the known positives the challenger must still find, and
 * the device's threshold never rises to them. Pure: the labels come through the job's
 * `LabelSource` port, what they change goes out through its `DeviceLabelStore` (`ports.ts`).
 */
import { applyInputNormalization, type ModelNormalization, LABEL_MARGIN, MAX_LABEL_THRESHOLD } from '../contract';
import type { LabelledAlert } from './ports';
import type { DeviceBeats, HistoryDataset } from './dataset';
import type { WindowSet } from './split';

/** What the labels of one device are and do, before anything is stored. */
export interface DeviceLabelPlan {
  readonly deviceId: string;
  readonly falseAlarms: number;
  readonly falseAlarmBeats: number;
  readonly truePositives: number;
  readonly truePositiveBeats: number;
  /** The threshold the labels call for on the device's learned scale, in [1, {@link MAX_LABEL_THRESHOLD}]. */
  readonly threshold: number;
  /** The highest false-alarm beat and the lowest true one, on the learned scale (null: none; calibrating alerts are left out). */
  readonly highestFalseAlarm: number | null;
  readonly lowestTruePositive: number | null;
  /** Some false-alarm beat stays at or above the threshold (the cap, or a known positive below it). */
  readonly capped: boolean;
}

/**
 * The threshold each labelled device should have: just above ({@link LABEL_MARGIN}) its highest
 * false-alarm beat, never above {@link MAX_LABEL_THRESHOLD} and never up to its lowest known
 * positive (a true alarm must still fire), never below 1 (labels do not make a device more
 * sensitive than its learned profile). Computed from all labels each run, so relabelling an
 * alert moves it back. Beats of alerts raised while the device was learning are on another scale
 * and count only as training data. Devices in ascending id order.
 *
 * @example
 * planDeviceLabels([{ id: 'd:1', deviceId: 'd', value: false, calibrating: false, beats: [{ t: 1, score: 1.3, window: [], rrPrev: null, rrNext: null }] }])
 * // [{ deviceId: 'd', threshold: 1.365, falseAlarms: 1, ... }]
 */
export function planDeviceLabels(alerts: readonly LabelledAlert[]): DeviceLabelPlan[] {
  const byDevice = new Map<string, LabelledAlert[]>();
  for (const a of alerts) byDevice.set(a.deviceId, [...(byDevice.get(a.deviceId) ?? []), a]);
  const plans: DeviceLabelPlan[] = [];
  for (const [deviceId, list] of [...byDevice].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const scored = (value: boolean) => list.filter((a) => a.value === value && !a.calibrating).flatMap((a) => a.beats.map((b) => b.score));
    const fa = scored(false);
    const tp = scored(true);
    const highestFalseAlarm = fa.length > 0 ? Math.max(...fa) : null;
    const lowestTruePositive = tp.length > 0 ? Math.min(...tp) : null;
    const wanted = highestFalseAlarm === null ? 1 : highestFalseAlarm * (1 + LABEL_MARGIN);
    const limit = Math.min(MAX_LABEL_THRESHOLD, lowestTruePositive === null ? Infinity : lowestTruePositive / (1 + LABEL_MARGIN));
    const threshold = round4(Math.max(1, Math.min(wanted, limit)));
    plans.push({
      deviceId,
      falseAlarms: list.filter((a) => !a.value).length,
      falseAlarmBeats: list.filter((a) => !a.value).reduce((n, a) => n + a.beats.length, 0),
      truePositives: list.filter((a) => a.value).length,
      truePositiveBeats: list.filter((a) => a.value).reduce((n, a) => n + a.beats.length, 0),
      threshold,
      highestFalseAlarm: highestFalseAlarm === null ? null : round4(highestFalseAlarm),
      lowestTruePositive: lowestTruePositive === null ? null : round4(lowestTruePositive),
      capped: highestFalseAlarm !== null && threshold <= highestFalseAlarm,
    });
  }
  return plans;
}

/** Labelled beats in the model's input space, ready to join the dataset. */
export interface LabelledBeats {
  /** False-alarm beats, per device: normal beats of that device. */
  readonly normal: ReadonlyMap<string, WindowSet>;
  /** True-alarm beats of every device: known positives, never trained on. */
  readonly positives: WindowSet;
  /** Per device, the times (epoch ms) of every labelled beat: their copies in history are left out of the sample. */
  readonly times: ReadonlyMap<string, readonly number[]>;
  /** Labelled beats whose window does not fit the champion (another window length): not used. */
  readonly unfit: number;
}

/**
 * The labelled beats as windows for the champion (input normalization applied, as the history
 * beats get it) with their RR context, and their times for leaving history's copies out.
 *
 * @example
 * const labelled = labelledBeats(alerts, champion);
 * labelled.positives.count // known positives to compare the models on
 */
export function labelledBeats(
  alerts: readonly LabelledAlert[],
  champion: {
    readonly artifact: { readonly normalization: ModelNormalization };
    readonly model: { readonly config: { readonly steps: number } };
  },
): LabelledBeats {
  const steps = champion.model.config.steps;
  const rows = new Map<string, { windows: number[][]; rr: number[] }>();
  const positives = { windows: [] as number[][], rr: [] as number[] };
  const times = new Map<string, number[]>();
  let unfit = 0;
  for (const a of alerts)
    for (const b of a.beats) {
      times.set(a.deviceId, [...(times.get(a.deviceId) ?? []), b.t]);
      if (b.window.length !== steps) {
        unfit++;
        continue;
      }
      const into = a.value ? positives : (rows.get(a.deviceId) ?? rows.set(a.deviceId, { windows: [], rr: [] }).get(a.deviceId)!);
      into.windows.push([...b.window]);
      into.rr.push(b.rrPrev ?? NaN, b.rrNext ?? NaN);
    }
  const pack = (r: { windows: number[][]; rr: number[] }): WindowSet => {
    const data = new Float32Array(r.windows.length * steps);
    r.windows.forEach((w, i) => data.set(w, i * steps));
    applyInputNormalization(data, champion.artifact.normalization);
    return { data, rr: Float32Array.from(r.rr), count: r.windows.length };
  };
  for (const list of times.values()) list.sort((x, y) => x - y);
  return {
    normal: new Map([...rows].map(([d, r]) => [d, pack(r)])),
    positives: pack(positives),
    times,
    unfit,
  };
}

/**
 * The dataset with each device's false-alarm beats added to its normal beats (a device with no
 * sampled history gets an entry of its own). They are then split, trained on and fitted over
 * like the device's other normal beats.
 *
 * @example
 * const data = withLabelledNormal(builder.finish(), labelledBeats(alerts, champion).normal);
 */
export function withLabelledNormal(dataset: HistoryDataset, normal: ReadonlyMap<string, WindowSet>): HistoryDataset {
  if (normal.size === 0) return dataset;
  const steps = dataset.steps;
  const devices = new Map<string, DeviceBeats>(dataset.devices.map((d) => [d.deviceId, d]));
  for (const [deviceId, extra] of normal) {
    const d = devices.get(deviceId) ?? {
      deviceId,
      normal: new Float32Array(0),
      normalRr: new Float32Array(0),
      normalCount: 0,
      flagged: new Float32Array(0),
      flaggedRr: new Float32Array(0),
      flaggedCount: 0,
      beatsSeen: 0,
    };
    const data = new Float32Array((d.normalCount + extra.count) * steps);
    data.set(d.normal.subarray(0, d.normalCount * steps));
    data.set(extra.data.subarray(0, extra.count * steps), d.normalCount * steps);
    const rr = new Float32Array((d.normalCount + extra.count) * 2);
    rr.set(d.normalRr.subarray(0, d.normalCount * 2));
    rr.set(extra.rr.subarray(0, extra.count * 2), d.normalCount * 2);
    devices.set(deviceId, { ...d, normal: data, normalRr: rr, normalCount: d.normalCount + extra.count });
  }
  return { ...dataset, devices: [...devices.values()].sort((a, b) => (a.deviceId < b.deviceId ? -1 : a.deviceId > b.deviceId ? 1 : 0)) };
}

const round4 = (x: number) => Math.round(x * 1e4) / 1e4;
