import { describe, expect, it } from 'vitest';
import {
  historyDayPrefixes,
  historyHourPrefix,
  historyKeyHour,
  historyKeyTime,
  alertSentKey,
  historyObjectKey,
  modelVersionKeys,
  rejectedKey,
} from '../../src/contract/s3-layout';

const t = Date.UTC(2026, 10, 26, 9, 5, 7, 123);

describe('S3 layout', () => {
  it('files history by UTC hour with Firehose-like object names', () => {
    expect(historyHourPrefix(t)).toBe('history/2026/11/26/09/');
    expect(historyObjectKey(t, 'u-1')).toBe('history/2026/11/26/09/beatwatch-history-1-2026-11-26-09-05-07-u-1.gz');
    expect(historyKeyHour(historyObjectKey(t, 'x'))).toBe(Date.UTC(2026, 10, 26, 9));
    expect(historyKeyHour('alerts/2026/11/26/x.json')).toBeUndefined();
    // The object's own timestamp, to the second, whatever its unique suffix holds.
    expect(historyKeyTime(historyObjectKey(Date.UTC(2026, 10, 26, 9, 5, 7, 900), '1234-5678-90'))).toBe(Date.UTC(2026, 10, 26, 9, 5, 7));
    expect(historyKeyTime('history/2026/11/26/09/no-stamp.gz')).toBeUndefined();
    expect(historyKeyTime('alerts/2026/11/26/x-2026-11-26-09-05-07-y.json')).toBeUndefined();
  });

  it('plans day prefixes covering the window, across a month end', () => {
    expect(historyDayPrefixes(2, Date.UTC(2026, 11, 1, 3))).toEqual(['history/2026/11/29/', 'history/2026/11/30/', 'history/2026/12/01/']);
    expect(historyDayPrefixes(0.5, Date.UTC(2026, 11, 1, 20))).toEqual(['history/2026/12/01/']);
    expect(() => historyDayPrefixes(0, t)).toThrow(/days/);
  });

  it('derives quarantine and model keys deterministically', () => {
    expect(rejectedKey(t, '4959', 'shardId-000000000001')).toBe('rejected/2026/11/26/shardId-000000000001-4959.json');
    expect(rejectedKey(t, 'a/b c')).toBe('rejected/2026/11/26/a_b_c.json');
    expect(modelVersionKeys('20261126T090507Z-ab12cd34')).toEqual({
      model: 'models/20261126T090507Z-ab12cd34/model.json',
      report: 'models/20261126T090507Z-ab12cd34/report.json',
    });
    expect(() => modelVersionKeys('../x')).toThrow(/model version/);
    // An alert's sent marker sits beside its snippet, dated by the same instant.
    expect(alertSentKey('dev-1:1764150000000', 1764150000000)).toBe('alerts/2025/11/26/dev-1:1764150000000.sent.json');
  });
});
