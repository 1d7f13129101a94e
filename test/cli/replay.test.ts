import { fileURLToPath } from 'node:url';
import { CreateStreamCommand, GetRecordsCommand, GetShardIteratorCommand, StreamMode } from '@aws-sdk/client-kinesis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createAwsClients, type AwsClients } from '../../src/aws/clients';
import { decodeRecord } from '../../src/contract/decode-record';
import { ecgFixtures, type EcgFixtures } from './ecg-fixtures';
import { main } from '../../src/cli/main';
import { pseudonymousDeviceId } from '../../src/local/device-simulator';
import { startKinesisEmulator, type KinesisEmulator } from '../../src/local/kinesis-emulator';
import { findFreePort } from '../../src/local/free-port';
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
    const decoded = (got.Records ?? []).map((r) => decodeRecord(r.Data!));
    expect(decoded).toHaveLength(12);
    const first = decoded[0];
    expect(first.ok && first.record).toMatchObject({ deviceId, seq: 0, fs: 360 });
    // MIT-BIH 100 starts at -0.145 mV on MLII.
    expect(first.ok && first.record.samples[0]).toBeCloseTo(-0.145, 5);
    expect(first.ok && first.record.samples.length).toBe(360);
    // v2 by default: both leads, MLII the one detected on.
    expect(first.ok && first.record.v).toBe(2);
    expect(first.ok && first.record.leads?.map((l) => l.name)).toEqual(['MLII', 'V5']);
  });

  /** Every record of a fresh stream, decoded. */
  async function streamRecords(stream: string) {
    await aws.kinesis.send(
      new CreateStreamCommand({ StreamName: stream, ShardCount: 1, StreamModeDetails: { StreamMode: StreamMode.PROVISIONED } }),
    );
    await waitForStreamActive(aws.kinesis, stream, 20_000);
    return async () => {
      const it0 = await aws.kinesis.send(
        new GetShardIteratorCommand({ StreamName: stream, ShardId: 'shardId-000000000000', ShardIteratorType: 'TRIM_HORIZON' }),
      );
      const got = await aws.kinesis.send(new GetRecordsCommand({ ShardIterator: it0.ShardIterator }));
      return (got.Records ?? []).map((r) => {
        const d = decodeRecord(r.Data!);
        if (!d.ok) throw new Error(d.reason);
        return d.record;
      });
    };
  }

  describe('any ECG file', () => {
    let files: EcgFixtures;
    beforeAll(() => {
      files = ecgFixtures();
    });
    afterAll(() => files?.cleanup());

    it.each([
      ['csv', 'v1', ['MLII']],
      ['edf', 'v2', ['MLII', 'V5']],
      ['wfdb', 'v2', ['MLII', 'V5']],
    ] as const)('replays a %s file as %s, MLII detected on', async (kind, format, leads) => {
      const stream = `replay-${kind}`;
      const read = await streamRecords(stream);
      const { code, stdout, stderr } = await run([
        'replay',
        '--record',
        files[kind],
        '--stream',
        stream,
        '--endpoint',
        emulator.endpoint,
        '--speed',
        'max',
        '--seconds',
        '10',
        '--format',
        format,
        '--seconds-per-record',
        '5',
        '--json',
      ]);
      expect(code, stderr).toBe(0);
      expect(JSON.parse(stdout)).toMatchObject({ format, secondsPerRecord: 5, records: 2 });
      const records = await read();
      expect(records.map((r) => [r.v, r.seq, r.samples.length])).toEqual([
        [Number(format[1]), 0, 1800],
        [Number(format[1]), 1, 1800],
      ]);
      expect(records[0].leads?.map((l) => l.name) ?? ['MLII']).toEqual(leads);
      expect(records[0].samples[0]).toBeCloseTo(-0.145, 2);
    });

    it("warns when the lead is not the model's, and names a truncated file in one line", async () => {
      const read = await streamRecords('replay-lead');
      const v5 = await run([
        'replay',
        '--record',
        files.csv,
        '--stream',
        'replay-lead',
        '--endpoint',
        emulator.endpoint,
        '--speed',
        'max',
        '--seconds',
        '1',
        '--lead',
        'V5',
      ]);
      expect(v5.code, v5.stderr).toBe(0);
      expect(v5.stderr).toMatch(/using lead "V5": the model was trained on MLII/);
      expect((await read())[0].leads?.map((l) => l.name)).toEqual(['V5']);
      const cut = await run(['replay', '--record', files.truncatedEdf, '--stream', 'replay-lead', '--endpoint', emulator.endpoint]);
      expect(cut.code).toBe(1);
      expect(cut.stderr.trim().split('\n')).toHaveLength(1);
      expect(cut.stderr).toMatch(/^beatwatch replay: .*cut\.edf: .*truncated/);
    });
  });

  it('an endpoint nobody listens on: one line naming it and the cause, exit 1, no retry rounds', async () => {
    // A port that was free a moment ago: nothing listens on it.
    const endpoint = `http://127.0.0.1:${await findFreePort()}`;
    const r = await run([
      'replay',
      '--record',
      record100,
      '--stream',
      'replay',
      '--endpoint',
      endpoint,
      '--speed',
      'max',
      '--seconds',
      '3',
    ]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    const errors = r.stderr.split('\n').filter((line) => line.startsWith('beatwatch replay: '));
    expect(errors).toEqual([`beatwatch replay: cannot reach Kinesis at ${endpoint}: connection refused (ECONNREFUSED)`]);
    expect(r.stderr).not.toMatch(/retrying/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('rejects missing flags and a bad device id as usage errors', async () => {
    expect((await run(['replay', '--record', record100])).code).toBe(2);
    const bad = await run(['replay', '--record', record100, '--stream', 'replay', '--device-id', 'John Smith']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--device-id must be/);
  });
});
