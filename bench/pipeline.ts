import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Logger } from '@aws-lambda-powertools/logger';
import { createDetectHandler } from '../functions/detect';
import { seedModel } from '../src/aws/model-store';
import { loadBeatModel } from '../src/model';
import { DEFAULT_MODEL_FILE } from '../src/evaluate/default-model';
import { readWfdbRecord } from '../src/ecg';
import type { SimulatedDevice } from '../src/local/device-records';
import { OFF_ADAPTER, patientProfileAdapter, type PatientAdapter } from '../src/detect';
import { pseudonymousDeviceId, simulateDevices } from '../src/local/device-simulator';
import { startLocalPipeline } from '../src/local/local-pipeline';
import { DEMO_LEARNING_SECONDS } from '../src/cli/commands/demo';
import { DEMO_RECORDS } from '../src/local/record-folder';
import type { BenchSuite } from './suite';
import { runHandlerCore } from './handler-core';
import { measureSecondLeadScoring } from './pipeline-two-leads';
import { median } from './nn-measure';
import { oneLeadDevice, streamBatches } from './wire-stream';

const BUNDLED = fileURLToPath(new URL('../data/mitdb', import.meta.url));
/** Records per invocation, as the deployed event source mapping. */
const BATCH_SIZE = 100;
/** Records per device per PutRecords: kinesis-local's cost is mostly per request. */
const TICKS_PER_REQUEST = 10;
/** Device clock of every device's first sample: a fixed epoch, so runs are reproducible. */
const START_TIME = Date.UTC(2026, 0, 1);
/** Rounds of (off, on) passes of each on/off comparison: the ratio is the median of the rounds' own ratios. */
const ON_OFF_ROUNDS = 5;

/**
 * The demo's five records as devices: the bench measures what `npm start` runs, and streaming
 * all bundled records (the evaluation set) made it several times slower for no other figure.
 */
function loadDevices(seconds: number): SimulatedDevice[] {
  return DEMO_RECORDS.map((name) => {
    const rec = readWfdbRecord(`${BUNDLED}/${name}`);
    return {
      deviceId: pseudonymousDeviceId(`mitdb/${name}`),
      signal: rec.signals[0].samples.subarray(0, Math.round(seconds * rec.fs)),
      fs: rec.fs,
    };
  });
}

/**
 * `pipeline`: the detector end to end. First the handler's work alone (decode, per-device
 * segmentation, one batched scoring call per batch, alert policy; sinks are no-ops) on one-lead
 * records with adaptation on and off, and on two-lead records with second-lead scoring on and
 * off (`twoLeads`, see `pipeline-two-leads.ts`), then the
 * whole local pipeline with emulators: the demo's five MIT-BIH records replayed as devices at max speed
 * → kinesis-local → event source poller → the real `functions/detect` handler (model from S3,
 * alerts to SNS) and the archiver. Figures in device-seconds of ECG per wall second.
 */
