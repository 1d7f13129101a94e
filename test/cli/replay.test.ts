import { fileURLToPath } from 'node:url';
import { CreateStreamCommand, GetRecordsCommand, GetShardIteratorCommand, StreamMode } from '@aws-sdk/client-kinesis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createAwsClients, type AwsClients } from '../../src/aws/clients';
import { decodeWireRecord } from '../../src/contract/wire';
import { main } from '../../src/cli/main';
import { pseudonymousDeviceId } from '../../src/local/device-simulator';
import { startKinesisEmulator, type KinesisEmulator } from '../../src/local/kinesis-emulator';
import { waitForStreamActive } from '../../src/local/provision';

const record100 = fileURLToPath(new URL('../../data/mitdb/100', import.meta.url));

async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    const code = await main(argv);
    return { code, stdout: out.mock.calls.map((c) => String(c[0])).join(''), stderr: err.mock.calls.map((c) => String(c[0])).join('') };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

describe('beatwatch replay', () => {
  let emulator: KinesisEmulator;
  let aws: AwsClients;

  beforeAll(async () => {
    emulator = await startKinesisEmulator();
    aws = createAwsClients({ endpoint: { kinesis: emulator.endpoint }, env: {} });
    await aws.kinesis.send(
      new CreateStreamCommand({ StreamName: 'replay', ShardCount: 1, StreamModeDetails: { StreamMode: StreamMode.PROVISIONED } }),
    );
    await waitForStreamActive(aws.kinesis, 'replay', 20_000);
  });

  afterAll(async () => {
    aws?.destroy();
    await emulator?.stop();
  });

  it('streams a bundled MIT-BIH record as a pseudonymous device and prints one JSON object', async () => {
    const { code, stdout, stderr } = await run([
      'replay',
      '--record',
      record100,
      '--stream',
      'replay',
      '--endpoint',
      emulator.endpoint,
      '--speed',
      'max',
      '--seconds',
      '12',
      '--json',
    ]);
    expect(code, stderr).toBe(0);
    const summary = JSON.parse(stdout);
    const deviceId = pseudonymousDeviceId('100');
    expect(summary).toMatchObject({ deviceId, stream: 'replay', devices: 1, records: 12, aborted: false });
    expect(stderr).not.toContain('-0.145'); // no samples in the logs
    const it0 = await aws.kinesis.send(
      new GetShardIteratorCommand({ StreamName: 'replay', ShardId: 'shardId-000000000000', ShardIteratorType: 'TRIM_HORIZON' }),
    );
    const got = await aws.kinesis.send(new GetRecordsCommand({ ShardIterator: it0.ShardIterator }));
    const decoded = (got.Records ?? []).map((r) => decodeWireRecord(r.Data!));
    expect(decoded).toHaveLength(12);
    const first = decoded[0];
    expect(first.ok && first.record).toMatchObject({ deviceId, seq: 0, fs: 360 });
    // MIT-BIH 100 starts at -0.145 mV on MLII.
    expect(first.ok && first.record.samples[0]).toBeCloseTo(-0.145, 5);
    expect(first.ok && first.record.samples.length).toBe(360);
  });

  it('rejects missing flags and a bad device id as usage errors', async () => {
    expect((await run(['replay', '--record', record100])).code).toBe(2);
    const bad = await run(['replay', '--record', record100, '--stream', 'replay', '--device-id', 'John Smith']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--device-id must be/);
  });
});
