import { gunzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDetectHandler } from '../../functions/detect';
import { createAwsClients, type AwsClients } from '../../src/aws/clients';
import { seedModel } from '../../src/aws/model-store';
import { decodeWireRecord } from '../../src/contract/wire';
import { loadBeatModel } from '../../src/model/beat-model';
import type { AlertMessage, AlertSnippet, DetectSinks } from '../../src/detect/ports';
import { isEpisodeAlert } from '../../src/detect/alert-message';
import { Detector, type BatchResult } from '../../src/detect/process-batch';
import { loadMitdbRecord } from '../../src/ecg/mitdb';
import { EC57_MATCH_WINDOW_SECONDS } from '../../src/ecg/match-beats';
import { readWfdbRecord } from '../../src/ecg/wfdb-record';
import { cutWireRecord, recordCount, type SimulatedDevice } from '../../src/local/device-records';
import { simulateDevices } from '../../src/local/device-simulator';
import { startLocalStack, type LocalStack } from '../../src/local/emulators';
import { startEventSourcePoller } from '../../src/local/event-source-poller';
import { alertSentKey } from '../../src/contract/s3-layout';
import { startArchiver } from '../../src/local/archiver';
import { provisionLocalResources, type LocalResources } from '../../src/local/provision';
import { receiveSnsNotifications, type SnsNotification } from '../../src/local/sns-subscriber';

const MODEL_TEXT = readFileSync(fileURLToPath(new URL('../../data/default-model/model.json', import.meta.url)), 'utf8');
const MITDB = fileURLToPath(new URL('../../data/mitdb', import.meta.url));
const START = Date.UTC(2026, 10, 26, 12, 0, 0);
const SECONDS = 90;
/**
 * Alerts the default model raises on the first 90 s of record 119 (25 annotated V beats, in
 * bigeminy runs; the alert policy's cooldown merges each run into one alert).
 */
const MIN_119_ALERTS = 2;

/** Times (epoch ms, streamed from START) of the ventricular (V) beats annotated in 119.atr within the streamed seconds. */
function annotatedVentricularBeats(): number[] {
  const rec = loadMitdbRecord(MITDB, '119');
  const out: number[] = [];
  rec.beatSamples.forEach((sample, i) => {
    if (rec.beatSymbols[i] === 'V' && sample < SECONDS * rec.fs) out.push(START + (sample / rec.fs) * 1000);
  });
  return out;
}

/** A 20 s learning period so the 90 s streamed raise warnings too (the product's 300 s would hold them all). */
const LEARNING_SECONDS = 20;

function device(record: string, id: string): SimulatedDevice {
  const rec = readWfdbRecord(`${MITDB}/${record}`);
  return { deviceId: id, signal: rec.signals[0].samples.subarray(0, SECONDS * rec.fs), fs: rec.fs };
}

/** The alerts the detector raises on these devices' records, computed in memory (no emulators). */
async function expectedAlerts(devices: SimulatedDevice[]): Promise<AlertMessage[]> {
  const published: AlertMessage[] = [];
  const sinks: DetectSinks = {
    quarantine: async () => {},
    putSnippet: async () => {},
    publishAlert: async (m) => void (isEpisodeAlert(m) || published.push(m)),
  };
  const detector = new Detector(sinks, decodeWireRecord, { learningSeconds: LEARNING_SECONDS });
  const model = loadBeatModel(MODEL_TEXT);
  const scratch = new Float32Array(4096);
  let id = 0;
  for (const d of devices) {
    const records = Array.from({ length: recordCount(d.signal.length, d.fs, 1) }, (_, seq) => ({
      id: String(id++),
      data: Buffer.from(cutWireRecord(d, seq, START, 1, scratch).text),
      arrivedAt: START,
    }));
    await detector.processBatch(records, model);
  }
  return published;
}

async function listKeys(aws: AwsClients, bucket: string, prefix: string): Promise<string[]> {
  const out = await aws.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  return (out.Contents ?? []).map((o) => o.Key as string);
}

