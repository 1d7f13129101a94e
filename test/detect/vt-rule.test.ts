import { describe, expect, it } from 'vitest';
import { VtRule, type VtBeat, type VtOptions } from '../../src/detect/vt-rule';

const OPTIONS: VtOptions = {
  runBeats: 3,
  criticalBeats: 5,
  bpm: 100,
  shape: 0.5,
  score: 0.5,
  dominant: 0.95,
  shapeInAf: 0,
  noiseQrsMatch: 0.8,
  noiseRrChange: 0.25,
};

const normal = (t: number, rr = 0.8): VtBeat => ({ t, rrPrev: rr, ventricular: false, score: 0.1, gated: false, qrsSimilarity: 0.99 });
const wide = (t: number, rr = 0.45, extra: Partial<VtBeat> = {}): VtBeat => ({
  t,
  rrPrev: rr,
  ventricular: true,
  score: 3,
  gated: false,
  qrsSimilarity: -0.5,
  ...extra,
});

/** Normal beats, then `n` beats made by `make` at `rr` s, then normal beats. */
function sequence(n: number, make: (t: number, rr: number) => VtBeat, rr = 0.45): VtBeat[] {
  const out: VtBeat[] = [];
  let t = 10_000;
  for (let k = 0; k < 5; k++) out.push(normal((t += 800)));
  for (let k = 0; k < n; k++) out.push(make((t += rr * 1000), rr));
  out.push(normal((t += 1000), 1));
  out.push(normal(t + 800));
  return out;
}

function run(input: VtBeat[], inAf = false) {
  const rule = new VtRule(OPTIONS);
  return input.flatMap((b) => rule.beat(b, inAf).map((e) => ({ ...e, at: b.t })));
}

describe('VtRule', () => {
  it('3 ventricular beats above 100 bpm: a warning onset at the third, starting at the first; the offset ends at the last', () => {
    const input = sequence(3, wide);
    const events = run(input);
    expect(events.map((e) => e.kind)).toEqual(['onset', 'offset']);
    expect(events[0]).toMatchObject({ start: input[5].t, critical: false, at: input[7].t });
    expect(events[1]).toMatchObject({ start: input[5].t, end: input[7].t });
  });

  it('a run that reaches 5 beats escalates to critical once', () => {
    const events = run(sequence(8, wide));
    expect(events.map((e) => e.kind)).toEqual(['onset', 'critical', 'offset']);
  });

  it('ventricular beats slower than 100 bpm (an idioventricular rhythm) are no VT run; a pair is too short', () => {
    expect(run(sequence(6, wide, 0.7))).toEqual([]);
    expect(run(sequence(2, wide))).toEqual([]);
  });

  it('a run slowing below the rate closes at its last fast beat', () => {
    const input = sequence(4, wide);
    const slow = input.map((b, i) => (i === 9 ? { ...b, rrPrev: 0.9 } : b));
    expect(run(slow).map((e) => e.kind)).toEqual(['onset', 'offset']);
  });

  it('inside a fast run, an unflagged beat counts when its score reaches half the threshold or its QRS is unlike the dominant one', () => {
    expect(run(sequence(3, (t, rr) => wide(t, rr, { ventricular: false, score: 0.6, qrsSimilarity: 0.9 }))).map((e) => e.kind)).toEqual([
      'onset',
      'offset',
    ]);
    expect(run(sequence(3, (t, rr) => wide(t, rr, { ventricular: false, score: 0.1 }))).map((e) => e.kind)).toEqual(['onset', 'offset']);
    expect(run(sequence(3, (t, rr) => wide(t, rr, { ventricular: false, score: 0.1, qrsSimilarity: 0.9 })))).toEqual([]);
  });

  it('a beat with the dominant QRS never counts, whatever its score (fast sinus beats flagged on timing)', () => {
    expect(run(sequence(5, (t, rr) => wide(t, rr, { qrsSimilarity: 0.97 })))).toEqual([]);
  });

  it('gated beats (poor signal, no score) count by shape alone', () => {
    expect(run(sequence(3, (t, rr) => wide(t, rr, { gated: true, ventricular: false, score: undefined }))).map((e) => e.kind)).toEqual([
      'onset',
      'offset',
    ]);
    expect(run(sequence(3, (t, rr) => wide(t, rr, { gated: true, ventricular: false, score: undefined, qrsSimilarity: null })))).toEqual(
      [],
    );
  });

  it('a beat on flat or clipped signal never counts, even flagged and wide; one inside a run splits it', () => {
    expect(run(sequence(6, (t, rr) => wide(t, rr, { gated: true, unreadable: true, ventricular: false, score: undefined })))).toEqual([]);
    expect(run(sequence(6, (t, rr) => wide(t, rr, { unreadable: true })))).toEqual([]);
    // Two wide beats before it are no run, three after it are.
    const beats = sequence(6, (t, rr) => wide(t, rr));
    beats[7] = { ...beats[7], unreadable: true };
    const events = run(beats);
    expect(events.map((e) => e.kind)).toEqual(['onset', 'offset']);
    expect(events[0]).toMatchObject({ start: beats[8].t });
  });

  it('beats the scorer judged noise make a run only when each is like the one before it, in QRS and in interval', () => {
    const qrs = [0, 0.2, 1, 3, 1, -0.5, -0.2, 0];
    const other = [0, -1, 0.5, -0.3, 2, 0.1, -2, 0.4];
    const noise = (extra: Partial<VtBeat>) => (t: number, rr: number) =>
      wide(t, rr, { ventricular: false, score: 0, noise: true, qrs, ...extra });
    // A steady fast run of one shape (a VT whose beats the profile called noise): raised.
    expect(run(sequence(4, noise({}))).map((e) => e.kind)).toEqual(['onset', 'offset']);
    // Shapes that jump from beat to beat: no run.
    const jumping = sequence(6, noise({}));
    for (let k = 5; k < 11; k += 2) jumping[k] = { ...jumping[k], qrs: other };
    expect(run(jumping)).toEqual([]);
    // Intervals that jump (0.45 s, then 0.3 s, then 0.45 s...): no run either.
    const uneven = sequence(6, noise({}));
    let t = uneven[4].t;
    for (let k = 5; k < 11; k++) uneven[k] = { ...uneven[k], t: (t += k % 2 ? 450 : 300), rrPrev: k % 2 ? 0.45 : 0.3 };
    expect(run(uneven)).toEqual([]);
    // The same beats not judged noise are a run by shape and score, whatever the shapes.
    expect(run(jumping.map((b) => ({ ...b, noise: false, score: 3 }))).map((e) => e.kind)).toEqual(['onset', 'critical', 'offset']);
  });

  it('during AF only a clearly different QRS counts (aberrant conduction is not VT)', () => {
    expect(
      run(
        sequence(4, (t, rr) => wide(t, rr, { qrsSimilarity: 0.3 })),
        true,
      ),
    ).toEqual([]);
    expect(run(sequence(4, wide), true).map((e) => e.kind)).toEqual(['onset', 'offset']);
  });

  it('its state round-trips through JSON mid-run', () => {
    const input = sequence(6, wide);
    const whole = run(input);
    let rule = new VtRule(OPTIONS);
    const split: unknown[] = [];
    input.forEach((b, i) => {
      if (i === 7) rule = new VtRule(OPTIONS, JSON.parse(JSON.stringify(rule.toJSON())));
      split.push(...rule.beat(b, false).map((e) => ({ ...e, at: b.t })));
    });
    expect(split).toEqual(whole);
  });
});
