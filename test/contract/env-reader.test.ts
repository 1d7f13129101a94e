import { describe, expect, it } from 'vitest';
import { envReader } from '../../src/contract/env-reader';

describe('envReader', () => {
  const positive = (n: number) => Number.isFinite(n) && n > 0;

  it('reads required strings and numbers with fallbacks', () => {
    const env = envReader({ BUCKET_NAME: 'b', DAYS: '3', EMPTY: '' });
    expect(env.required('BUCKET_NAME')).toBe('b');
    expect(env.number('DAYS', 1, positive, 'a number > 0')).toBe(3);
    expect(env.number('EMPTY', 7, positive, 'a number > 0')).toBe(7);
    expect(env.number('UNSET', 7, positive, 'a number > 0')).toBe(7);
    expect(env.optionalNumber('UNSET', positive, 'a number > 0')).toBeUndefined();
  });

  it('names the variable and the expectation in every error', () => {
    const env = envReader({ BLANK: '  ', DAYS: '-2', WORD: 'many' });
    expect(() => env.required('BLANK')).toThrow('environment variable BLANK is required');
    expect(() => env.required('MISSING')).toThrow('environment variable MISSING is required');
    expect(() => env.number('DAYS', 1, positive, 'a number > 0')).toThrow('environment variable DAYS must be a number > 0, got "-2"');
    expect(() => env.optionalNumber('WORD', positive, 'a number > 0')).toThrow(/WORD must be a number > 0, got "many"/);
  });
});
