/**
 * Fault injection (issue "No silent loss"): the real decoder, the default model, the production
 * segmenter and the detector, fed MIT-BIH 119 as 1 s wire records, once cleanly and once with a
 * fault. Each case asserts the beats and alerts that come out against the clean run: equal, or
 * short by a documented bound (the beats inside a bad record and a segmenter warm-up after it).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { _Record as KinesisRecord } from '@aws-sdk/client-kinesis';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { PublishCommand } from '@aws-sdk/client-sns';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { beforeAll, describe, expect, it } from 'vitest';
import { createDetectHandler } from '../../functions/detect';
import type { AwsClients } from '../../src/aws/clients';
import { MAX_FS, MIN_FS } from '../../src/contract/wire-validate';
import { decodeWireRecord, encodeWireRecord } from '../../src/contract/wire';
import { Detector, type BatchResult, type DetectorOptions, type InputRecord, type ScoredBeat } from '../../src/detect/process-batch';
import { isEpisodeAlert } from '../../src/detect/alert-message';
import type { AlertMessage, AnyAlertMessage, DetectSinks, Rejection } from '../../src/detect/ports';
import { readWfdbRecord } from '../../src/ecg/wfdb-record';
import { deliverBatch, emptyDeliveryStats, type DeliveryStats } from '../../src/local/batch-delivery';
import { resolveMapping } from '../../src/local/event-source-config';
import { FunctionRuntime } from '../../src/local/execution-environment';
import { loadBeatModel, type LoadedBeatModel } from '../../src/model/beat-model';

const MODEL_TEXT = readFileSync(fileURLToPath(new URL('../../data/default-model/model.json', import.meta.url)), 'utf8');
const MITDB = fileURLToPath(new URL('../../data/mitdb', import.meta.url));
const START = Date.UTC(2026, 10, 26, 12, 0, 0);
const SECONDS = 90;
/** Short learning so that the 90 s raise warnings (record 119: ventricular bigeminy). */
const LEARNING_SECONDS = 20;
/** Records per batch, as a small Kinesis batch. */
const BATCH = 10;
/**
 * The documented bound after a segmenter restart (device reset, forged or dropped record): the
 * QRS detector's 2 s learning period plus a beat window, rounded up.
 */
const WARM_UP_MS = 4000;

interface Rec {
  seq: number;
  t0: number;
  samples: Float32Array;
  deviceId: string;
}

let model: LoadedBeatModel;
let signal: Float32Array;
let fs: number;

beforeAll(() => {
  model = loadBeatModel(MODEL_TEXT);
  const rec = readWfdbRecord(`${MITDB}/119`);
  fs = rec.fs;
  signal = rec.signals[0].samples.subarray(0, SECONDS * fs);
});

/** The device's clean records: seq i, t0 = START + i s. */
function cleanRecords(deviceId = 'dev-fault'): Rec[] {
  return Array.from({ length: SECONDS }, (_, i) => ({
    deviceId,
    seq: i,
    t0: START + i * 1000,
    samples: signal.slice(i * fs, (i + 1) * fs),
  }));
}

function wire(r: Rec): Uint8Array {
  return Buffer.from(encodeWireRecord({ deviceId: r.deviceId, seq: r.seq, t0: r.t0, fs, samples: r.samples }));
}

/** Input records arriving one per second of stream time (as a live device sends them). */
function inputs(payloads: Uint8Array[]): InputRecord[] {
  return payloads.map((data, i) => ({ id: String(100_000 + i), data, arrivedAt: START + i * 1000 }));
}

interface Run {
  beats: ScoredBeat[];
  alerts: AlertMessage[];
  quarantined: Rejection[];
  counts: BatchResult['counts'];
}

