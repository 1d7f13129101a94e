import { describe, expect, it } from 'vitest';
import { resolveMapping } from '../../src/local/event-source-config';
import { interpretResponse, makeLambdaContext, toKinesisEventRecord } from '../../src/local/lambda-event';
import { onFailureMessage } from '../../src/local/on-failure';

const identity = {
  streamArn: 'arn:aws:kinesis:eu-west-1:123456789012:stream/s',
  region: 'eu-west-1',
  accountId: '123456789012',
  functionName: 'fn',
};
const seqs = ['100', '200', '300'];

describe('interpretResponse (ReportBatchItemFailures)', () => {
  it('reads nothing, null, an empty list or a missing list as success', () => {
    for (const r of [undefined, null, {}, { batchItemFailures: [] }, { batchItemFailures: null }])
      expect(interpretResponse(r, seqs, true)).toEqual({ kind: 'success' });
  });

  it('checkpoints before the lowest failed sequence number, whatever the order reported', () => {
    expect(interpretResponse({ batchItemFailures: [{ itemIdentifier: '300' }, { itemIdentifier: '200' }] }, seqs, true)).toEqual({
      kind: 'partial',
      fromIndex: 1,
    });
    expect(interpretResponse({ batchItemFailures: [{ itemIdentifier: '100' }] }, seqs, true)).toEqual({ kind: 'partial', fromIndex: 0 });
  });

  it('fails the whole batch for an empty, missing or unknown identifier, or a non-array', () => {
    for (const r of [
      { batchItemFailures: [{ itemIdentifier: '' }] },
      { batchItemFailures: [{}] },
      { batchItemFailures: [{ itemIdentifier: '999' }] },
      { batchItemFailures: [null] },
      { batchItemFailures: 'x' },
    ]) {
      expect(interpretResponse(r, seqs, true).kind).toBe('error');
    }
  });

  it('ignores batchItemFailures when the mapping does not report them', () => {
    expect(interpretResponse({ batchItemFailures: [{ itemIdentifier: '200' }] }, seqs, false)).toEqual({ kind: 'success' });
  });
});

describe('Lambda event and context', () => {
  it('builds a record with base64 data, seconds arrival and shard:sequence event id', () => {
    const r = toKinesisEventRecord(
      { Data: Buffer.from('hi'), PartitionKey: 'dev', SequenceNumber: '42', ApproximateArrivalTimestamp: new Date(1_500) },
      'shardId-000000000003',
      identity,
    );
    expect(r).toEqual({
      kinesis: { kinesisSchemaVersion: '1.0', partitionKey: 'dev', sequenceNumber: '42', data: 'aGk=', approximateArrivalTimestamp: 1.5 },
      eventSource: 'aws:kinesis',
      eventVersion: '1.0',
      eventID: 'shardId-000000000003:42',
      eventName: 'aws:kinesis:record',
      invokeIdentityArn: 'arn:aws:iam::123456789012:role/fn-role',
      awsRegion: 'eu-west-1',
      eventSourceARN: identity.streamArn,
    });
  });

  it('gives each invocation a fresh request id and a countdown', () => {
    const a = makeLambdaContext(identity, 1000, 512);
    const b = makeLambdaContext(identity, 1000, 512);
    expect(a.awsRequestId).not.toBe(b.awsRequestId);
    expect(a.getRemainingTimeInMillis()).toBeLessThanOrEqual(1000);
    expect(a.memoryLimitInMB).toBe('512');
    expect(() => a.succeed('x')).toThrow(/not supported/);
  });

  it('describes a discarded batch by its range and arrival times only', () => {
    const m = onFailureMessage({
      records: [
        { SequenceNumber: '1', ApproximateArrivalTimestamp: new Date(0), Data: Buffer.from('secret') },
        { SequenceNumber: '9', ApproximateArrivalTimestamp: new Date(1000), Data: Buffer.from('secret') },
      ],
      shardId: 'shardId-000000000000',
      streamArn: identity.streamArn,
      functionArn: 'arn:fn',
      requestId: 'req',
      condition: 'RetryAttemptsExhausted',
      invokeCount: 4,
      functionError: true,
    });
    expect(m.KinesisBatchInfo).toEqual({
      shardId: 'shardId-000000000000',
      startSequenceNumber: '1',
      endSequenceNumber: '9',
      approximateArrivalOfFirstRecord: '1970-01-01T00:00:00.000Z',
      approximateArrivalOfLastRecord: '1970-01-01T00:00:01.000Z',
      batchSize: 2,
      streamArn: identity.streamArn,
    });
    expect(JSON.stringify(m)).not.toContain('secret');
  });
});

describe('resolveMapping', () => {
  it('fills beatwatch defaults and names a bad option', () => {
    expect(resolveMapping({})).toMatchObject({
      batchSize: 100,
      maximumRetryAttempts: 3,
      bisectBatchOnFunctionError: true,
      reportBatchItemFailures: true,
      startingPosition: 'TRIM_HORIZON',
    });
    expect(() => resolveMapping({ batchSize: 0 })).toThrow(/batchSize/);
    expect(() => resolveMapping({ maximumRetryAttempts: -2 })).toThrow(/maximumRetryAttempts/);
    expect(() => resolveMapping({ maximumRecordAgeMs: 0 })).toThrow(/maximumRecordAgeMs/);
  });
});
