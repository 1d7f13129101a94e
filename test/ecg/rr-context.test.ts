import { describe, expect, it } from 'vitest';
import { rrContext } from '../../src/ecg/rr-context';

describe('rrContext', () => {
  it('gives no context to the first beat, the interval to the second, and the mean of the earlier intervals after', () => {
    const recent: number[] = [];
    expect(rrContext(360, -1, recent, 8, 360)).toEqual({ rrPrev: null, rrLocalMean: null });
    expect(recent).toEqual([]);
    expect(rrContext(648, 360, recent, 8, 360)).toEqual({ rrPrev: 0.8, rrLocalMean: null });
    expect(rrContext(900, 648, recent, 8, 360)).toEqual({ rrPrev: 0.7, rrLocalMean: 0.8 });
    expect(rrContext(1260, 900, recent, 8, 360)).toEqual({ rrPrev: 1, rrLocalMean: 0.75 });
  });

  it('keeps at most `keep` intervals: the mean is over the latest ones', () => {
    const recent: number[] = [];
    let last = -1;
    for (const r of [0, 100, 200, 300, 500]) {
      rrContext(r, last, recent, 2, 100);
      last = r;
    }
    expect(recent).toEqual([100, 200]);
    expect(rrContext(600, 500, recent, 2, 100).rrLocalMean).toBe(1.5);
  });
});
