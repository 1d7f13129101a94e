import { describe, expect, it } from 'vitest';
import { DEFAULT_RHYTHM_OPTIONS, RhythmMonitor, type EpisodeEvent } from '../../src/detect/rhythm-monitor';

const FS = 360;

/** Beats of a steady 75 bpm rhythm whose pattern letter says which are ventricular ('V') or not ('N'). */
function feed(monitor: RhythmMonitor, pattern: string, from: { t: number }): EpisodeEvent[] {
  const out: EpisodeEvent[] = [];
  for (const letter of pattern) {
    from.t += 800;
    out.push(
      ...monitor.beat({ t: from.t, rIndex: Math.round((from.t * FS) / 1000), rrPrev: 0.8, ventricular: letter === 'V', gated: false }),
    );
  }
  return out;
}

describe('bigeminy and trigeminy episodes', () => {
  it('one beat left unflagged inside trigeminy keeps one episode; the pattern gone for two cycles and 10 s closes it where it last held', () => {
    const monitor = new RhythmMonitor(FS);
    const clock = { t: 0 };
    const events = [
      ...feed(monitor, 'NNNNNNNN', clock),
      ...feed(monitor, 'NNV'.repeat(6), clock),
      // A ventricular beat the scorer missed: NNN instead of NNV.
      ...feed(monitor, 'NNN', clock),
      ...feed(monitor, 'NNV'.repeat(6), clock),
    ];
    // The pattern last holds two beats after the last V (its cycle read as V, N, N).
    const lastHeld = clock.t + 2 * 800;
    events.push(...feed(monitor, 'N'.repeat(30), clock));
    const trigeminy = events.filter((e) => e.kind === 'rhythm' && e.label === 'TRIGEMINY');
    expect(trigeminy.map((e) => e.phase)).toEqual(['onset', 'offset']);
    expect(trigeminy[1].at).toBe(lastHeld);
    expect(DEFAULT_RHYTHM_OPTIONS.patternHoldSeconds).toBe(10);
  });

  it('closes at the first broken cycles when the hold is 0 (the earlier behaviour), so the same beats raise two episodes', () => {
    const monitor = new RhythmMonitor(FS, { ...DEFAULT_RHYTHM_OPTIONS, patternHoldSeconds: 0 });
    const clock = { t: 0 };
    const events = [
      ...feed(monitor, 'NNNNNNNN', clock),
      ...feed(monitor, 'NNV'.repeat(6), clock),
      ...feed(monitor, 'NNNNNN', clock),
      ...feed(monitor, 'NNV'.repeat(6), clock),
      ...feed(monitor, 'N'.repeat(30), clock),
    ];
    const phases = events.filter((e) => e.kind === 'rhythm' && e.label === 'TRIGEMINY').map((e) => e.phase);
    expect(phases).toEqual(['onset', 'offset', 'onset', 'offset']);
  });
});
