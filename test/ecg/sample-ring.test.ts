import { describe, expect, it } from 'vitest';
import { readRing } from '../../src/ecg/sample-ring';

describe('readRing', () => {
  it('reads the samples still in the ring, and 0 for those before the stream, overwritten or not yet arrived', () => {
    const ring = Float32Array.from([4, 5, 6, 7]); // samples 4..7 of a stream of 8
    const out = new Float32Array(6);
    readRing(ring, 8, 3, out);
    expect(Array.from(out)).toEqual([0, 4, 5, 6, 7, 0]);
    readRing(ring, 8, -2, out.subarray(0, 2));
    expect(Array.from(out.subarray(0, 2))).toEqual([0, 0]);
  });
});
