import { readFileSync } from 'node:fs';
import { Logger } from '@aws-lambda-powertools/logger';
import { createDetectHandler } from '../functions/detect';
import { seedModel } from '../src/aws/model-store';
import type { BatchResult } from '../src/detect';
import { DEFAULT_MODEL_FILE } from '../src/evaluate/default-model';
import type { SimulatedDevice } from '../src/local/device-simulator';
import { startLocalPipeline } from '../src/local/local-pipeline';
import { loadBeatModel, type LoadedBeatModel } from '../src/model';
import { loadFleet } from './load-devices';
import { beatsIn, sendFleet } from './load-send';
import { liveHeapBytes, sampleMemory, type MemoryPeak } from './memory-peak';
import type { BenchSuite } from './suite';

/** Records per invocation, as the deployed event source mapping. */
const BATCH_SIZE = 100;
/** Long enough for the largest fleets the flags allow on a busy machine; a stuck run still ends. */
const DRAIN_TIMEOUT_MS = 30 * 60_000;
/**
 * The invocation timeout here: Lambda's maximum, not the deployed 60 s. A batch that takes a
 * Lambda about a second can take a minute on a shared 2-core machine that also runs the
 * emulators, and a timeout ends the environment (its devices then restart, a warm-up each):
 * that would measure this machine, not the pipeline. The longest invocation is reported.
 */
const TIMEOUT_MS = 900_000;

/** What the handlers of one run reported, summed over batches and environments. */
interface Tally {
  /** Per device, the time of every beat scored. */
  readonly beats: Map<string, number[]>;
  /** The batch counts behind the metrics of the same names (`RefusedDevices` sums a device once per batch). */
  refusedDevices: number;
  refusedRecords: number;
  evictions: number;
  duplicates: number;
  segmenterRestarts: number;
  rejected: number;
}

interface FleetRun {
  readonly tally: Tally;
  /** Per device, the beats in what the stream accepted (offline segmenter). */
  readonly expected: Map<string, number[]>;
  readonly bytes: number;
  readonly records: number;
  readonly deviceSeconds: number;
  readonly putSeconds: number;
  readonly seconds: number;
  readonly shards: number;
  readonly environments: number;
  readonly invocations: number;
  readonly timeouts: number;
  readonly discarded: number;
  readonly longestInvocationMs: number;
  readonly memory: MemoryPeak;
  /** Heap still referenced once every record was handled (environments alive), over the same before the run. */
  readonly liveHeapGrowthBytes: number;
}

/** Beats of `expected` (per device) missing from or added to what was scored. */
function compare(expected: Map<string, number[]>, scored: Map<string, number[]>, devices: Iterable<string>) {
  let lost = 0;
  let extra = 0;
  let beats = 0;
  for (const id of devices) {
    const want = expected.get(id) ?? [];
    const got = new Map<number, number>();
    for (const t of scored.get(id) ?? []) got.set(t, (got.get(t) ?? 0) + 1);
    beats += want.length;
    for (const t of want) {
      const n = got.get(t) ?? 0;
      if (n === 0) lost++;
      else got.set(t, n - 1);
    }
    for (const n of got.values()) extra += n;
  }
  return { beats, lost, extra };
}

/** One fleet through the local stack: kinesis-local, the event source poller, the real detect handler. */
async function runFleet(options: {
  devices: readonly SimulatedDevice[];
  recordSeconds: number;
  startTime: number;
  modelText: string;
  model: LoadedBeatModel;
  shardCount?: number;
  maxDevices?: number;
}): Promise<FleetRun> {
  const tally: Tally = {
    beats: new Map(),
    refusedDevices: 0,
    refusedRecords: 0,
    evictions: 0,
    duplicates: 0,
    segmenterRestarts: 0,
    rejected: 0,
  };
  const onBatch = (r: BatchResult) => {
    for (const b of r.beats) {
      const list = tally.beats.get(b.deviceId);
      if (list) list.push(b.t);
      else tally.beats.set(b.deviceId, [b.t]);
    }
    tally.refusedDevices += r.counts.refusedDevices;
    tally.refusedRecords += r.counts.refusedRecords;
    tally.evictions += r.counts.evictions;
    tally.duplicates += r.counts.duplicates;
    tally.segmenterRestarts += r.counts.segmenterRestarts;
    tally.rejected += r.counts.rejected;
  };
  let environments = 0;
  let longestInvocationMs = 0;
  const liveBefore = liveHeapBytes();
  const memory = sampleMemory();
  const pipeline = await startLocalPipeline({
    // Detection only: the archive reads the same stream and would measure kinesis-local twice.
    archiver: false,
    sweepIntervalMs: 0,
    resources: options.shardCount === undefined ? {} : { shardCount: options.shardCount },
    mapping: { batchSize: BATCH_SIZE, timeoutMs: TIMEOUT_MS },
    onInvoke: (inv) => void (longestInvocationMs = Math.max(longestInvocationMs, inv.durationMs)),
    prepare: async ({ aws, resources }) => void (await seedModel(aws.s3, resources.bucket, options.modelText)),
    handler: ({ aws, lambdaEnv }, { signal }) => {
      environments++;
      return createDetectHandler({
        env: { ...lambdaEnv, ...(options.maxDevices === undefined ? {} : { MAX_DEVICES: String(options.maxDevices) }) },
        aws,
        signal,
        logger: new Logger({ logLevel: 'SILENT' }),
        onBatch,
      });
    },
  });
  try {
    const started = performance.now();
    const sent = await sendFleet(
      pipeline.aws.kinesis,
      pipeline.resources.streamName,
      options.devices,
      options.recordSeconds,
      options.startTime,
    );
    const putSeconds = (performance.now() - started) / 1000;
    await pipeline.poller.drain(DRAIN_TIMEOUT_MS);
    const seconds = (performance.now() - started) / 1000;
    const stats = pipeline.poller.stats;
    const peak = memory.stop();
    const expected = new Map([...sent.payloads].map(([id, records]) => [id, beatsIn(records, options.model.segmenters)]));
    // The bench's own copy of what was sent is not the pipeline's memory.
    sent.payloads.clear();
    const liveAfter = liveHeapBytes();
    return {
      tally,
      expected,
      bytes: sent.bytes,
      records: sent.records,
      deviceSeconds: sent.deviceSeconds,
      putSeconds,
      seconds,
      shards: pipeline.poller.shardIds.length,
      environments,
      invocations: stats.invocations,
      timeouts: stats.timeouts,
      discarded: stats.recordsDiscarded,
      longestInvocationMs,
      memory: peak,
      liveHeapGrowthBytes: liveAfter - liveBefore,
    };
  } finally {
    memory.stop();
    await pipeline.stop();
  }
}

