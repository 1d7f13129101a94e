/**
 * `eval noise` (issue 13, docs/ARCHITECTURE.md §6): faults injected at known places into clean
 * stretches of real records, run through the product (1 s wire records through a `Detector`, as
 * `eval mitdb` does, with the signal-lost sweep called every check period of stream time), and
 * for each fault: whether and how soon a technical alert was raised, and how many clinical alerts
 * (beat or rhythm) fired inside the injected stretch (the target is none). With two leads the
 * faults go into the model's lead only, the other lead streamed as recorded (one electrode
 * failing), and each fault also says how many reference beats inside it the detector still reported.
 */
import { decodeRecord, signalLostTiming, type SignalLostTiming, recordCount, type WireLeadsSignal } from '../contract';
import type { MitdbRecord } from '../ecg';
import {
  DEFAULT_LEARNING_SECONDS,
  isEpisodeAlert,
  MemoryProfileStore,
  type PatientAdapter,
  type AlertMessage,
  type DetectSinks,
  type EpisodeAlertMessage,
  Detector,
  type InputRecord,
  type ScoredBeat,
  MemoryPresenceStore,
  sweepSilentDevices,
} from '../detect';
import type { LoadedBeatModel } from '../model';
import {
  cleanSeconds,
  firstCleanRun,
  injectLeadOff,
  injectNoise,
  injectSaturation,
  noiseGain,
  noisePower,
  qrsSignalPower,
  type FaultType,
} from './fault-injection';
import { beatCoverage, totalCoverage, type BeatCoverage } from './fault-coverage';
import { EVAL_EPOCH, withGains, wireRecordCutter } from './mitdb-product';

/** One fault to inject: its type, length, and for noise the signal-to-noise ratio. */
export interface FaultSpec {
  readonly type: FaultType;
  readonly seconds: number;
  readonly snrDb?: number;
}

/** Seconds a technical alert may take from the start of a lead-off, saturation or noise stretch (issue 13's acceptance). */
export const TECHNICAL_DEADLINE_SECONDS = 10;

/**
 * The default protocol, in this order per record: lead-off and saturation of 15 s, a dropout of
 * 90 s (longer than the 60 s signal-lost deadline), and 30 s of baseline wander (`bw`) and muscle
 * artefact (`ma`) at 12, 6 and 0 dB, the SNRs of the MIT-BIH noise stress test records.
 */
export const DEFAULT_FAULTS: readonly FaultSpec[] = Object.freeze([
  { type: 'lead-off', seconds: 15 },
  { type: 'saturation', seconds: 15 },
  { type: 'signal-lost', seconds: 90 },
  ...[12, 6, 0].flatMap((snrDb) => [
    { type: 'noise-bw' as const, seconds: 30, snrDb },
    { type: 'noise-ma' as const, seconds: 30, snrDb },
  ]),
]);

/** Options of {@link runNoiseStress}; every field has a documented default. */
export interface NoiseStressOptions {
  readonly faults: readonly FaultSpec[];
  /** The detector's learning period (default 300 s, EC57); faults go after it. */
  readonly learningSeconds: number;
  /** Clean seconds required before and after each fault, and between two faults (default 30). */
  readonly gapSeconds: number;
  /** Stream only the first this many seconds of the record (default: all of it). */
  readonly limitSeconds?: number;
  /** Records per `processBatch` call (default 10: ten seconds of one device). */
  readonly batchRecords: number;
  readonly timing: SignalLostTiming;
  /** The detector's patient adaptation (default: the detector's, `patient-profile`). */
  readonly adaptation?: PatientAdapter;
  /**
   * 1 (default): the model's lead alone, as v1 records. 2: every lead of the record as v2
   * records, as `eval mitdb` streams them, each fault injected into the model's lead only (a
   * dropout drops whole records, so every lead).
   */
  readonly leads: 1 | 2;
}

export const DEFAULT_NOISE_STRESS: NoiseStressOptions = Object.freeze({
  faults: DEFAULT_FAULTS,
  learningSeconds: DEFAULT_LEARNING_SECONDS,
  gapSeconds: 30,
  batchRecords: 10,
  timing: signalLostTiming(),
  leads: 1,
});

