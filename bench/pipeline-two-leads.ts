import { patientProfileAdapter } from '../src/detect';
import { loadMitdbRecord } from '../src/ecg';
import { withGains } from '../src/evaluate/mitdb-product';
import { pseudonymousDeviceId } from '../src/local/device-simulator';
import type { LoadedBeatModel } from '../src/model';
import { DEMO_LEARNING_SECONDS } from '../src/cli/commands/demo';
import { runHandlerCore, type CoreRun } from './handler-core';
import { median } from './nn-measure';
import { streamBatches, twoLeadDevice } from './wire-stream';

/** What {@link measureSecondLeadScoring} measures on. */
export interface TwoLeadSetup {
  /** Bundled MIT-BIH folder and the records streamed, one device each. */
  readonly folder: string;
  readonly records: readonly string[];
  /** Seconds of each record. */
  readonly seconds: number;
  readonly batchSize: number;
  readonly startTime: number;
  /** Rounds of (off, on) passes; the ratio is the median of the rounds' own ratios. */
  readonly rounds: number;
  readonly model: LoadedBeatModel;
}

/** One arm's figures: medians over the rounds. */
export interface ArmFigures {
  readonly beatsPerSecond: number;
  readonly beatsPerCpuSecond: number;
  /** Model windows scored per beat (1 without second-lead scoring). */
  readonly windowsPerBeat: number;
  /** Share of the pass spent in the batched scoring call. */
  readonly scoringShare: number;
  readonly beats: number;
  readonly secondLeadBeats: number;
  readonly alerts: number;
}

/** The two-lead case of the pipeline bench (`twoLeads` in its JSON). */
export interface TwoLeadFigures {
  readonly records: readonly string[];
  readonly secondsPerDevice: number;
  readonly learningSeconds: number;
  readonly learningBeats: number;
  readonly rounds: number;
  readonly secondLeadScoringOn: ArmFigures;
  readonly secondLeadScoringOff: ArmFigures;
  /** Median over rounds of on's beats/s over off's in the same round (wall clock, and CPU time). */
  readonly onOffRatio: number;
  readonly onOffRatioCpu: number;
}

function armFigures(runs: readonly CoreRun[]): ArmFigures {
  const last = runs[runs.length - 1];
  return {
    beatsPerSecond: median(runs.map((r) => r.beats / r.seconds)),
    beatsPerCpuSecond: median(runs.map((r) => r.beats / r.cpuSeconds)),
    windowsPerBeat: last.windows / last.beats,
    scoringShare: median(runs.map((r) => r.scoringMs / 1000 / r.seconds)),
    beats: last.beats,
    secondLeadBeats: last.secondLeadBeats,
    alerts: last.alerts,
  };
}

/**
 * What second-lead scoring costs the handler: the records' both leads as v2 wire records (as
 * `eval mitdb` sends them, `cutWireRecordV2` with the records' gains) through a fresh detector
 * with second-lead scoring on and off, in alternating rounds after an untimed warm-up pass.
 * Learning period: the demo's 60 s, so most of a short stream is scored against learned
 * profiles as most of an `eval mitdb` record is (300 s of about 30 min).
 *
 * @example
 * const figures = await measureSecondLeadScoring({ folder, records: ['100'], seconds: 60, batchSize: 100, startTime: 0, rounds: 1, model });
 */
export async function measureSecondLeadScoring(setup: TwoLeadSetup): Promise<TwoLeadFigures> {
  const devices = setup.records.map((name) => {
    const record = loadMitdbRecord(setup.folder, name);
    if (record.leads === undefined || record.leads.length < 2) throw new Error(`mitdb/${name}: the two-lead bench needs two leads`);
    const length = Math.round(setup.seconds * record.fs);
    const leads = withGains(record.leads).map((l) => ({ ...l, samples: l.samples.subarray(0, length) }));
    return twoLeadDevice({ deviceId: pseudonymousDeviceId(`mitdb/${name}`), fs: record.fs, leads });
  });
  const batches = streamBatches(devices, setup.startTime, setup.batchSize);
  const pass = (secondLeadScoring: boolean) =>
    runHandlerCore(batches, setup.model, {
      adaptation: patientProfileAdapter(),
      learningSeconds: DEMO_LEARNING_SECONDS,
      leads: 2,
      secondLeadScoring,
    });
  // Untimed warm-up of the two-lead path (multi-lead segmenter, second-lead learners and trackers).
  await pass(true);
  const on: CoreRun[] = [];
  const off: CoreRun[] = [];
  for (let round = 0; round < setup.rounds; round++) {
    // Alternating which arm goes first, so a slow spell or a garbage collection left over from
    // the previous pass does not always fall on the same arm.
    if (round % 2 === 0) off.push(await pass(false));
    on.push(await pass(true));
    if (round % 2 === 1) off.push(await pass(false));
  }
  return {
    records: setup.records,
    secondsPerDevice: setup.seconds,
    learningSeconds: DEMO_LEARNING_SECONDS,
    learningBeats: on[0].learningBeats,
    rounds: setup.rounds,
    secondLeadScoringOn: armFigures(on),
    secondLeadScoringOff: armFigures(off),
    onOffRatio: median(on.map((r, i) => r.beats / r.seconds / (off[i].beats / off[i].seconds))),
    onOffRatioCpu: median(on.map((r, i) => r.beats / r.cpuSeconds / (off[i].beats / off[i].cpuSeconds))),
  };
}
