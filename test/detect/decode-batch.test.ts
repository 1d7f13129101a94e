import { describe, expect, it } from 'vitest';
import { emptyCounts } from '../../src/detect/batch-result';
import { decodeBatch } from '../../src/detect/decode-batch';
import { MAX_ABS_MV } from '../../src/contract/signal-bounds';
import { poison, rec, testDecoder } from './fakes';

describe('decodeBatch', () => {
  it('groups records by device in stream order and rejects what does not decode, with its reason', () => {
    const [a0, b0, bad, a1] = [rec('a', 0), rec('b', 0), poison('{'), rec('a', 1)];
    const counts = emptyCounts(4);
    const { byDevice, rejections, clipped } = decodeBatch([a0, b0, bad, a1], testDecoder, undefined, counts);
    expect([...byDevice.keys()]).toEqual(['a', 'b']);
    expect(byDevice.get('a')?.records.map((r) => r.id)).toEqual([a0.id, a1.id]);
    expect(rejections).toEqual([{ recordId: bad.id, reason: 'record is not JSON', data: bad.data, arrivedAt: bad.arrivedAt }]);
    expect(clipped.size).toBe(0);
    expect(counts.amplitudeFlagged).toBe(0);
  });

  it('clips absurd amplitudes, counting the record and marking it clipped', () => {
    const loud = rec('a', 0, { 3: MAX_ABS_MV * 10 });
    const counts = emptyCounts(1);
    const { byDevice, clipped } = decodeBatch([loud, rec('a', 1, { 3: 1 })], testDecoder, undefined, counts);
    expect(counts.amplitudeFlagged).toBe(1);
    expect([...clipped]).toEqual([loud.id]);
    expect(byDevice.get('a')?.records[0].record.samples[3]).toBe(MAX_ABS_MV);
  });
});