/** The noise recordings (`bw`, `ma`), first channel, mV, at the records' rate. */
export interface NoiseRecordings {
  readonly bw: Float32Array;
  readonly ma: Float32Array;
}

/** What happened with one injected fault. */
export interface FaultOutcome {
  readonly type: FaultType;
  readonly snrDb: number | null;
  /** Where it was injected: seconds from the record's start, and its length. */
  readonly startSecond: number;
  readonly seconds: number;
  /** Seconds from the fault's start to the technical alert's onset decision; null when none was raised. */
  readonly raisedAfter: number | null;
  /** Its reason (`lead-off`, `saturation`, `noise`, `signal-lost`). */
  readonly reason: string | null;
  /** Clinical alerts (beat alerts, rhythm onsets) inside the injected stretch, and in the 10 s after it. */
  readonly clinicalInside: number;
  readonly clinicalAfter: number;
  /** What the clinical alerts inside were: `beat warning`, `beat critical`, or the rhythm (`AFIB`, `VT`...). */
  readonly insideKinds: string[];
  /** Two leads only: when each clinical alert inside began, seconds from the record's start (as `insideKinds`). */
  readonly insideAt?: number[];
  /** Two leads only: the reference beats inside the stretch and how many the detector still reported. */
  readonly beats?: BeatCoverage;
}

/** One record's run. */
export interface NoiseStressRecord {
  readonly record: string;
  readonly faults: FaultOutcome[];
  /** Faults of the protocol that found no clean stretch in this record. */
  readonly notPlaced: string[];
  /** Technical onsets outside every injected stretch (on the record's own signal). */
  readonly technicalElsewhere: number;
}

/** A fault's label in the totals: its type, and the SNR for noise (`noise-bw 6 dB`). */
export function faultLabel(f: { type: FaultType; snrDb?: number | null }): string {
  return f.snrDb === undefined || f.snrDb === null ? f.type : `${f.type} ${f.snrDb} dB`;
}

/** A fault placed in a record: where it starts and how long it is, samples. */
export interface PlacedFault extends FaultSpec {
  readonly from: number;
  readonly length: number;
}

/**
 * Places `o.faults` in order into clean stretches of `record`'s first `total` seconds
 * (`cleanSeconds`: additive noise only where the rhythm and every beat are normal; after the
 * learning period, apart by `gapSeconds`); a fault with no room left is listed as not placed.
 *
 * @example
 * const { placed, notPlaced } = placeFaults(record, DEFAULT_NOISE_STRESS, 1800);
 */
export function placeFaults(
  record: MitdbRecord,
  o: Pick<NoiseStressOptions, 'faults' | 'learningSeconds' | 'gapSeconds'>,
  total: number,
): { placed: PlacedFault[]; notPlaced: string[] } {
  const fs = record.fs;
  const usable = cleanSeconds(record).slice(0, total);
  const normal = cleanSeconds(record, { normalOnly: true }).slice(0, total);
  const placed: PlacedFault[] = [];
  const notPlaced: string[] = [];
  let cursor = Math.ceil(o.learningSeconds) + o.gapSeconds;
  for (const spec of o.faults) {
    const additive = spec.type === 'noise-bw' || spec.type === 'noise-ma';
    const at = firstCleanRun(additive ? normal : usable, cursor, spec.seconds, o.gapSeconds);
    if (at === null) {
      notPlaced.push(faultLabel(spec));
      continue;
    }
    placed.push({ ...spec, from: at * fs, length: spec.seconds * fs });
    cursor = at + spec.seconds + o.gapSeconds;
  }
  return { placed, notPlaced };
}

/** A record with its faults in: the model's lead, every lead sent with two leads, and the seconds never sent. */
export interface InjectedRecord {
  readonly signal: Float32Array;
  /** With two leads: every lead in file order, the model's carrying the faults, the others the recorded samples. */
  readonly leads: WireLeadsSignal['leads'] | null;
  readonly dropped: ReadonlySet<number>;
}