async function run(input: InputRecord[], options: DetectorOptions = {}): Promise<Run> {
  const alerts: AlertMessage[] = [];
  const quarantined: Rejection[] = [];
  const sinks: DetectSinks = {
    quarantine: async (r) => void quarantined.push(r),
    putSnippet: async () => {},
    // Beat alerts: the cases compare them with the clean run (episodes have their own tests).
    publishAlert: async (m) => void (isEpisodeAlert(m) ? undefined : alerts.push(m)),
  };
  const detector = new Detector(sinks, decodeWireRecord, { learningSeconds: LEARNING_SECONDS, ...options });
  const beats: ScoredBeat[] = [];
  let counts: BatchResult['counts'] | undefined;
  for (let i = 0; i < input.length; i += BATCH) {
    const result = await detector.processBatch(input.slice(i, i + BATCH), model);
    expect(result.failedRecordIds).toEqual([]);
    beats.push(...result.beats);
    counts = counts === undefined ? { ...result.counts } : sum(counts, result.counts);
  }
  return { beats, alerts, quarantined, counts: counts as BatchResult['counts'] };
}

function sum(a: BatchResult['counts'], b: BatchResult['counts']): BatchResult['counts'] {
  const out = { ...a };
  for (const key of Object.keys(b) as (keyof typeof b)[]) out[key] = a[key] + b[key];
  return out;
}

const beatKey = (b: ScoredBeat) => `${b.deviceId}@${b.t}`;

/** Beats of `clean` missing from `faulty` (by device and time). */
function lostBeats(clean: Run, faulty: Run): ScoredBeat[] {
  const seen = new Set(faulty.beats.map(beatKey));
  return clean.beats.filter((b) => !seen.has(beatKey(b)));
}

let clean: Run;

