// The retraining job's label ports over the alert state table (dynalite) and the data bucket
// (fauxqs): labelled beat alerts read with their flagged beats, a device's label state written to
// its table item and its profile; and the detector applying the table's threshold.
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertStateStore, createAlertStateTable, createDynamoClient } from '../../src/aws/alert-state-store';
import { createAwsClients, type AwsClients } from '../../src/aws/clients';
import { createLabelPorts } from '../../src/aws/label-ports';
import { createS3ProfileStore } from '../../src/aws/profile-store';
import type { DeviceLabels } from '../../src/contract/device-labels';
import { OFF_ADAPTER } from '../../src/detect/adapters';
import { PROFILE_FORMAT_VERSION } from '../../src/detect/patient-adaptation';
import type { AlertMessage, AlertSnippet } from '../../src/detect/ports';
import { Detector } from '../../src/detect/process-batch';
import { startDynamoEmulator, type DynamoEmulator } from '../../src/local/dynamo-emulator';
import { startFauxqsEmulator, type FauxqsEmulator } from '../../src/local/fauxqs-emulator';
import { fakeModel, MemorySinks, rec, testDecoder } from '../detect/fakes';

const bucket = 'beatwatch-labels';
let dynamo: DynamoEmulator;
let fauxqs: FauxqsEmulator;
let aws: AwsClients;
let store: AlertStateStore;

const message = (deviceId: string, from: number): AlertMessage => ({
  type: 'beatwatch.alert',
  kind: 'beat',
  id: `${deviceId}:${from}`,
  deviceId,
  severity: 'warning',
  from,
  to: from + 2000,
  anomalousBeats: 2,
  windowBeats: 3,
  maxScore: 1.6,
  threshold: 1,
  modelVersion: 'v1',
  snippetKey: `alerts/2026/12/06/${deviceId}:${from}.json`,
});
const snippetOf = (m: AlertMessage): AlertSnippet => ({
  alert: m,
  beats: [
    { t: m.from, score: 1.6, anomalous: true, kind: 'ventricular', rrPrev: 0.5, rrNext: 1, window: [1, 2] },
    { t: m.from + 800, score: 0.3, anomalous: false, kind: 'normal', rrPrev: 0.8, rrNext: 0.8, window: [3, 4] },
    { t: m.from + 1600, score: 1.2, anomalous: true, kind: 'ventricular', rrPrev: 0.5, rrNext: 1, window: [5, 6] },
  ],
});

beforeAll(async () => {
  [dynamo, fauxqs] = await Promise.all([startDynamoEmulator(), startFauxqsEmulator({ mode: 'in-process' })]);
  const client = createDynamoClient({ endpoint: dynamo.endpoint, env: {} });
  await createAlertStateTable(client, 'labels-test');
  store = new AlertStateStore(client, 'labels-test');
  aws = createAwsClients({
    endpoint: { s3: fauxqs.endpoint, sns: fauxqs.endpoint, sqs: fauxqs.endpoint, kinesis: 'http://127.0.0.1:9' },
    env: {},
  });
  await aws.s3.send(new CreateBucketCommand({ Bucket: bucket }));
});
afterAll(async () => {
  store?.client.destroy();
  aws?.destroy();
  await Promise.all([dynamo?.stop(), fauxqs?.stop()]);
});

