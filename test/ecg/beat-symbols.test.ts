import { describe, expect, it } from 'vitest';
import { aamiClass, ANNOTATION_SYMBOLS, isBeatSymbol } from '../../src/ecg/beat-symbols';

describe('beat symbols', () => {
  it('maps MIT codes to their symbols', () => {
    expect(ANNOTATION_SYMBOLS[1]).toBe('N');
    expect(ANNOTATION_SYMBOLS[5]).toBe('V');
    expect(ANNOTATION_SYMBOLS[28]).toBe('+');
    expect(ANNOTATION_SYMBOLS[38]).toBe('f');
    expect(ANNOTATION_SYMBOLS).toHaveLength(50);
  });

  it('tells beats from other annotations', () => {
    for (const s of ['N', 'L', 'R', 'a', 'V', 'F', 'J', 'A', 'S', 'E', 'j', '/', 'Q', 'e', 'f']) expect(isBeatSymbol(s), s).toBe(true);
    for (const s of ['+', '~', '|', 'x', '!', '[', ']', '"', '']) expect(isBeatSymbol(s), s).toBe(false);
  });

  it('groups beats into AAMI classes', () => {
    const groups: Record<string, string[]> = {
      N: ['N', 'L', 'R', 'e', 'j'],
      S: ['A', 'a', 'J', 'S'],
      V: ['V', 'E'],
      F: ['F'],
      Q: ['/', 'f', 'Q'],
    };
    for (const [cls, symbols] of Object.entries(groups)) for (const s of symbols) expect(aamiClass(s), s).toBe(cls);
    expect(aamiClass('+')).toBeUndefined();
    expect(aamiClass('toString')).toBeUndefined();
  });
});