/**
 * Injects placed faults into the model's lead (`record.signal`) of the first `total` seconds.
 * With `leads: 2` the record's every lead comes along, cut to the same length: the model's
 * lead (`record.lead`) replaced by the faulty one, the others untouched.
 *
 * @example
 * const { leads, dropped } = injectFaults(record, placed, noise, { total: 1800, leads: 2 });
 */
export function injectFaults(
  record: MitdbRecord,
  placed: readonly PlacedFault[],
  noise: NoiseRecordings,
  o: { readonly total: number; readonly leads: 1 | 2 },
): InjectedRecord {
  const fs = record.fs;
  const total = o.total;
  let signal = record.signal.subarray(0, total * fs);
  const signalPower = qrsSignalPower(record, 0, total * fs);
  const dropped = new Set<number>();
  placed.forEach((f, k) => {
    if (f.type === 'lead-off') signal = injectLeadOff(signal, f.from, f.length);
    else if (f.type === 'saturation') signal = injectSaturation(signal, f.from, f.length);
    else if (f.type === 'signal-lost') for (let s = f.from / fs; s < (f.from + f.length) / fs; s++) dropped.add(s);
    else {
      const source = f.type === 'noise-bw' ? noise.bw : noise.ma;
      // Different, fixed parts of the noise recording for each stretch.
      const seed = [...record.name].reduce((h, c) => h * 31 + c.charCodeAt(0), k + 1);
      const noiseFrom = ((seed % 1000) * 7919 * fs) % (source.length - f.length);
      const gain = noiseGain(signalPower, noisePower(source.subarray(noiseFrom, noiseFrom + f.length), fs), f.snrDb ?? 0);
      signal = injectNoise(signal, f.from, f.length, source, noiseFrom, gain);
    }
  });
  if (o.leads === 1) return { signal, leads: null, dropped };
  const recorded = record.leads ?? [];
  if (recorded.length < 2 || !recorded.some((l) => l.name === record.lead))
    throw new Error(
      `eval noise: two leads need a record with the model's lead ${record.lead} and another; ${record.name} has ${recorded.length}`,
    );
  const faulty = signal;
  const leads = withGains(recorded).map((l) => ({ ...l, samples: l.name === record.lead ? faulty : l.samples.subarray(0, total * fs) }));
  return { signal, leads, dropped };
}

/**
 * Injects `options.faults` into clean stretches of `record` (see {@link placeFaults}), streams it
 * through a fresh detector as device `record.name` (with `leads: 2` every lead, the faults on the
 * model's only) and measures each fault's technical alert and the clinical alerts inside it.
 *
 * @example
 * const result = await runNoiseStress(loadMitdbRecord('data/mitdb', '100'), model, noise);
 */
