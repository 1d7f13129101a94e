import { gzipSync } from 'node:zlib';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertWasSent, createDetectSinks } from '../../src/aws/alert-publisher';
import { createAwsClients, type AwsClients } from '../../src/aws/clients';
import { listHistoryKeys, readHistory, type HistoryProblem } from '../../src/aws/history-reader';
import { putHistoryObject } from '../../src/aws/history-writer';
import {
  createS3ModelSource,
  PointerConflictError,
  promoteModel,
  putModelVersion,
  readModelPointer,
  sha256Hex,
} from '../../src/aws/model-store';
import { encodeWireRecord } from '../../src/contract/wire';
import type { AlertMessage } from '../../src/detect/ports';
import { startFauxqsEmulator, type FauxqsEmulator } from '../../src/local/fauxqs-emulator';
import { provisionLocalResources } from '../../src/local/provision';
import { receiveSnsNotifications } from '../../src/local/sns-subscriber';

const HOUR = 3_600_000;
const now = Date.UTC(2026, 10, 26, 19, 30);

function record(seq: number): string {
  return encodeWireRecord({ deviceId: 'dev-a', seq, t0: now + seq * 1000, fs: 100, samples: [0.1, -0.2, seq] });
}

async function keysUnder(aws: AwsClients, bucket: string, prefix: string): Promise<string[]> {
  const out = await aws.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  return (out.Contents ?? []).map((o) => o.Key as string);
}

