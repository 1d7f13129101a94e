import { Logger } from '@aws-lambda-powertools/logger';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSignalLostSweepHandler } from '../../functions/signal-lost-sweep';
import { AlertStateStore, createAlertStateTable, createDynamoClient } from '../../src/aws/alert-state-store';
import { createAwsClients, type AwsClients } from '../../src/aws/clients';
import { DynamoPresenceStore } from '../../src/aws/presence-store';
import type { EpisodeAlertMessage } from '../../src/detect/ports';
import { startDynamoEmulator, type DynamoEmulator } from '../../src/local/dynamo-emulator';
import { startFauxqsEmulator, type FauxqsEmulator } from '../../src/local/fauxqs-emulator';
import { provisionLocalResources, type LocalResources } from '../../src/local/provision';
import { receiveSnsNotifications, type SnsNotification } from '../../src/local/sns-subscriber';

const TABLE = 'sweep-test';
let dynamo: DynamoEmulator;
let fauxqs: FauxqsEmulator;
let aws: AwsClients;
let res: LocalResources;

beforeAll(async () => {
  [dynamo, fauxqs] = await Promise.all([startDynamoEmulator(), startFauxqsEmulator({ mode: 'in-process' })]);
  aws = createAwsClients({ endpoint: { s3: fauxqs.endpoint, sns: fauxqs.endpoint, sqs: fauxqs.endpoint }, env: {} });
  res = await provisionLocalResources(aws, { skipStream: true });
  await createAlertStateTable(createDynamoClient({ endpoint: dynamo.endpoint, env: {} }), TABLE);
});
afterAll(async () => {
  aws?.destroy();
  await Promise.all([dynamo?.stop(), fauxqs?.stop()]);
});

const env = () => ({ TOPIC_ARN: res.topicArn, ALERT_TABLE: TABLE, AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint, AWS_REGION: 'us-east-1' });

async function drainTopic(): Promise<SnsNotification[]> {
  const out: SnsNotification[] = [];
  for (let quiet = 0; quiet < 2;) {
    const got = await receiveSnsNotifications(aws.sqs, res.alertQueueUrl, 1);
    out.push(...got);
    quiet = got.length === 0 ? quiet + 1 : 0;
  }
  return out;
}

describe('signal-lost sweep function', () => {
  it('one scheduled run sweeps every 10 s for a minute: a device silent since before, and one that falls silent during the run', async () => {
    const start = 10_000_000;
    const presence = new DynamoPresenceStore(createDynamoClient({ endpoint: dynamo.endpoint, env: {} }), TABLE);
    await presence.arrived('long-gone', { arrivedAt: start - 55_000 });
    await presence.arrived('going', { arrivedAt: start - 25_000 }); // due at 50 s of silence: the run's sweep at +30 s
    await presence.arrived('alive', { arrivedAt: start + 5000 }); // due at +55 s
    let clock = start;
    const handler = createSignalLostSweepHandler({
      env: env(),
      sns: aws.sns,
      logger: new Logger({ logLevel: 'SILENT' }),
      now: () => clock,
      sleep: async (ms) => void (clock += ms),
    });
    const run = await handler({});
    // The last sweep of a run (+50 s) falls before the next run (+60 s); 'alive' is due only then.
    expect(run).toEqual({ sweeps: 6, raised: 2, silenced: 0, taken: 0, failed: 0 });
    const notes = await drainTopic();
    const bodies = notes.map((n) => JSON.parse(n.message) as EpisodeAlertMessage).sort((a, b) => a.from - b.from);
    expect(bodies.map((b) => [b.deviceId, b.reason, b.phase, b.from, b.to])).toEqual([
      ['long-gone', 'signal-lost', 'onset', start - 55_000, start],
      ['going', 'signal-lost', 'onset', start - 25_000, start + 30_000],
    ]);
    expect(notes.every((n) => n.attributes.kind === 'technical' && n.attributes.severity === 'warning')).toBe(true);
    // Each one is in the console too: an open technical alert of its device.
    const store = new AlertStateStore(presence.client, TABLE);
    const listed = await store.listAlerts({ kind: 'technical' });
    expect(listed.map((a) => [a.id, a.reason, a.status, a.phase]).sort()).toEqual(
      bodies.map((b) => [b.id, 'signal-lost', 'open', 'onset']).sort(),
    );
    // The next run raises nothing new for them (their episodes are open), and 'alive' in its turn.
    const next = await handler({});
    expect(next.raised).toBe(1);
    presence.client.destroy();
  });

  it('a sweep that cannot reach the table does not stop the others, and the run fails (alarm, dead letters)', async () => {
    let clock = 0;
    const handler = createSignalLostSweepHandler({
      env: { ...env(), AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:9' },
      sns: aws.sns,
      logger: new Logger({ logLevel: 'SILENT' }),
      now: () => clock,
      sleep: async (ms) => void (clock += ms),
    });
    await expect(handler({})).rejects.toThrow(/6 of 6 signal-lost sweeps failed/);
  });

  it('stops sweeping before the Lambda timeout', async () => {
    let clock = 0;
    const handler = createSignalLostSweepHandler({
      env: env(),
      sns: aws.sns,
      logger: new Logger({ logLevel: 'SILENT' }),
      now: () => clock,
      sleep: async (ms) => void (clock += ms),
    });
    const context = { getRemainingTimeInMillis: () => 30_000 - clock } as unknown as import('aws-lambda').Context;
    expect((await handler({}, context)).sweeps).toBe(3); // at 0, 10 and 20 s; 30 s would end past the timeout
  });

  it('names a missing variable', async () => {
    const handler = createSignalLostSweepHandler({ env: { TOPIC_ARN: 'arn' }, logger: new Logger({ logLevel: 'SILENT' }) });
    await expect(handler({})).rejects.toThrow(/ALERT_TABLE is required/);
  });
});