describe('fault injection: beats and alerts against the same signal sent cleanly', () => {
  beforeAll(async () => {
    clean = await run(inputs(cleanRecords().map(wire)));
    expect(clean.beats.length).toBeGreaterThan(80);
    expect(clean.alerts.length).toBeGreaterThanOrEqual(2);
  });

  describe('poison records are quarantined with a reason; their neighbours are untouched', () => {
    const id = 'dev-fault';
    const valid = (over: Record<string, unknown>) =>
      Buffer.from(JSON.stringify({ v: 1, deviceId: id, seq: 5, t0: START + 5000, fs: 360, unit: 'mV', samples: [0, 0.1], ...over }));
    const poisons: [string, () => Uint8Array][] = [
      ['bad JSON', () => Buffer.from('{"v":1,"deviceId":')],
      ['bad UTF-8', () => Uint8Array.of(0x7b, 0xff, 0xfe, 0x7d)],
      ['unknown v', () => valid({ v: 7 })],
      ['missing deviceId', () => valid({ deviceId: undefined })],
      ['missing seq', () => valid({ seq: undefined })],
      ['missing samples', () => valid({ samples: undefined })],
      ['NaN sample (not JSON)', () => Buffer.from(`{"v":1,"deviceId":"${id}","seq":5,"t0":${START},"fs":360,"samples":[0,NaN]}`)],
      ['infinite sample', () => Buffer.from(`{"v":1,"deviceId":"${id}","seq":5,"t0":${START},"fs":360,"samples":[0,1e999]}`)],
      ['empty samples', () => valid({ samples: [] })],
      ['oversized samples', () => valid({ samples: new Array(60 * 360 + 1).fill(0) })],
      ['fs 0', () => valid({ fs: 0 })],
      ['fs 60 (not processable)', () => valid({ fs: 60 })],
      ['fs as a string', () => valid({ fs: '360' })],
      ['negative seq', () => valid({ seq: -1 })],
      ['fractional seq', () => valid({ seq: 1.5 })],
      ['t0 beyond Date', () => valid({ t0: 1e20 })],
      ['t0 as a string', () => valid({ t0: 'now' })],
      ['unknown unit', () => valid({ unit: 'uV' })],
      ['adu without gain', () => valid({ unit: 'adu' })],
      ['gain 0', () => valid({ unit: 'adu', gain: 0 })],
      ['prototype keys', () => Buffer.from(`{"__proto__":{"v":1,"deviceId":"${id}","seq":5,"t0":${START},"fs":360,"samples":[0]}}`)],
      ['constructor key', () => Buffer.from(`{"constructor":{"prototype":{"polluted":true}},"v":1}`)],
      ['deep nesting', () => Buffer.from(`{"v":1,"x":${'['.repeat(200_000)}${']'.repeat(200_000)}}`)],
      ['over 1 MiB', () => Buffer.from(`{"v":1,"pad":"${'x'.repeat(1024 * 1024)}"}`)],
    ];

    it.each(poisons)('%s', async (_name, make) => {
      const payloads = cleanRecords().map(wire);
      // The poison goes in the middle of a batch, between two records of the same device.
      payloads.splice(44, 0, make());
      const faulty = await run(inputs(payloads));
      expect(faulty.quarantined).toHaveLength(1);
      expect(faulty.quarantined[0].reason).toMatch(/\S/);
      expect(faulty.beats.map(beatKey)).toEqual(clean.beats.map(beatKey));
      expect(faulty.alerts.map((a) => a.id)).toEqual(clean.alerts.map((a) => a.id));
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });
  });

  it('a device that restarts its seq at 0 (t0 going on) resumes: one counted restart, beats lost only in the warm-up', async () => {
    const records = cleanRecords();
    const at = 45;
    for (let i = at; i < records.length; i++) records[i].seq = i - at;
    const faulty = await run(inputs(records.map(wire)));
    expect(faulty.counts.deviceRestarts).toBe(1);
    expect(faulty.counts.duplicates).toBe(0);
    const resetAt = START + at * 1000;
    const lost = lostBeats(clean, faulty);
    // Bound: the beats whose window (up to 1 s after R) the old segmenter did not see complete,
    // and the new segmenter's warm-up.
    expect(lost.filter((b) => b.t < resetAt - 1000 || b.t >= resetAt + WARM_UP_MS)).toEqual([]);
    expect(lost.length).toBeLessThanOrEqual(5);
    // Every alert outside the warm-up still goes out, with the same id.
    const ids = new Set(faulty.alerts.map((a) => a.id));
    for (const a of clean.alerts) if (a.from < resetAt || a.from >= resetAt + WARM_UP_MS + 10_000) expect(ids).toContain(a.id);
  });

  it.each([
    ['seq 10^15', (r: Rec) => ({ ...r, seq: 1e15 })],
    ['seq +500 and t0 a year ahead', (r: Rec) => ({ ...r, seq: r.seq + 500, t0: r.t0 + 365 * 86_400_000 })],
  ])('a forged record (%s) is quarantined as implausible and mutes nothing', async (_name, forge) => {
    const records = cleanRecords();
    const payloads = records.map(wire);
    payloads.splice(40, 0, wire(forge(records[40])));
    const faulty = await run(inputs(payloads));
    expect(faulty.counts.implausibleRecords).toBe(1);
    expect(faulty.quarantined.map((q) => q.reason)).toEqual([expect.stringMatching(/^implausible record: /)]);
    expect(faulty.beats.map(beatKey)).toEqual(clean.beats.map(beatKey));
    expect(faulty.alerts.map((a) => a.id)).toEqual(clean.alerts.map((a) => a.id));
  });

  it('a forged copy of the next record with t0 a year ahead costs nothing: the timeline absorbs both jumps', async () => {
    const records = cleanRecords();
    const payloads = records.map(wire);
    payloads.splice(40, 0, wire({ ...records[40], t0: records[40].t0 + 365 * 86_400_000 }));
    const faulty = await run(inputs(payloads));
    expect(faulty.counts.clockJumps).toBe(2); // forward onto the forged record, back off it
    expect(faulty.counts.duplicates).toBe(1); // the real copy
    expect(lostBeats(clean, faulty)).toEqual([]);
    expect(faulty.alerts.map((a) => a.id)).toEqual(clean.alerts.map((a) => a.id));
  });

  it.each([
    ['back 1 h (NTP correction)', -3_600_000],
    ['back 5 s', -5000],
    ['forward 2 h (time zone bug)', 2 * 3_600_000],
  ])('a device clock that jumps %s: counted, rebased, no beat or alert lost', async (_name, jump) => {
    const records = cleanRecords();
    for (let i = 50; i < records.length; i++) records[i].t0 += jump;
    const faulty = await run(inputs(records.map(wire)));
    expect(faulty.counts.clockJumps).toBe(1);
    expect(faulty.counts.alreadyPublished).toBe(0);
    expect(faulty.beats.map(beatKey)).toEqual(clean.beats.map(beatKey));
    expect(faulty.alerts.map((a) => a.id)).toEqual(clean.alerts.map((a) => a.id));
  });

  it('one record of absurd amplitude (±10^4 mV): flagged and clipped; the QRS detector recovers at once', async () => {
    const records = cleanRecords();
    const bad = 50;
    records[bad].samples = records[bad].samples.map((_, i) => 1e4 * Math.sin(i * 1.7));
    const faulty = await run(inputs(records.map(wire)));
    expect(faulty.counts.amplitudeFlagged).toBe(1);
    const from = START + bad * 1000;
    const lost = lostBeats(clean, faulty);
    // Bound: the beats whose confirmation window (0.5 s) reaches into the bad record, those
    // inside it, and the 2 s after it.
    expect(lost.filter((b) => b.t < from - 500 || b.t >= from + 3000)).toEqual([]);
    const ids = new Set(faulty.alerts.map((a) => a.id));
    for (const a of clean.alerts) if (a.to < from || a.from >= from + 3000 + 10_000) expect(ids).toContain(a.id);
  });

  it('more devices than the cap: the devices in memory keep every beat, the one refused is counted, a quiet device gives way', async () => {
    const devices = ['dev-a', 'dev-b', 'dev-c', 'dev-d'];
    const perDevice = devices.map((d) => cleanRecords(d).slice(0, 30));
    // Round r: every device sends record r, all arriving at second r.
    const interleave = (active: (d: number, r: number) => boolean) => {
      const out: InputRecord[] = [];
      for (let r = 0; r < 30; r++)
        perDevice.forEach((recs, d) => {
          if (active(d, r)) out.push({ id: `${d}-${r}`, data: wire(recs[r]), arrivedAt: START + r * 1000 });
        });
      return out;
    };
    const all = await run(
      interleave(() => true),
      { maxDevices: 10 },
    );
    const capped = await run(
      interleave(() => true),
      { maxDevices: 3 },
    );
    const of = (r: Run, d: string) => r.beats.filter((b) => b.deviceId === d).map(beatKey);
    for (const d of devices.slice(0, 3)) expect(of(capped, d)).toEqual(of(all, d));
    expect(of(capped, 'dev-d')).toEqual([]);
    expect(capped.counts).toMatchObject({ refusedRecords: 30, evictions: 0, segmenterRestarts: 0 });
    // dev-a falls silent after 10 s: 5 s later dev-d takes its place (one eviction), and keeps it.
    const handover = await run(
      interleave((d, r) => d !== 0 || r < 10),
      { maxDevices: 3, evictIdleMs: 5000 },
    );
    expect(handover.counts.evictions).toBe(1);
    // dev-d's first records, until the batch in which dev-a has been idle 5 s (round 14 or so,
    // by batch boundaries): refused, counted.
    expect(handover.counts.refusedRecords).toBeGreaterThanOrEqual(12);
    expect(handover.counts.refusedRecords).toBeLessThanOrEqual(15);
    expect(of(handover, 'dev-d').length).toBeGreaterThan(10);
    for (const d of ['dev-b', 'dev-c']) expect(of(handover, d)).toEqual(of(all, d));
  });

  it('accepts exactly what the detector can process: every accepted fs segments, every other is refused at the wire', async () => {
    const segmentable = (rate: number) => {
      try {
        model.segmenters.create(rate).push(new Float32Array(Math.ceil(rate)));
        return true;
      } catch {
        return false;
      }
    };
    for (const rate of [MIN_FS, MIN_FS + 0.5, 128, 250, 360, 500, 999.9, MAX_FS, 50, 60, 99.9, 1000.1, 1500, 2000]) {
      const decoded = decodeWireRecord(JSON.stringify({ v: 1, deviceId: 'd', seq: 0, t0: START, fs: rate, samples: [0] }));
      expect({ rate, accepted: decoded.ok }).toEqual({ rate, accepted: segmentable(rate) });
    }
  });
});