describe('S3 and SNS adapters against fauxqs', () => {
  let fauxqs: FauxqsEmulator;
  let aws: AwsClients;
  const bucket = 'beatwatch-adapters';

  beforeAll(async () => {
    fauxqs = await startFauxqsEmulator({ mode: 'in-process' });
    // Only S3/SNS/SQS are needed here: Kinesis points at a closed port and is never called.
    aws = createAwsClients({
      endpoint: { s3: fauxqs.endpoint, sns: fauxqs.endpoint, sqs: fauxqs.endpoint, kinesis: 'http://127.0.0.1:9' },
      env: {},
    });
    await aws.s3.send(new CreateBucketCommand({ Bucket: bucket }));
  });

  afterAll(async () => {
    aws?.destroy();
    await fauxqs?.stop();
  });

  describe('history', () => {
    it('writes gzip records + newline under the arrival hour and reads back the window, skipping and counting bad input', async () => {
      const k1 = await putHistoryObject(aws.s3, bucket, [record(0), record(1)], { at: now - 2 * HOUR });
      const k2 = await putHistoryObject(aws.s3, bucket, [record(2), '{"v":2}', 'not json', record(3) + record(4)], { at: now });
      // Outside a 1-day window, and an object that is not gzip at all.
      await putHistoryObject(aws.s3, bucket, [record(99)], { at: now - 3 * 24 * HOUR });
      await aws.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'history/2026/11/26/18/broken.gz', Body: 'plain text, not gzip' }));
      // A gzip stream cut inside its trailer: the complete lines are kept, the object is counted.
      const full = gzipSync(`${record(5)}\n${record(6)}\n`);
      await aws.s3.send(
        new PutObjectCommand({ Bucket: bucket, Key: 'history/2026/11/26/17/truncated.gz', Body: full.subarray(0, full.length - 4) }),
      );

      expect(k1).toMatch(/^history\/2026\/11\/26\/17\/beatwatch-history-1-2026-11-26-17-30-00-[0-9a-f-]{36}\.gz$/);
      expect(k2.startsWith('history/2026/11/26/19/')).toBe(true);
      const raw = await aws.s3.send(new GetObjectCommand({ Bucket: bucket, Key: k1 }));
      expect(raw.ContentEncoding).toBeUndefined();

      const keys = await listHistoryKeys(aws.s3, bucket, { days: 1, now });
      expect(keys).toHaveLength(4);
      const problems: HistoryProblem[] = [];
      const { records, stats } = readHistory(aws.s3, bucket, { days: 1, now, onProblem: (p) => problems.push(p) });
      const seqs: number[] = [];
      for await (const { record: r } of records) seqs.push(r.seq);
      expect(seqs.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6]);
      expect(stats).toMatchObject({ objects: 4, records: 7, malformedRecords: 2, malformedObjects: 2 });
      // The second record of k2 starts after the first and its newline.
      expect(problems.find((p) => p.offset === Buffer.byteLength(record(2)) + 1)?.reason).toMatch(/unknown format version/);
      expect(
        problems
          .filter((p) => p.offset === undefined)
          .map((p) => p.key)
          .sort(),
      ).toEqual(['history/2026/11/26/17/truncated.gz', 'history/2026/11/26/18/broken.gz']);
    });
  });

  describe('detect sinks', () => {
    it('quarantines to a key derived from the record, so a retry overwrites', async () => {
      const sinks = createDetectSinks({ s3: aws.s3, sns: aws.sns, bucket, topicArn: 'unused' });
      const rejection = {
        recordId: '49590338271490256608559692538361571095921575989136588898',
        reason: 'samples is empty',
        field: 'samples',
        data: new Uint8Array([1, 2, 3]),
        arrivedAt: now,
      };
      await sinks.quarantine(rejection);
      await sinks.quarantine(rejection);
      const keys = await keysUnder(aws, bucket, 'rejected/');
      expect(keys).toEqual([`rejected/2026/11/26/${rejection.recordId}.json`]);
      const body = JSON.parse(await (await aws.s3.send(new GetObjectCommand({ Bucket: bucket, Key: keys[0] }))).Body!.transformToString());
      expect(body).toMatchObject({
        reason: 'samples is empty',
        field: 'samples',
        bytes: 3,
        dataBase64: 'AQID',
        arrivedAt: '2026-11-26T19:30:00.000Z',
      });
    });

    it('publishes the alert body with deviceId and severity attributes, and puts the snippet', async () => {
      const res = await provisionLocalResources(aws, { bucket, skipStream: true });
      const sinks = createDetectSinks({ s3: aws.s3, sns: aws.sns, bucket, topicArn: res.topicArn });
      const message: AlertMessage = {
        type: 'beatwatch.alert',
        id: 'dev-a:1764185400000',
        deviceId: 'dev-a',
        severity: 'critical',
        from: 1764185400000,
        to: 1764185403000,
        anomalousBeats: 3,
        windowBeats: 10,
        maxScore: 2.5,
        threshold: 0.4,
        modelVersion: 'v1',
        snippetKey: 'alerts/2025/11/26/dev-a:1764185400000.json',
      };
      await sinks.putSnippet(message.snippetKey, {
        alert: message,
        beats: [{ t: 1, score: 2.5, anomalous: true, rrPrev: 0.8, rrNext: null, window: [0, 1] }],
      });
      await sinks.publishAlert(message);
      const got = await receiveSnsNotifications(aws.sqs, res.alertQueueUrl, 2);
      expect(got).toHaveLength(1);
      expect(JSON.parse(got[0].message)).toEqual(message);
      // `kind` defaults to beat for a message without one (older than issue 13).
      expect(got[0].attributes).toEqual({ deviceId: 'dev-a', severity: 'critical', kind: 'beat' });
      const snippet = JSON.parse(
        await (await aws.s3.send(new GetObjectCommand({ Bucket: bucket, Key: message.snippetKey }))).Body!.transformToString(),
      );
      expect(snippet.beats[0].score).toBe(2.5);
    });
  });

  describe('sent markers', () => {
    it('marks an alert once its message went out; sinks with skipSent leave a sent alert alone, snippet included', async () => {
      const res = await provisionLocalResources(aws, {
        bucket,
        skipStream: true,
        topicName: 'sent-markers',
        alertQueueName: 'sent-markers-q',
      });
      const message: AlertMessage = {
        type: 'beatwatch.alert',
        kind: 'beat',
        id: 'dev-m:1764185400000',
        deviceId: 'dev-m',
        severity: 'warning',
        from: 1764185400000,
        to: 1764185403000,
        anomalousBeats: 3,
        windowBeats: 10,
        maxScore: 1.5,
        threshold: 1,
        modelVersion: 'v1',
        snippetKey: 'alerts/2025/11/26/dev-m:1764185400000.json',
      };
      const snippet = (score: number) => ({
        alert: message,
        beats: [{ t: 1, score, anomalous: true, rrPrev: null, rrNext: null, window: [0] }],
      });
      expect(await alertWasSent(aws.s3, bucket, message)).toBe(false);
      // A failed publish leaves no marker.
      const broken = createDetectSinks({ s3: aws.s3, sns: aws.sns, bucket, topicArn: `${res.topicArn}-missing` });
      await expect(broken.publishAlert(message)).rejects.toThrow();
      expect(await alertWasSent(aws.s3, bucket, message)).toBe(false);

      const live = createDetectSinks({ s3: aws.s3, sns: aws.sns, bucket, topicArn: res.topicArn });
      await live.putSnippet(message.snippetKey, snippet(1.5));
      await live.publishAlert(message);
      expect(await keysUnder(aws, bucket, 'alerts/2025/11/26/dev-m')).toEqual([
        message.snippetKey,
        'alerts/2025/11/26/dev-m:1764185400000.sent.json',
      ]);
      expect(await alertWasSent(aws.s3, bucket, message)).toBe(true);
      expect(await receiveSnsNotifications(aws.sqs, res.alertQueueUrl, 2)).toHaveLength(1);

      const skipped: string[] = [];
      const redriving = createDetectSinks({
        s3: aws.s3,
        sns: aws.sns,
        bucket,
        topicArn: res.topicArn,
        skipSent: true,
        onAlreadySent: (m) => void skipped.push(m.id),
      });
      await redriving.putSnippet(message.snippetKey, snippet(9));
      await redriving.publishAlert(message);
      expect(skipped).toEqual([message.id]);
      expect(await receiveSnsNotifications(aws.sqs, res.alertQueueUrl, 1)).toEqual([]);
      const kept = JSON.parse(
        await (await aws.s3.send(new GetObjectCommand({ Bucket: bucket, Key: message.snippetKey }))).Body!.transformToString(),
      );
      expect(kept.beats[0].score).toBe(1.5);
      // An alert never sent goes out, and is marked.
      const other = { ...message, id: 'dev-m:1764185460000', from: 1764185460000 };
      await redriving.publishAlert(other);
      expect(await alertWasSent(aws.s3, bucket, other)).toBe(true);
      expect(await receiveSnsNotifications(aws.sqs, res.alertQueueUrl, 2)).toHaveLength(1);
    });
  });

  describe('model store', () => {
    it('documents what the emulator honours: conditional GET yes, conditional PUT no', async () => {
      const put = await aws.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'probe.json', Body: 'one' }));
      // Real S3 would answer 412 to both; fauxqs accepts them, hence promoteModel's HEAD guard.
      await expect(
        aws.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'probe.json', Body: 'two', IfNoneMatch: '*' })),
      ).resolves.toBeDefined();
      await expect(
        aws.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'probe.json', Body: 'three', IfMatch: put.ETag })),
      ).resolves.toBeDefined();
      const cur = await aws.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'probe.json' }));
      await expect(aws.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'probe.json', IfNoneMatch: cur.ETag }))).rejects.toMatchObject({
        $metadata: { httpStatusCode: 304 },
      });
    });

    it('stores versions, switches the pointer only from the expected ETag, and serves it to the model cache', async () => {
      const source = createS3ModelSource(aws.s3, bucket);
      await expect(source.readPointer()).rejects.toThrow(/no model pointer/);
      expect(await readModelPointer(aws.s3, bucket)).toBeUndefined();

      const v1 = await putModelVersion(aws.s3, bucket, '20261126T190000Z-0000aaa1', '{"format":"beatwatch-model","w":1}', '{"report":1}');
      expect(v1).toEqual({ key: 'models/20261126T190000Z-0000aaa1/model.json', sha256: sha256Hex('{"format":"beatwatch-model","w":1}') });
      expect(await keysUnder(aws, bucket, 'models/20261126T190000Z-0000aaa1/')).toEqual([
        'models/20261126T190000Z-0000aaa1/model.json',
        'models/20261126T190000Z-0000aaa1/report.json',
      ]);
      const e1 = await promoteModel(
        aws.s3,
        bucket,
        { version: '20261126T190000Z-0000aaa1', ...v1, promotedAt: '2026-11-26T19:00:00Z' },
        null,
      );
      // A second "create" loses: the pointer exists now.
      await expect(
        promoteModel(aws.s3, bucket, { version: '20261126T190000Z-0000aaa1', ...v1, promotedAt: 'x' }, null),
      ).rejects.toBeInstanceOf(PointerConflictError);

      const read1 = await source.readPointer();
      expect(read1.notModified).toBe(false);
      if (read1.notModified) return;
      expect(read1.etag).toBe(e1);
      expect(JSON.parse(read1.text)).toMatchObject({
        version: '20261126T190000Z-0000aaa1',
        key: 'models/20261126T190000Z-0000aaa1/model.json',
      });
      expect(await source.readPointer(read1.etag)).toEqual({ notModified: true });
      expect(await source.readArtifact('models/20261126T190000Z-0000aaa1/model.json')).toBe('{"format":"beatwatch-model","w":1}');

      const v2 = await putModelVersion(aws.s3, bucket, '20261126T200000Z-0000aaa2', '{"w":2}');
      const e2 = await promoteModel(aws.s3, bucket, { version: '20261126T200000Z-0000aaa2', ...v2, promotedAt: 'y' }, e1);
      // A writer still holding the old ETag is refused and the pointer stays at v2.
      await expect(
        promoteModel(aws.s3, bucket, { version: '20261126T210000Z-0000aaa3', ...v2, promotedAt: 'z' }, e1),
      ).rejects.toBeInstanceOf(PointerConflictError);
      const read2 = await source.readPointer(e1);
      expect(read2.notModified === false && read2.etag === e2 && JSON.parse(read2.text).version).toBe('20261126T200000Z-0000aaa2');
    });
  });
});
