import { describe, expect, it } from 'vitest';
import { P_WAVE_SPAN, windowPart } from '../../src/ecg/beat-shape';
import { createRandom } from '../../src/random';
import { AfRule, type AfBeat, type AfOptions } from '../../src/detect/af-rule';
import { beatWindow, SPAN } from './rhythm-fixtures';

const OPTIONS: AfOptions = {
  window: 32,
  rmssd: 0.1,
  maxTurningPoints: 0.9,
  pWave: 0.6,
  dominant: 0.85,
  onsetBeats: 16,
  minSeconds: 30,
  offsetBeats: 16,
};

type Part = { beats: number; rhythm: 'sinus' | 'af' | 'sinus-ectopy' | 'bigeminy' };

/** Beats of consecutive rhythm parts: RR intervals, P waves (or fibrillation), QRS shape, ventricular flags. */
function beats(parts: Part[], options: { shapes?: boolean; flagged?: boolean } = {}): { beats: AfBeat[]; changes: number[] } {
  const random = createRandom(13);
  const out: AfBeat[] = [];
  const changes: number[] = [];
  let t = 0;
  let seed = 1;
  for (const part of parts) {
    changes.push(t);
    for (let k = 0; k < part.beats; k++) {
      let rr = 0.8 + 0.01 * Math.sin(k / 3);
      let ventricular = false;
      let atrial: 'p' | 'f' | 'none' = 'p';
      if (part.rhythm === 'af') {
        rr = 0.45 + 0.6 * random.next();
        atrial = 'f';
      } else if (part.rhythm === 'sinus-ectopy' && k % 7 === 3)
        rr = 0.5; // atrial premature beats (with P waves)
      else if (part.rhythm === 'sinus-ectopy' && k % 7 === 4) rr = 1.05;
      else if (part.rhythm === 'bigeminy') {
        ventricular = k % 2 === 1;
        rr = ventricular ? 0.5 : 1.1;
        atrial = ventricular ? 'none' : 'p';
      }
      t += rr * 1000;
      const shaped = options.shapes !== false;
      out.push({
        t,
        rrPrev: rr,
        ventricular: ventricular && options.flagged !== false,
        qrsSimilarity: shaped ? (ventricular ? -0.4 : 0.98) : null,
        pWave: shaped ? windowPart(beatWindow('narrow', atrial, seed++), SPAN, P_WAVE_SPAN) : null,
      });
    }
  }
  return { beats: out, changes };
}

function run(input: AfBeat[]) {
  const rule = new AfRule(OPTIONS);
  const events: { onset?: number; offset?: number; at: number }[] = [];
  let open = false;
  for (const b of input) {
    const d = rule.beat(b, open, true);
    if (d && 'onset' in d) {
      open = true;
      events.push({ onset: d.onset, at: b.t });
    } else if (d) {
      open = false;
      events.push({ offset: d.offset, at: b.t });
    }
  }
  return events;
}

describe('AfRule', () => {
  it('sinus, AF, sinus: one onset near the start of AF (after 30 s of it) and one offset near its end', () => {
    const { beats: input, changes } = beats([
      { beats: 200, rhythm: 'sinus' },
      { beats: 300, rhythm: 'af' },
      { beats: 200, rhythm: 'sinus' },
    ]);
    const events = run(input);
    expect(events).toHaveLength(2);
    expect(Math.abs((events[0].onset as number) - changes[1])).toBeLessThan(15_000);
    expect(events[0].at - changes[1]).toBeGreaterThanOrEqual(30_000);
    expect(Math.abs((events[1].offset as number) - changes[2])).toBeLessThan(15_000);
  });

  it('an irregular sinus rhythm whose beats keep their P wave (atrial ectopy) is not AF', () => {
    expect(run(beats([{ beats: 600, rhythm: 'sinus-ectopy' }]).beats)).toEqual([]);
  });

  it('bigeminy is not AF: flagged ventricular beats, or unflagged ones unlike the dominant QRS, leave the intervals out', () => {
    expect(run(beats([{ beats: 600, rhythm: 'bigeminy' }]).beats)).toEqual([]);
    expect(run(beats([{ beats: 600, rhythm: 'bigeminy' }], { flagged: false }).beats)).toEqual([]);
  });

  it('without beat shapes, the RR statistic decides alone', () => {
    const events = run(beats([{ beats: 300, rhythm: 'af' }], { shapes: false }).beats);
    expect(events.map((e) => 'onset' in e)).toEqual([true]);
  });

  it('the P wave is what tells them apart: the same irregular RR with P waves that repeat is not AF', () => {
    const { beats: af } = beats([{ beats: 300, rhythm: 'af' }]);
    const withP = af.map((b, i) => ({ ...b, pWave: windowPart(beatWindow('narrow', 'p', i), SPAN, P_WAVE_SPAN) }));
    expect(run(withP)).toEqual([]);
  });

  it('a P wave that repeats on the second lead only (flat in the first) is a P wave: not AF', () => {
    const { beats: af } = beats([{ beats: 300, rhythm: 'af' }]);
    const secondWithP = af.map((b, i) => ({ ...b, pWave2: windowPart(beatWindow('narrow', 'p', i), SPAN, P_WAVE_SPAN) }));
    expect(run(secondWithP)).toEqual([]);
    // Fibrillation on both leads is AF.
    const secondWithF = af.map((b, i) => ({ ...b, pWave2: windowPart(beatWindow('narrow', 'f', 1000 + i), SPAN, P_WAVE_SPAN) }));
    expect(run(secondWithF).map((e) => 'onset' in e)).toEqual([true]);
  });
});