describe('label ports over the alert state table and S3', () => {
  it('reads labelled beat alerts with their flagged beats; episodes and missing snippets are skipped and counted', async () => {
    const put = async (m: AlertMessage, withSnippet = true) => {
      const s = snippetOf(m);
      if (withSnippet) await aws.s3.send(new PutObjectCommand({ Bucket: bucket, Key: m.snippetKey, Body: JSON.stringify(s) }));
      await store.putAlert(m, s);
    };
    const fa = message('dev-a', 1_000_000);
    const tp = message('dev-b', 2_000_000);
    const gone = message('dev-a', 3_000_000);
    const unlabelled = message('dev-a', 4_000_000);
    await Promise.all([put(fa), put(tp), put(gone, false), put(unlabelled)]);
    await store.putEpisode({
      type: 'beatwatch.alert',
      kind: 'rhythm',
      id: 'dev-a:AFIB:500000',
      deviceId: 'dev-a',
      severity: 'warning',
      phase: 'onset',
      rhythm: 'AFIB',
      from: 500_000,
      to: 530_000,
      modelVersion: 'v1',
    });
    const by = { by: 'dr lee', at: 1 };
    await store.label(fa.id, false, 'artefact', by);
    await store.label(tp.id, true, '', by);
    await store.label(gone.id, false, '', by);
    await store.label('dev-a:AFIB:500000', true, '', by);

    const ports = createLabelPorts({ store, s3: aws.s3, bucket, now: () => 42 });
    const read = await ports.source.read(100);
    expect(read.skipped).toEqual({ 'episode (no beats)': 1, 'snippet missing': 1 });
    expect(read.alerts.map((a) => [a.id, a.value, a.beats.map((b) => b.t)])).toEqual([
      [tp.id, true, [2_000_000, 2_001_600]],
      [fa.id, false, [1_000_000, 1_001_600]],
    ]);
    expect(read.alerts[1].beats[0]).toEqual({ t: 1_000_000, score: 1.6, window: [1, 2], rrPrev: 0.5, rrNext: 1 });
    expect((await ports.source.read(0)).alerts).toEqual([]);
  });

  it("writes a device's label state to its table item (audited) and its profile; the detector applies the table's threshold", async () => {
    await store.seen('dev-c', { lastSeen: 1, phase: 'learned' });
    const profiles = createS3ProfileStore(aws.s3, bucket);
    await profiles.save('dev-c', {
      formatVersion: PROFILE_FORMAT_VERSION,
      adapter: 'off',
      modelVersion: 'v1',
      learnedAt: 0,
      learningSeconds: 0,
      beatsLearned: 0,
      threshold: 2,
      features: {},
    });
    const ports = createLabelPorts({ store, s3: aws.s3, bucket, now: () => 42 });
    expect(await ports.devices.current('dev-c')).toBeNull();
    const labels: DeviceLabels = {
      threshold: 1.8,
      falseAlarms: 1,
      falseAlarmBeats: 2,
      truePositives: 0,
      truePositiveBeats: 0,
      capped: false,
      updatedAt: 42,
    };
    expect(await ports.devices.write('dev-c', labels)).toEqual({ table: true, profile: true });
    expect(await ports.devices.current('dev-c')).toEqual(labels);
    expect((await profiles.load('dev-c'))?.labels).toEqual(labels);
    const device = await store.getDevice('dev-c');
    expect(device.audit.at(-1)).toEqual({ action: 'threshold', by: 'retraining', at: 42, detail: '1.00 -> 1.80 (1 false alarms, 0 true)' });
    // A device the detector never saw has no item: nothing is created.
    expect(await ports.devices.write('dev-unseen', labels)).toEqual({ table: false, profile: false });
    expect(await store.deviceSettings(['dev-c', 'dev-unseen'])).toEqual(new Map([['dev-c', { threshold: 1.8 }]]));

    // The detector reads it with the snooze: three beats 1.5x over a threshold of 2 (score 1.5)
    // open a warning for a device at threshold 1, none for dev-c at 1.8.
    const sinks = new MemorySinks();
    const detector = new Detector(sinks, testDecoder, { adaptation: OFF_ADAPTER, snoozes: store });
    const r = await detector.processBatch([rec('dev-c', 0, { 1: 3, 4: 3, 7: 3 }), rec('dev-d', 0, { 1: 3, 4: 3, 7: 3 })], fakeModel());
    expect(r.alerts.map((a) => a.deviceId)).toEqual(['dev-d']);
    expect(r.beats.filter((b) => b.deviceId === 'dev-c').every((b) => b.threshold === 1.8 && !b.anomalous)).toBe(true);
    // Beats above it still alert, and the message carries the threshold in force.
    const high = await detector.processBatch([rec('dev-c', 1, { 1: 4, 4: 4, 7: 4 })], fakeModel());
    expect(high.alerts.map((a) => [a.deviceId, a.threshold, a.maxScore])).toEqual([['dev-c', 1.8, 2]]);
  });
});