describe('fault injection: no usable model at a cold start', () => {
  it('the batch is held, not bisected or discarded, until a model is published; then every beat comes out', async () => {
    const objects = new Map<string, string>();
    const s3 = {
      send: async (cmd: unknown) => {
        if (cmd instanceof GetObjectCommand) {
          const text = objects.get(cmd.input.Key as string);
          if (text === undefined) throw Object.assign(new Error('NoSuchKey'), { name: 'NoSuchKey', $metadata: { httpStatusCode: 404 } });
          return { Body: { transformToString: async () => text }, ETag: `"${text.length}"` };
        }
        if (cmd instanceof PutObjectCommand) return {};
        throw new Error('unexpected S3 command');
      },
    };
    const sns = { send: async (cmd: unknown) => (cmd instanceof PublishCommand ? { MessageId: 'm' } : {}) };
    process.env.POWERTOOLS_METRICS_DISABLED = 'true';
    let invocations = 0;
    const beats: number[] = [];
    const handler = createDetectHandler({
      env: { BUCKET_NAME: 'b', TOPIC_ARN: 'arn:aws:sns:us-east-1:000000000000:t', MODEL_REVALIDATE_MS: '0', LEARNING_SECONDS: '20' },
      aws: { s3, sns } as unknown as AwsClients,
      logger: new Logger({ logLevel: 'SILENT' }),
      metrics: new Metrics({ namespace: 't', logger: { warn: () => {} } as unknown as Console }),
      onBatch: (r) => void beats.push(r.counts.beatsScored),
    });
    // The model is published after the third failed invocation.
    const sha256 = createHash('sha256').update(MODEL_TEXT).digest('hex');
    const counted: (...args: Parameters<typeof handler>) => ReturnType<typeof handler> = async (event, context) => {
      if (++invocations === 4) {
        objects.set('models/v/model.json', MODEL_TEXT);
        objects.set('models/current.json', JSON.stringify({ version: model.version, key: 'models/v/model.json', sha256, promotedAt: 'x' }));
      }
      return handler(event, context);
    };
    const records: KinesisRecord[] = cleanRecords()
      .slice(0, 20)
      .map((r, i) => ({
        SequenceNumber: String(5000 + i),
        PartitionKey: r.deviceId,
        Data: wire(r),
        ApproximateArrivalTimestamp: new Date(),
      }));
    const stats: DeliveryStats = emptyDeliveryStats();
    const mapping = resolveMapping({
      bisectBatchOnFunctionError: true,
      reportBatchItemFailures: true,
      maximumRetryAttempts: -1,
      retryBackoffMs: 1,
    });
    await deliverBatch(records, {
      shardId: 'shardId-000000000000',
      identity: {
        streamArn: 'arn:aws:kinesis:us-east-1:000000000000:stream/s',
        region: 'us-east-1',
        accountId: '000000000000',
        functionName: 'f',
      },
      mapping,
      runtime: new FunctionRuntime({ handler: counted }, 'shardId-000000000000'),
      stats,
      stopping: () => false,
    });
    expect(stats).toMatchObject({ invocations: 4, bisections: 0, recordsDiscarded: 0, functionErrors: 0, recordsSucceeded: 20 });
    const reference = await run(inputs(cleanRecords().slice(0, 20).map(wire)));
    expect(beats.reduce((a, b) => a + b, 0)).toBe(reference.beats.length);
  });
});