const suite: BenchSuite = {
  name: 'pipeline',
  description:
    'detector end to end: handler alone (beats/s; one lead, adaptation on/off; two leads, second-lead scoring on/off) and through the local stack with emulators (device-seconds/s)',
  async run({ quick }) {
    const say = (m: string) => process.stderr.write(`${m}\n`);
    // The handler writes EMF to stdout in Lambda; here stdout belongs to `--json`.
    process.env.POWERTOOLS_METRICS_DISABLED = 'true';
    const modelText = readFileSync(DEFAULT_MODEL_FILE, 'utf8');
    const model = loadBeatModel(modelText);
    const seconds = quick ? 60 : 300;
    const devices = loadDevices(seconds);
    const deviceSeconds = devices.reduce((s, d) => s + d.signal.length / d.fs, 0);
    say(
      `pipeline: ${devices.length} devices (the demo's MIT-BIH records ${DEMO_RECORDS.join(', ')}) x ${seconds} s, batches of ${BATCH_SIZE} records, model ${model.version}`,
    );

    // 1. The handler's core alone, no I/O.
    const batches = streamBatches(devices.map(oneLeadDevice), START_TIME, BATCH_SIZE);
    // With patient adaptation (the default, learning period included) and without, same run.
    const runCore = (adaptation: PatientAdapter) => runHandlerCore(batches, model, { adaptation });
    // Untimed warm-up (JIT, the scorer's buffers): otherwise whichever arm runs first pays for it.
    // Then alternating rounds: one pass per arm is at the mercy of whatever else the machine runs.
    await runCore(OFF_ADAPTER);
    const adaptationRounds = quick ? 1 : ON_OFF_ROUNDS;
    const roundRatios: number[] = [];
    let off = await runCore(OFF_ADAPTER);
    let on = await runCore(patientProfileAdapter());
    roundRatios.push(on.beats / on.seconds / (off.beats / off.seconds));
    for (let round = 1; round < adaptationRounds; round++) {
      off = await runCore(OFF_ADAPTER);
      on = await runCore(patientProfileAdapter());
      roundRatios.push(on.beats / on.seconds / (off.beats / off.seconds));
    }
    const { beats } = on;
    const coreSeconds = on.seconds;
    for (const [label, r] of [
      ['handler core, adaptation off', off],
      ['handler core, patient-profile', on],
    ] as const)
      say(
        `${label.padEnd(34)}${(r.beats / r.seconds).toFixed(0).padStart(8)} beats/s${(deviceSeconds / r.seconds).toFixed(0).padStart(8)} device-s/s (${r.beats} beats, ${r.alerts} alerts)`,
      );
    const adaptationRatio = median(roundRatios);
    say(
      `adaptation on / off: ${adaptationRatio.toFixed(3)} x the beats/s (median of ${adaptationRounds} round(s): ${roundRatios.map((r) => r.toFixed(2)).join(', ')})`,
    );
    // What an alert's explanation (one reconstruction call per batch, per-sample error, RR
    // context) adds to the batch that raises it: the detect function's added latency per alert.
    // Both runs count: with a 5-minute learning period the adapted run may raise none.
    const explained = { alerts: on.alerts + off.alerts, ms: on.explainMs + off.explainMs };
    const explainMsPerAlert = explained.alerts > 0 ? explained.ms / explained.alerts : 0;
    say(
      `explanation: ${explainMsPerAlert.toFixed(2)} ms added per alert (${explained.alerts} alerts, ${explained.ms.toFixed(1)} ms in all)`,
    );

    // 1b. The same records with both leads as v2 records, second-lead scoring on and off: the
    // cost of scoring every usable second-lead window with the autoencoder too.
    const twoLeads = await measureSecondLeadScoring({
      folder: BUNDLED,
      records: DEMO_RECORDS,
      seconds,
      batchSize: BATCH_SIZE,
      startTime: START_TIME,
      rounds: quick ? 1 : ON_OFF_ROUNDS,
      model,
    });
    say(
      `two leads (v2 records, learning ${twoLeads.learningSeconds} s, ${twoLeads.learningBeats} learning beats), median of ${twoLeads.rounds} round(s):`,
    );
    for (const [label, arm] of [
      ['handler core, second lead off', twoLeads.secondLeadScoringOff],
      ['handler core, second lead on', twoLeads.secondLeadScoringOn],
    ] as const)
      say(
        `${label.padEnd(34)}${arm.beatsPerSecond.toFixed(0).padStart(8)} beats/s${(deviceSeconds / (arm.beats / arm.beatsPerSecond)).toFixed(0).padStart(8)} device-s/s (${arm.beats} beats, ${arm.windowsPerBeat.toFixed(2)} windows scored per beat, ${(100 * arm.scoringShare).toFixed(0)} % of the time in scoring, ${arm.secondLeadBeats} beats on the second lead, ${arm.alerts} alerts)`,
      );
    say(`second-lead scoring on / off: ${twoLeads.onOffRatio.toFixed(3)} x the beats/s (CPU time: ${twoLeads.onOffRatioCpu.toFixed(3)} x)`);

    // 2. End to end through the emulators. The side effects of each alert are timed too: its
    // snippet (S3), its row in the alert state table (DynamoDB) and its message (SNS), in the
    // order the detector awaits them (emulators' latency, not AWS's).
    let e2eBeats = 0;
    const e2eExplain = { ms: 0, alerts: 0 };
    const sideEffects = { snippet: [] as number[], alertState: [] as number[], publish: [] as number[] };
    const timed =
      <A extends unknown[]>(into: number[], f: (...args: A) => Promise<void>) =>
      async (...args: A) => {
        const t = performance.now();
        await f(...args);
        into.push(performance.now() - t);
      };
    const pipeline = await startLocalPipeline({
      resources: { shardCount: 2 },
      mapping: { batchSize: BATCH_SIZE },
      archiver: { bufferIntervalMs: 10_000 },
      prepare: async ({ aws, resources }) => {
        await seedModel(aws.s3, resources.bucket, modelText);
      },
      handler: ({ aws, lambdaEnv }, { signal }) =>
        createDetectHandler({
          // The demo's learning period, as npm start runs it: beat alerts come after 60 s, not 300.
          env: { ...lambdaEnv, LEARNING_SECONDS: String(DEMO_LEARNING_SECONDS) },
          aws,
          signal,
          logger: new Logger({ logLevel: 'SILENT' }),
          onBatch: (r) => {
            e2eBeats += r.counts.beatsScored;
            e2eExplain.ms += r.explainMs;
            e2eExplain.alerts += r.counts.alerts;
          },
          wrapSinks: (s) => ({
            ...s,
            putSnippet: timed(sideEffects.snippet, s.putSnippet.bind(s)),
            ...(s.recordAlert ? { recordAlert: timed(sideEffects.alertState, s.recordAlert.bind(s)) } : {}),
            ...(s.recordEpisode ? { recordEpisode: timed(sideEffects.alertState, s.recordEpisode.bind(s)) } : {}),
            publishAlert: timed(sideEffects.publish, s.publishAlert.bind(s)),
          }),
        }),
    });
    try {
      const started = performance.now();
      const sent = await simulateDevices({
        kinesis: pipeline.aws.kinesis,
        streamName: pipeline.resources.streamName,
        devices,
        speed: 'max',
        ticksPerRequest: TICKS_PER_REQUEST,
      });
      await pipeline.poller.drain(600_000);
      const e2eSeconds = (performance.now() - started) / 1000;
      await pipeline.archiver?.drain(600_000);
      if (sent.reorderedEntries > 0) say(`pipeline: ${sent.reorderedEntries} records reordered by PutRecords retries`);
      // The same records through the same detector: the emulators must not change the beats.
      if (e2eBeats !== beats) say(`pipeline: WARNING ${beats} beats scored by the handler alone, ${e2eBeats} end to end`);
      say(
        `${'end to end (emulators included)'.padEnd(34)}${(e2eBeats / e2eSeconds).toFixed(0).padStart(8)} beats/s${(sent.deviceSeconds / e2eSeconds).toFixed(0).padStart(8)} device-s/s (${e2eBeats} beats, ${pipeline.poller.stats.invocations} invocations)`,
      );
      const medianOrZero = (xs: number[]) => (xs.length === 0 ? 0 : median(xs));
      const perAlert = {
        explainMs: e2eExplain.alerts > 0 ? e2eExplain.ms / e2eExplain.alerts : 0,
        snippetMs: medianOrZero(sideEffects.snippet),
        alertStateMs: medianOrZero(sideEffects.alertState),
        publishMs: medianOrZero(sideEffects.publish),
        alerts: sideEffects.snippet.length,
        episodeAlerts: sideEffects.publish.length - sideEffects.snippet.length,
      };
      say(
        `per beat alert, through the emulators: explanation ${perAlert.explainMs.toFixed(2)} ms (mean) + snippet ${perAlert.snippetMs.toFixed(1)} ms + alert state ${perAlert.alertStateMs.toFixed(1)} ms + SNS ${perAlert.publishMs.toFixed(1)} ms (${perAlert.alerts} beat alerts, ${perAlert.episodeAlerts} episode alerts)`,
      );
      return {
        devices: devices.length,
        alertSideEffectsMs: perAlert,
        secondsPerDevice: seconds,
        batchSize: BATCH_SIZE,
        handlerBeatsPerSecond: beats / coreSeconds,
        handlerBeatsPerSecondAdaptationOff: off.beats / off.seconds,
        adaptationOnOffRatio: adaptationRatio,
        adaptationOnOffRounds: roundRatios,
        twoLeads,
        explainMsPerAlert,
        handlerDeviceSecondsPerSecond: deviceSeconds / coreSeconds,
        endToEndDeviceSecondsPerSecond: sent.deviceSeconds / e2eSeconds,
        endToEndBeatsPerSecond: e2eBeats / e2eSeconds,
        beats,
        endToEndBeats: e2eBeats,
        beatsMissingEndToEnd: beats - e2eBeats,
        ticksPerRequest: TICKS_PER_REQUEST,
      };
    } finally {
      await pipeline.stop();
    }
  },
};
export default suite;
