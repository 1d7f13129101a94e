import { describe, expect, it } from 'vitest';
import { forwardFlopPerWindow, median, medianRatio, stackedLstmFlopPerWindow } from '../../bench/nn-measure';

describe('bench FLOP counts', () => {
  it('two stacked LSTM layers (brain.js 2x32) count the autoencoder formula T(24H² + 10H)', () => {
    for (const [T, H] of [
      [140, 32],
      [10, 1],
      [50, 7],
    ]) {
      expect(stackedLstmFlopPerWindow(T, H, 2)).toBe(forwardFlopPerWindow(T, H));
    }
  });

  it('one layer counts the first layer and the output only', () => {
    // 140 · (8·32·33 + 2·32)
    expect(stackedLstmFlopPerWindow(140, 32, 1)).toBe(140 * (8448 + 64));
  });
});

describe('median and same-round ratios', () => {
  it('takes the middle value, or the mean of the middle two', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(() => median([])).toThrow(/no values/);
  });

  it('divides within each round before taking the median', () => {
    // Round speeds drift 2x, the ratio does not: the median of ratios stays 3.
    const a = [
      { wall: 300, cpu: 3 },
      { wall: 600, cpu: 6 },
      { wall: 900, cpu: 9 },
    ];
    const b = [
      { wall: 100, cpu: 1 },
      { wall: 200, cpu: 2 },
      { wall: 300, cpu: 3 },
    ];
    expect(medianRatio(a, b)).toEqual({ wall: 3, cpu: 3 });
  });
});