const mib = (bytes: number) => Math.round(bytes / 1024 / 1024);

function memoryLine(m: MemoryPeak): string {
  return `peak RSS ${mib(m.rssBytes)} MiB, peak heap ${mib(m.heapUsedBytes)} MiB (${mib(m.heapUsedBytes - m.baselineHeapBytes)} MiB over the start of the run)`;
}

/**
 * `load` (only with `--only load`): a fleet through the emulators, end to end. (1) `--devices`
 * synthetic devices of `--seconds` each, sent as a gateway sends them (the producer library, wire
 * v2, records of `--record-seconds`) at max speed through kinesis-local, the event source poller
 * (one execution environment per shard) and the real detect handler (model from S3): every beat
 * an offline segmenter finds in what the stream accepted must be scored once (0 lost, 0 extra). (2) `--cap-devices` devices on one shard whose detector keeps
 * at most `--cap` (`MAX_DEVICES`): the devices it keeps lose no beat, the others are refused
 * and counted (`RefusedDevices`, `RefusedRecords`), none restarts. Peak memory of the process
 * running the handlers and throughput for each. Throws when a beat is lost, so a CI job can run it.
 */
const suite: BenchSuite = {
  name: 'load',
  description: 'a fleet through the local stack (kinesis-local, poller, detect handler): beats in vs scored, the device cap, memory',
  settings: {
    devices: { description: 'devices of the main run', default: 2000, quick: 200, min: 1, max: 100_000 },
    seconds: { description: 'seconds of ECG per device', default: 20, quick: 10, min: 5, max: 3600 },
    'record-seconds': { description: 'seconds of signal per wire record', default: 5, min: 1, max: 60 },
    cap: { description: 'MAX_DEVICES of the over-the-cap run', default: 200, quick: 50, min: 1, max: 100_000 },
    'cap-devices': { description: 'devices of the over-the-cap run, on one shard', default: 300, quick: 80, min: 1, max: 100_000 },
  },
  async run({ settings }) {
    const say = (m: string) => process.stderr.write(`${m}\n`);
    // The handler writes EMF to stdout in Lambda; here stdout belongs to `--json`.
    process.env.POWERTOOLS_METRICS_DISABLED = 'true';
    const modelText = readFileSync(DEFAULT_MODEL_FILE, 'utf8');
    const model = loadBeatModel(modelText);
    const { devices: count, seconds, cap, 'cap-devices': capCount } = settings;
    const recordSeconds = settings['record-seconds'];
    const startTime = Date.now();

    // 1. The fleet, below the cap.
    const fleet = loadFleet(count, seconds, 'load');
    say(
      `load: ${count} devices x ${seconds} s at ${fleet[0].fs} Hz, wire v2 records of ${recordSeconds} s through the producer, batches of ${BATCH_SIZE}, model ${model.version}`,
    );
    const main = await runFleet({ devices: fleet, recordSeconds, startTime, modelText, model });
    const mainBeats = compare(main.expected, main.tally.beats, main.expected.keys());
    say(
      `load: ${main.records} records (${mib(main.bytes)} MiB) in ${main.seconds.toFixed(1)} s (put ${main.putSeconds.toFixed(1)} s): ${(main.records / main.seconds).toFixed(0)} records/s, ${(main.deviceSeconds / main.seconds).toFixed(0)} device-s/s, ${(mainBeats.beats / main.seconds).toFixed(0)} beats/s; ${main.shards} shards, ${main.environments} environments, ${main.invocations} invocations`,
    );
    say(
      `load: beats sent ${mainBeats.beats}, scored ${mainBeats.beats - mainBeats.lost + mainBeats.extra}: ${mainBeats.lost} lost, ${mainBeats.extra} extra; refused ${main.tally.refusedRecords} records, ${main.tally.evictions} evictions, ${main.discarded} discarded, ${main.timeouts} timeouts`,
    );
    say(
      `load: ${memoryLine(main.memory)}; live heap after the run ${mib(main.liveHeapGrowthBytes)} MiB over before it, ${(main.liveHeapGrowthBytes / count / 1024).toFixed(1)} KiB per device; longest invocation ${(main.longestInvocationMs / 1000).toFixed(1)} s`,
    );

    // 2. Above the cap: one shard (one environment) with a small MAX_DEVICES.
    const over = loadFleet(capCount, seconds, 'load-cap');
    say(`load, over the cap: ${capCount} devices on 1 shard, MAX_DEVICES ${cap}`);
    const capped = await runFleet({ devices: over, recordSeconds, startTime, modelText, model, shardCount: 1, maxDevices: cap });
    const kept = over.map((d) => d.deviceId).filter((id) => (capped.tally.beats.get(id)?.length ?? 0) > 0);
    const refused = over.length - kept.length;
    const keptBeats = compare(capped.expected, capped.tally.beats, kept);
    const recordsPerDevice = Math.ceil(seconds / recordSeconds);
    say(
      `load, over the cap: ${kept.length} devices kept (${keptBeats.beats} beats: ${keptBeats.lost} lost, ${keptBeats.extra} extra), ${refused} refused: RefusedDevices ${capped.tally.refusedDevices} (a device once per batch), RefusedRecords ${capped.tally.refusedRecords} (${refused * recordsPerDevice} records of the refused devices), DeviceEvictions ${capped.tally.evictions}, SegmenterRestarts ${capped.tally.segmenterRestarts}`,
    );
    say(
      `load, over the cap: ${capped.records} records in ${capped.seconds.toFixed(1)} s, ${(capped.records / capped.seconds).toFixed(0)} records/s; ${memoryLine(capped.memory)}`,
    );

    const result = {
      devices: count,
      secondsPerDevice: seconds,
      recordSeconds,
      batchSize: BATCH_SIZE,
      records: main.records,
      bytes: main.bytes,
      shards: main.shards,
      environments: main.environments,
      invocations: main.invocations,
      beatsSent: mainBeats.beats,
      beatsLost: mainBeats.lost,
      beatsExtra: mainBeats.extra,
      refusedRecords: main.tally.refusedRecords,
      recordsDiscarded: main.discarded,
      seconds: main.seconds,
      recordsPerSecond: main.records / main.seconds,
      deviceSecondsPerSecond: main.deviceSeconds / main.seconds,
      beatsPerSecond: mainBeats.beats / main.seconds,
      peakRssMiB: mib(main.memory.rssBytes),
      peakHeapMiB: mib(main.memory.heapUsedBytes),
      heapGrowthMiB: mib(main.memory.heapUsedBytes - main.memory.baselineHeapBytes),
      liveHeapGrowthMiB: mib(main.liveHeapGrowthBytes),
      liveHeapPerDeviceKiB: main.liveHeapGrowthBytes / count / 1024,
      timeouts: main.timeouts,
      longestInvocationSeconds: main.longestInvocationMs / 1000,
      overCap: {
        devices: capCount,
        maxDevices: cap,
        kept: kept.length,
        refused,
        keptBeats: keptBeats.beats,
        keptBeatsLost: keptBeats.lost,
        keptBeatsExtra: keptBeats.extra,
        refusedDevicesMetric: capped.tally.refusedDevices,
        refusedRecordsMetric: capped.tally.refusedRecords,
        refusedDevicesRecords: refused * recordsPerDevice,
        evictions: capped.tally.evictions,
        segmenterRestarts: capped.tally.segmenterRestarts,
        seconds: capped.seconds,
        recordsPerSecond: capped.records / capped.seconds,
        peakRssMiB: mib(capped.memory.rssBytes),
        peakHeapMiB: mib(capped.memory.heapUsedBytes),
      },
    };
    const failures = [
      mainBeats.lost > 0 || mainBeats.extra > 0 ? `${mainBeats.lost} beats lost and ${mainBeats.extra} extra below the cap` : '',
      keptBeats.lost > 0 || keptBeats.extra > 0
        ? `${keptBeats.lost} beats lost and ${keptBeats.extra} extra by the devices kept over the cap`
        : '',
      kept.length !== Math.min(cap, capCount) ? `${kept.length} devices kept over the cap, expected ${Math.min(cap, capCount)}` : '',
      capped.tally.refusedRecords !== refused * recordsPerDevice ? 'refused records do not add up to the refused devices' : '',
    ].filter((f) => f !== '');
    if (failures.length > 0) throw new Error(`load: ${failures.join('; ')}`);
    return result;
  },
};
export default suite;
