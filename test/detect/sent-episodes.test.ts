import { describe, expect, it } from 'vitest';
import { SentEpisodes } from '../../src/detect/sent-episodes';

describe('SentEpisodes', () => {
  it('remembers the ids a device published, the last few of them', () => {
    const sent = new SentEpisodes(3, 10);
    for (const id of ['a', 'b', 'c', 'd']) sent.add('dev-1', id);
    expect(['a', 'b', 'c', 'd'].map((id) => sent.has('dev-1', id))).toEqual([false, true, true, true]);
    expect(sent.has('dev-2', 'd')).toBe(false);
  });

  it('forgets the least recently active device first when there are too many', () => {
    const sent = new SentEpisodes(3, 2);
    sent.add('dev-1', 'x');
    sent.add('dev-2', 'y');
    sent.add('dev-1', 'z'); // dev-1 is now the most recent
    sent.add('dev-3', 'w');
    expect(sent.has('dev-1', 'x')).toBe(true);
    expect(sent.has('dev-2', 'y')).toBe(false);
    expect(sent.has('dev-3', 'w')).toBe(true);
  });
});