async function readObject(aws: AwsClients, bucket: string, key: string): Promise<Uint8Array> {
  const out = await aws.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return (await out.Body?.transformToByteArray()) ?? new Uint8Array(0);
}

describe('detect handler against the local emulators', () => {
  let stack: LocalStack;
  let aws: AwsClients;
  let res: LocalResources;

  beforeAll(async () => {
    stack = await startLocalStack();
    aws = createAwsClients({ endpoint: stack.endpoints, region: stack.region });
    res = await provisionLocalResources(aws, { shardCount: 1 });
    await seedModel(aws.s3, res.bucket, MODEL_TEXT, { promotedAt: new Date(START) });
  });

  afterAll(async () => {
    aws?.destroy();
    await stack?.stop();
  });

  it('records in, alerts out on SNS, on record 119 annotated V beats; poison quarantined; duplicates and an SNS failure neither lose nor double an alert; history archived', async () => {
    const devices = [device('119', 'dev-int-119'), device('100', 'dev-int-100')];
    const expected = await expectedAlerts(devices);
    expect(expected.length).toBeGreaterThan(0); // 119 is in ventricular bigeminy within 90 s

    // The SNS publish of the first alert fails once: the device's records are retried.
    let publishAttempts = 0;
    const results: BatchResult[] = [];
    // EMF lines would flood the test output; the metrics code path still runs.
    process.env.POWERTOOLS_METRICS_DISABLED = 'true';
    const handler = createDetectHandler({
      env: { BUCKET_NAME: res.bucket, TOPIC_ARN: res.topicArn, LEARNING_SECONDS: String(LEARNING_SECONDS) },
      aws,
      logger: new Logger({ logLevel: 'SILENT' }),
      metrics: new Metrics({ namespace: 'beatwatch-test', logger: { warn: () => {} } as unknown as Console }),
      wrapSinks: (sinks) => ({
        ...sinks,
        publishAlert: async (m) => {
          if (!isEpisodeAlert(m) && ++publishAttempts === 1) throw new Error('injected SNS outage');
          await sinks.publishAlert(m);
        },
      }),
      onBatch: (r) => results.push(r),
    });
    const poller = await startEventSourcePoller({
      kinesis: aws.kinesis,
      streamName: res.streamName,
      handler,
      batchSize: 50,
      retryBackoffMs: 10,
    });
    const archiver = await startArchiver({
      kinesis: aws.kinesis,
      s3: aws.s3,
      streamName: res.streamName,
      bucket: res.bucket,
      bufferIntervalMs: 500,
    });
    try {
      const sent = await simulateDevices({ kinesis: aws.kinesis, streamName: res.streamName, devices, speed: 'max', startTime: START });
      // Two poison records, then a replay of the 5 records that raised the first alert (duplicates).
      const alertSeq = Math.floor((expected[0].to - START) / 1000);
      const scratch = new Float32Array(4096);
      const replay = [0, 1, 2, 3, 4]
        .map((k) => alertSeq - 4 + k)
        .map((seq) => ({ PartitionKey: devices[0].deviceId, Data: Buffer.from(cutWireRecord(devices[0], seq, START, 1, scratch).text) }));
      await aws.kinesis.send(
        new PutRecordsCommand({
          StreamName: res.streamName,
          Records: [
            { PartitionKey: 'dev-int-119', Data: Buffer.from('{"v":2,"deviceId":"dev-int-119"}') },
            { PartitionKey: 'x', Data: Buffer.from('not json at all') },
            ...replay,
          ],
        }),
      );
      await poller.drain(45_000);
      await archiver.drain(15_000);

      // Alerts on SNS, received by the SQS subscriber: exactly the expected ones, once each.
      const received: SnsNotification[] = [];
      for (let empty = 0; empty < 2;) {
        const batch = await receiveSnsNotifications(aws.sqs, res.alertQueueUrl, 1);
        received.push(...batch);
        empty = batch.length === 0 ? empty + 1 : 0;
      }
      // Beat alerts only: rhythm and technical episode alerts (issue 13) share the topic.
      const ids = received
        .map((n) => JSON.parse(n.message) as AlertMessage)
        .filter((m) => (m.kind ?? 'beat') === 'beat')
        .map((m) => m.id);
      expect(ids.sort()).toEqual(expected.map((a) => a.id).sort());
      expect(received[0].attributes.severity).toMatch(/^(warning|critical)$/);
      expect(received.every((n) => n.attributes.deviceId === 'dev-int-119')).toBe(true);
      expect(publishAttempts).toBe(expected.length + 1);
      expect(poller.stats.partialFailures).toBeGreaterThanOrEqual(1);
      // Each alert's snippet is in S3 under its snippetKey, beside the marker saying its message went out.
      const objects = await listKeys(aws, res.bucket, 'alerts/');
      const snippets = objects.filter((k) => !k.endsWith('.sent.json'));
      expect(snippets.sort()).toEqual(expected.map((a) => a.snippetKey).sort());
      for (const a of expected) expect(objects).toContain(alertSentKey(a.id, a.from));

      // The alerts are about 119's annotated ventricular beats: each alert's span (1 s of slack
      // either side) holds at least one, and each beat its snippet marks anomalous is one of them
      // (within EC57's 150 ms match window).
      const ventricular = annotatedVentricularBeats();
      expect(ventricular.length).toBeGreaterThan(0);
      const alerts = received.map((n) => JSON.parse(n.message) as AlertMessage).filter((m) => (m.kind ?? 'beat') === 'beat');
      expect(alerts.length).toBeGreaterThanOrEqual(MIN_119_ALERTS);
      for (const a of alerts) {
        const held = ventricular.filter((t) => t >= a.from - 1000 && t <= a.to + 1000);
        expect(held.length, `alert ${a.id} (${a.from - START}-${a.to - START} ms) holds no annotated V beat`).toBeGreaterThan(0);
        const snippet = JSON.parse(Buffer.from(await readObject(aws, res.bucket, a.snippetKey)).toString()) as AlertSnippet;
        const flagged = snippet.beats.filter((b) => b.anomalous);
        expect(flagged.length).toBe(a.anomalousBeats);
        for (const b of flagged)
          expect(
            ventricular.some((t) => Math.abs(t - b.t) <= EC57_MATCH_WINDOW_SECONDS * 1000),
            `anomalous beat at ${b.t - START} ms is not an annotated V beat`,
          ).toBe(true);
      }

      // Poison records quarantined with their reasons; the rest of their batches went through.
      const rejected = await listKeys(aws, res.bucket, 'rejected/');
      expect(rejected).toHaveLength(2);
      const reasons = await Promise.all(
        rejected.map(async (k) => JSON.parse(Buffer.from(await readObject(aws, res.bucket, k)).toString()).reason as string),
      );
      expect(reasons.sort()).toEqual(['record is not JSON', 'unknown format version v=2']);

      const total = (f: keyof BatchResult['counts']) => results.reduce((n, r) => n + r.counts[f], 0);
      expect(total('rejected')).toBe(2);
      expect(total('duplicates')).toBeGreaterThanOrEqual(5);
      expect(total('failedAlerts')).toBe(1);

      // History: every record of the stream archived (gzip, a newline after each record) under hour prefixes.
      const history = await listKeys(aws, res.bucket, 'history/');
      expect(history.length).toBeGreaterThan(0);
      expect(history.every((k) => /^history\/\d{4}\/\d{2}\/\d{2}\/\d{2}\/.+\.gz$/.test(k))).toBe(true);
      let lines = 0;
      for (const key of history)
        lines += gunzipSync(await readObject(aws, res.bucket, key))
          .toString('utf8')
          .split('\n')
          .filter((l) => l !== '').length;
      expect(lines).toBe(sent.records + 2 + 5);
    } finally {
      await poller.stop();
      await archiver.stop();
      delete process.env.POWERTOOLS_METRICS_DISABLED;
    }
  });
});
