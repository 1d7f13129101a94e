import { describe, expect, it } from 'vitest';
import { formatNumber, intFlag, numberFlag, parseFlags } from '../../src/cli/args';
import { UsageError } from '../../src/cli/command';

const flags = { speed: { type: 'string' }, seconds: { type: 'string' }, json: { type: 'boolean' } } as const;

describe('parseFlags', () => {
  it('takes a negative number after a flag as its value', () => {
    expect(parseFlags(['--speed', '-1', '--seconds', '-.5', '--json'], flags).values).toMatchObject({
      speed: '-1',
      seconds: '-.5',
      json: true,
    });
    expect(parseFlags(['--speed', '-1e3'], flags).values.speed).toBe('-1e3');
  });

  it('still calls a flag-like token after a flag a missing value, in one line', () => {
    expect(() => parseFlags(['--speed', '--json'], flags)).toThrow(/^--speed needs a value \(write --speed=VALUE/);
  });

  it('rejects an empty value, naming the flag', () => {
    expect(() => parseFlags(['--speed='], flags)).toThrow(new UsageError('--speed needs a value, got an empty string'));
    expect(() => parseFlags(['--seconds', ' '], flags)).toThrow(/^--seconds needs a value/);
  });

  it('suggests the flag meant by a typo, and keeps every message on one line', () => {
    expect(() => parseFlags(['--spede', '2'], flags)).toThrow('unknown option --spede (did you mean --speed?)');
    expect(() => parseFlags(['--frobnicate'], flags)).toThrow(/^unknown option --frobnicate$/);
    expect(() => parseFlags(['--json=yes'], flags)).toThrow('--json takes no value');
    expect(() => parseFlags(['stray'], flags)).toThrow('unexpected argument "stray"');
    for (const argv of [['--spede'], ['--json=1'], ['stray'], ['--speed']]) {
      try {
        parseFlags(argv, flags);
      } catch (err) {
        expect(err).toBeInstanceOf(UsageError);
        expect((err as Error).message).not.toContain('\n');
      }
    }
  });
});

describe('number flags', () => {
  it('say the allowed range in words, with numbers as people write them', () => {
    expect(() => numberFlag('0.01', 'days', 1, 1 / 24, 366)).toThrow('--days must be a number from 0.04167 to 366, got 0.01');
    expect(() => numberFlag('-1', 'speed', 1, 0.001, 1e6)).toThrow('--speed must be a number from 0.001 to 1,000,000, got -1');
    expect(() => intFlag('-5', 'seconds', 300, 0, 1e7)).toThrow('--seconds must be an integer from 0 to 10,000,000, got -5');
    expect(() => intFlag('0', 'hidden', 32, 1)).toThrow('--hidden must be a positive integer, got 0');
    expect(() => numberFlag('-2', 'budget', 0, 0)).toThrow('--budget must be a non-negative number, got -2');
    expect(() => numberFlag('0', 'lr', 0.01, Number.MIN_VALUE, 10)).toThrow('--lr must be a number above 0 and at most 10, got 0');
    expect(() => intFlag('1.5', 'seed', 1)).toThrow('--seed must be an integer, got 1.5');
    expect(() => numberFlag('fast', 'speed', 1, 0.001, 1e6)).toThrow('got "fast"');
  });

  it('accept values in range and fall back when absent', () => {
    expect(numberFlag('-0.5', 'x', 0, -1, 1)).toBe(-0.5);
    expect(intFlag(undefined, 'seconds', 300, 0, 1e7)).toBe(300);
  });
});

describe('formatNumber', () => {
  it('rounds to 4 significant digits and groups large integers', () => {
    expect(formatNumber(1 / 24)).toBe('0.04167');
    expect(formatNumber(0.001)).toBe('0.001');
    expect(formatNumber(2 / 3)).toBe('0.6667');
    expect(formatNumber(1e6)).toBe('1,000,000');
    expect(formatNumber(1024)).toBe('1024');
    expect(formatNumber(-5)).toBe('-5');
    expect(formatNumber(Infinity)).toBe('Infinity');
  });
});