describe('fault injection: a local invocation that outlives its timeout', () => {
  const TIMEOUT_MS = 3000;
  const sha256 = () => createHash('sha256').update(MODEL_TEXT).digest('hex');

  /**
   * The real detect handler, S3 and SNS faked in memory, fed the 60 s of 119 as one batch through
   * the local mapping's delivery. With `hang`, the first SNS publish of the first execution
   * environment hangs past the timeout and then fails or goes through.
   */
  async function deliver(hang: 'none' | 'then fails' | 'then succeeds') {
    const objects = new Map<string, string>([
      ['models/v/model.json', MODEL_TEXT],
      ['models/current.json', JSON.stringify({ version: model.version, key: 'models/v/model.json', sha256: sha256(), promotedAt: 'x' })],
    ]);
    const s3 = {
      send: async (cmd: unknown) => {
        if (cmd instanceof GetObjectCommand) {
          const text = objects.get(cmd.input.Key as string);
          if (text === undefined) throw Object.assign(new Error('NoSuchKey'), { name: 'NoSuchKey', $metadata: { httpStatusCode: 404 } });
          return { Body: { transformToString: async () => text }, ETag: `"${text.length}"` };
        }
        if (cmd instanceof PutObjectCommand) return {};
        throw new Error('unexpected S3 command');
      },
    };
    const published: AnyAlertMessage[] = [];
    const sns = {
      send: async (cmd: unknown) => {
        if (cmd instanceof PublishCommand) published.push(JSON.parse(cmd.input.Message as string) as AnyAlertMessage);
        return { MessageId: 'm' };
      },
    };
    process.env.POWERTOOLS_METRICS_DISABLED = 'true';
    const beats: string[] = [];
    let late: Promise<void> | undefined;
    const runtime = new FunctionRuntime(
      {
        createHandler: ({ signal }) =>
          createDetectHandler({
            // No patient adaptation: a profile saved by the first environment would make the
            // retry's device learned from its first beat, which is beside the point here.
            env: { BUCKET_NAME: 'b', TOPIC_ARN: 'arn:aws:sns:us-east-1:000000000000:t', ADAPTATION: 'off' },
            aws: { s3, sns } as unknown as AwsClients,
            signal,
            logger: new Logger({ logLevel: 'SILENT' }),
            metrics: new Metrics({ namespace: 't', logger: { warn: () => {} } as unknown as Console }),
            onBatch: (r) => void beats.push(...r.beats.map(beatKey)),
            wrapSinks: (sinks) => ({
              ...sinks,
              publishAlert: async (m) => {
                if (hang !== 'none' && late === undefined) {
                  late = new Promise((r) => setTimeout(r, 2 * TIMEOUT_MS));
                  await late;
                  if (hang === 'then fails') throw new Error('SNS: request timed out');
                }
                await sinks.publishAlert(m);
              },
            }),
          }),
      },
      'shardId-000000000000',
    );
    // A lead that comes off for 12 s in the middle: the technical alert it raises is the alert
    // whose publication hangs (an alert the signal raises whatever the clinical rules decide).
    const records: KinesisRecord[] = cleanRecords()
      .slice(0, 60)
      .map((r, i) => (i >= 20 && i < 32 ? { ...r, samples: new Float32Array(r.samples.length).fill(r.samples[0]) } : r))
      .map((r, i) => ({
        SequenceNumber: String(7000 + i),
        PartitionKey: r.deviceId,
        Data: wire(r),
        ApproximateArrivalTimestamp: new Date(START + i * 1000),
      }));
    const stats = emptyDeliveryStats();
    await deliverBatch(records, {
      shardId: 'shardId-000000000000',
      identity: {
        streamArn: 'arn:aws:kinesis:us-east-1:000000000000:stream/s',
        region: 'us-east-1',
        accountId: '000000000000',
        functionName: 'f',
      },
      mapping: resolveMapping({ timeoutMs: TIMEOUT_MS, retryBackoffMs: 1 }),
      runtime,
      stats,
      stopping: () => false,
    });
    // Let the abandoned invocation finish whatever it still does.
    await late;
    await new Promise((r) => setTimeout(r, 50));
    return { beats, ids: published.map((m) => m.id), stats, environments: runtime.environments };
  }

  let reference: Awaited<ReturnType<typeof deliver>>;
  beforeAll(async () => {
    reference = await deliver('none');
    expect(reference.ids.length).toBeGreaterThan(0);
    expect(reference.beats.length).toBeGreaterThan(50);
  }, 60_000);

  it.each(['then fails', 'then succeeds'] as const)(
    'SNS hangs past the timeout %s: the retry in a fresh environment sends every beat and alert once, the late invocation nothing',
    async (hang) => {
      const faulty = await deliver(hang);
      expect(faulty.stats).toMatchObject({ timeouts: 1, recordsDiscarded: 0, recordsSucceeded: 60 });
      expect(faulty.environments).toBe(2);
      expect(faulty.beats).toEqual(reference.beats);
      expect(faulty.ids).toEqual(reference.ids);
    },
    60_000,
  );
});
