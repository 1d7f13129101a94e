import { describe, expect, it } from 'vitest';
import { episodeLine } from '../../../src/cli/commands/demo';
import type { EpisodeAlertMessage } from '../../../src/detect/ports';

const start = Date.UTC(2026, 0, 1);
const labels = new Map([['dev-1', '201 (AF)']]);
const message = (phase: 'onset' | 'offset', from: number, to: number): EpisodeAlertMessage => ({
  type: 'beatwatch.alert',
  kind: 'rhythm',
  id: `dev-1:BIGEMINY:${start + from}${phase === 'offset' ? ':offset' : ''}`,
  deviceId: 'dev-1',
  severity: 'warning',
  phase,
  rhythm: 'BIGEMINY',
  from: start + from,
  to: start + to,
  modelVersion: 'v1',
});

describe('episodeLine (the demo log)', () => {
  it('an onset says when it was raised and when the episode began; the offset gives the span, so a short episode reads in order', () => {
    // Bigeminy recognised at 1:40 after it began at 1:30; it was over at 1:35 (its last cycle).
    const onset = episodeLine(message('onset', 90_000, 100_000), labels, start);
    const offset = episodeLine(message('offset', 90_000, 95_000), labels, start);
    expect(onset).toBe('RHYTHM warning  201 (AF) BIGEMINY onset raised at 1:40 into the recording (began 1:30)');
    expect(offset).toBe('RHYTHM warning  201 (AF) BIGEMINY offset: the episode lasted 1:30-1:35 into the recording');
  });
});