export async function runNoiseStress(
  record: MitdbRecord,
  model: LoadedBeatModel,
  noise: NoiseRecordings,
  options: Partial<NoiseStressOptions> = {},
): Promise<NoiseStressRecord> {
  const o = { ...DEFAULT_NOISE_STRESS, ...options };
  const fs = record.fs;
  const total = Math.min(Math.floor(record.signal.length / fs), o.limitSeconds ?? Infinity);
  const { placed, notPlaced } = placeFaults(record, o, total);
  const { signal, leads, dropped } = injectFaults(record, placed, noise, { total, leads: o.leads });

  const { alerts, episodes, beats } = await streamWithSweep({ deviceId: record.name, signal, fs, leads }, dropped, model, o);
  const ms = (sample: number) => EVAL_EPOCH + (sample * 1000) / fs;
  const technical = episodes.filter((e) => e.kind === 'technical' && e.phase === 'onset');
  const rhythmOnsets = episodes.filter((e) => e.kind === 'rhythm' && e.phase === 'onset');
  // A clinical alert is inside a stretch [start, end) when it begins there (its first anomalous
  // beat, or the episode's start) or is decided there: one whose beats all lie before and after a
  // dropout is not, nor one that begins as the signal comes back.
  const within = (t: number, from: number, to: number) => t >= from && t < to;
  const clinicalIn = (from: number, to: number) =>
    [...alerts, ...rhythmOnsets].filter((a) => within(a.from, from, to) || within(a.to, from, to));
  const kindOf = (a: AlertMessage | EpisodeAlertMessage) => (isEpisodeAlert(a) ? (a.rhythm ?? a.kind) : `beat ${a.severity}`);
  const matched = new Set<EpisodeAlertMessage>();
  const faults = placed.map((f): FaultOutcome => {
    const start = ms(f.from);
    const end = ms(f.from + f.length);
    const alert =
      f.type === 'signal-lost'
        ? // Raised from the last arrival the checker knew: the fault's start, or a persisted one up to a write interval before.
          technical.find((e) => e.reason === 'signal-lost' && e.from >= start - o.timing.writeEveryMs && e.from <= start)
        : technical.find((e) => e.reason !== 'signal-lost' && e.to >= start && e.from <= end);
    if (alert) matched.add(alert);
    return {
      type: f.type,
      snrDb: f.snrDb ?? null,
      startSecond: f.from / fs,
      seconds: f.seconds,
      raisedAfter: alert ? (alert.to - start) / 1000 : null,
      reason: alert?.reason ?? null,
      clinicalInside: clinicalIn(start, end).length,
      clinicalAfter: clinicalIn(end, end + TECHNICAL_DEADLINE_SECONDS * 1000).length,
      insideKinds: clinicalIn(start, end).map(kindOf),
      ...(o.leads === 2
        ? {
            insideAt: clinicalIn(start, end).map((a) => (a.from - EVAL_EPOCH) / 1000),
            beats: beatCoverage(record, f.from, f.from + f.length, beats, (t) => ((t - EVAL_EPOCH) * fs) / 1000),
          }
        : {}),
    };
  });
  return { record: record.name, faults, notPlaced, technicalElsewhere: technical.filter((e) => !matched.has(e)).length };
}

/**
 * Streams a signal as 1 s wire records arriving live (each when it ends), `dropped` seconds never
 * sent, in batches of `batchRecords`; the signal-lost sweep runs every check period of stream
 * time over the same presence store the detector writes, as the sweep function does in AWS.
 * With `leads` (two-lead mode) the records are v2 records of every lead, else v1 of `signal`.
 */
async function streamWithSweep(
  device: { deviceId: string; signal: Float32Array; fs: number; leads: WireLeadsSignal['leads'] | null },
  dropped: ReadonlySet<number>,
  model: LoadedBeatModel,
  o: NoiseStressOptions,
): Promise<{ alerts: AlertMessage[]; episodes: EpisodeAlertMessage[]; beats: ScoredBeat[] }> {
  const alerts: AlertMessage[] = [];
  const beats: ScoredBeat[] = [];
  const episodes: EpisodeAlertMessage[] = [];
  const sinks: DetectSinks = {
    quarantine: async (r) => {
      throw new Error(`eval noise: a record was rejected: ${r.reason}`);
    },
    putSnippet: async () => undefined,
    publishAlert: async (m) => {
      if (isEpisodeAlert(m)) episodes.push(m);
      else alerts.push(m);
    },
  };
  const presence = new MemoryPresenceStore();
  // The wall clock of the run: each batch is processed when its last record arrives (no backlog).
  let clock = EVAL_EPOCH;
  const now = () => clock;
  const detector = new Detector(sinks, decodeRecord, {
    now,
    learningSeconds: o.learningSeconds,
    profiles: new MemoryProfileStore(),
    presence,
    signalLostSeconds: o.timing.deadlineMs / 1000,
    signalLostCheckSeconds: o.timing.checkEveryMs / 1000,
    ...(o.adaptation ? { adaptation: o.adaptation } : {}),
    ...(o.leads === 2 ? { leads: 2 as const } : {}),
  });
  const cut = wireRecordCutter(device, device.leads);
  const checkSeconds = o.timing.checkEveryMs / 1000;
  let batch: InputRecord[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const result = await detector.processBatch(batch, model);
    if (result.failedRecordIds.length > 0) throw new Error(`eval noise: ${result.failedRecordIds.length} records failed in memory`);
    beats.push(...result.beats);
    batch = [];
  };
  const n = recordCount(device.signal.length, device.fs, 1);
  for (let s = 0; s < n; s++) {
    const arrivedAt = (clock = EVAL_EPOCH + (s + 1) * 1000);
    if (!dropped.has(s)) batch.push({ id: String(s), data: cut(s), arrivedAt });
    const tick = (s + 1) % checkSeconds === 0;
    if (batch.length >= o.batchRecords || tick) await flush();
    if (tick) await sweepSilentDevices({ presence, publish: sinks.publishAlert, now }, arrivedAt, o.timing);
  }
  await flush();
  return { alerts, episodes, beats };
}

/** Totals of one fault label. */
export interface FaultTotals {
  readonly stretches: number;
  /** Raised at all, and within its deadline (10 s; signal-lost: the configured deadline). */
  readonly raised: number;
  readonly inTime: number;
  readonly sensitivity: number;
  readonly meanDelay: number | null;
  readonly maxDelay: number | null;
  readonly clinicalInside: number;
  readonly clinicalAfter: number;
  /** Two leads only: reference beats inside the stretches, and how many the detector still reported. */
  readonly beats?: BeatCoverage;
}

/** The deadline of a fault type, seconds: signal-lost's is the configured one, the others 10 s. */
export function faultDeadline(type: FaultType, timing: SignalLostTiming): number {
  return type === 'signal-lost' ? timing.deadlineMs / 1000 : TECHNICAL_DEADLINE_SECONDS;
}

/**
 * The faults whose technical alert the acceptance requires: with one lead, lead-off, saturation
 * and signal-lost; with two, signal-lost alone, since a fault on the model's lead while the
 * other lead is clean is no technical condition of the device (the segmenter uses the other lead).
 */
function requiresTechnicalAlert(type: FaultType, leads: 1 | 2): boolean {
  return type === 'signal-lost' || (leads === 1 && (type === 'lead-off' || type === 'saturation'));
}

/**
 * Totals per fault label, and the acceptance: every required stretch (see
 * {@link requiresTechnicalAlert}) of 10 s or more raised within its deadline, no clinical alert
 * inside any stretch. With two leads each label also totals its beat coverage.
 *
 * @example
 * const { byFault, acceptance } = noiseStressTotals(results, signalLostTiming());
 */
export function noiseStressTotals(results: readonly NoiseStressRecord[], timing: SignalLostTiming, leads: 1 | 2 = 1) {
  const all = results.flatMap((r) => r.faults);
  const byFault: Record<string, FaultTotals> = {};
  for (const label of [...new Set(all.map(faultLabel))]) {
    const faults = all.filter((f) => faultLabel(f) === label);
    const delays = faults.map((f) => f.raisedAfter).filter((d): d is number => d !== null);
    const inTime = faults.filter((f) => f.raisedAfter !== null && f.raisedAfter <= faultDeadline(f.type, timing)).length;
    byFault[label] = {
      stretches: faults.length,
      raised: delays.length,
      inTime,
      sensitivity: faults.length > 0 ? inTime / faults.length : Number.NaN,
      meanDelay: delays.length > 0 ? delays.reduce((a, b) => a + b, 0) / delays.length : null,
      maxDelay: delays.length > 0 ? Math.max(...delays) : null,
      clinicalInside: faults.reduce((n, f) => n + f.clinicalInside, 0),
      clinicalAfter: faults.reduce((n, f) => n + f.clinicalAfter, 0),
      ...(leads === 2 ? { beats: totalCoverage(faults.map((f) => f.beats)) } : {}),
    };
  }
  const required = all.filter((f) => requiresTechnicalAlert(f.type, leads) && f.seconds >= 10);
  const requiredInTime = required.filter((f) => f.raisedAfter !== null && f.raisedAfter <= faultDeadline(f.type, timing)).length;
  const clinicalInside = all.reduce((n, f) => n + f.clinicalInside, 0);
  return {
    byFault,
    technicalElsewhere: results.reduce((n, r) => n + r.technicalElsewhere, 0),
    acceptance: {
      required: required.length,
      requiredInTime,
      clinicalInside,
      met: required.length > 0 && requiredInTime === required.length && clinicalInside === 0,
    },
  };
}
