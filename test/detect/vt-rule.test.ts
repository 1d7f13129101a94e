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
  conductedInAf: 0.8,
  noiseResemble: 0.8,
  onsetIntervals: 1,
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

  it('a beat whose shape is not to be trusted (judged noise, or in flat or clipped seconds) never counts, even flagged and wide', () => {
    expect(run(sequence(6, (t, rr) => wide(t, rr, { gated: true, noise: true, ventricular: false, score: undefined })))).toEqual([]);
    expect(run(sequence(6, (t, rr) => wide(t, rr, { noise: true })))).toEqual([]);
    // A noise beat inside six wide beats splits them: two before it are no run, three after it are.
    const beats = sequence(6, (t, rr) => wide(t, rr));
    beats[7] = { ...beats[7], noise: true };
    const events = run(beats);
    expect(events.map((e) => e.kind)).toEqual(['onset', 'offset']);
    expect(events[0]).toMatchObject({ start: beats[8].t });
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

  it('during AF a beat like the last on-time beats is conducted like them, however unlike the dominant shape; outside AF that does not excuse it', () => {
    const shifted = (t: number, rr: number) => wide(t, rr, { qrsOnTime: 0.9 });
    expect(run(sequence(4, shifted), true)).toEqual([]);
    expect(
      run(
        sequence(4, (t, rr) => wide(t, rr, { qrsOnTime: 0.5 })),
        true,
      ).map((e) => e.kind),
    ).toEqual(['onset', 'offset']);
    expect(run(sequence(4, shifted)).map((e) => e.kind)).toEqual(['onset', 'offset']);
    // The model's lead decides; the second lead stands in only when the first has no view.
    expect(
      run(
        sequence(4, (t, rr) => wide(t, rr, { qrsOnTime: 0.5, qrsOnTime2: 0.95 })),
        true,
      ).map((e) => e.kind),
    ).toEqual(['onset', 'offset']);
    expect(
      run(
        sequence(4, (t, rr) => wide(t, rr, { qrsOnTime: null, qrsOnTime2: 0.95 })),
        true,
      ),
    ).toEqual([]);
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

  it('beats the scorer judged noise count when their QRS complexes look alike (one focus), not when they differ (artefact)', () => {
    const qrs = (k: number) => Array.from({ length: 19 }, (_, i) => Math.sin(i / 3) + 0.01 * k);
    const alike = sequence(5, (t, rr) => wide(t, rr, { gated: true, noise: true, ventricular: false, score: undefined, qrs: qrs(t) }));
    expect(run(alike).map((e) => e.kind)).toEqual(['onset', 'critical', 'offset']);
    let seed = 7;
    const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1;
    const unlike = sequence(5, (t, rr) =>
      wide(t, rr, { gated: true, noise: true, ventricular: false, score: undefined, qrs: Array.from({ length: 19 }, random) }),
    );
    expect(run(unlike)).toEqual([]);
    // Alike but in flat or clipped seconds: clipped beats look alike, they never count.
    expect(run(sequence(5, (t, rr) => wide(t, rr, { gated: true, noise: true, unreadable: true, score: undefined, qrs: qrs(t) })))).toEqual(
      [],
    );
  });

  it('beats the model lead lost count, like beats judged noise, only when their QRS complexes look alike', () => {
    const qrs = (k: number) => Array.from({ length: 19 }, (_, i) => Math.sin(i / 3) + 0.01 * k);
    const lostBeat = (t: number, rr: number, shape: number[]) =>
      wide(t, rr, { gated: true, ventricular: false, score: undefined, lost: true, qrsSimilarity: -0.6, qrsSimilarity2: 0.85, qrs: shape });
    expect(run(sequence(5, (t, rr) => lostBeat(t, rr, qrs(t)))).map((e) => e.kind)).toEqual(['onset', 'critical', 'offset']);
    let seed = 11;
    const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1;
    expect(run(sequence(5, (t, rr) => lostBeat(t, rr, Array.from({ length: 19 }, random))))).toEqual([]);
  });

  it('during AF, a beat the model lead lost is conducted by its second-lead likeness to the last on-time beats, not by its poor model-lead window', () => {
    const qrs = (k: number) => Array.from({ length: 19 }, (_, i) => Math.sin(i / 3) + 0.01 * k);
    const lostInAf = (onTime2: number) =>
      sequence(5, (t, rr) =>
        wide(t, rr, {
          gated: true,
          ventricular: false,
          score: undefined,
          lost: true,
          qrsSimilarity: -0.6,
          qrsOnTime: -0.5,
          qrsOnTime2: onTime2,
          qrs: qrs(t),
        }),
      );
    expect(run(lostInAf(0.95), true)).toEqual([]);
    expect(run(lostInAf(0.5), true).map((e) => e.kind)).toEqual(['onset', 'critical', 'offset']);
  });

  it('a beat whose second-lead QRS matches the dominant shape there is no ventricular beat; one the model lead lost is judged on the second lead', () => {
    expect(run(sequence(5, (t, rr) => wide(t, rr, { qrsSimilarity2: 0.98 })))).toEqual([]);
    const lost = sequence(5, (t, rr) =>
      wide(t, rr, { gated: true, ventricular: false, score: undefined, qrsSimilarity: null, qrsSimilarity2: -0.6 }),
    );
    expect(run(lost).map((e) => e.kind)).toEqual(['onset', 'critical', 'offset']);
    const lostNormal = sequence(5, (t, rr) =>
      wide(t, rr, { gated: true, ventricular: false, score: undefined, qrsSimilarity: null, qrsSimilarity2: 0.8 }),
    );
    expect(run(lostNormal)).toEqual([]);
  });

  it('a beat whose QRS differs from the dominant one on the second lead only looks ventricular', () => {
    const mlIiAlike = (t: number, rr: number) => wide(t, rr, { ventricular: false, score: 0.1, qrsSimilarity: 0.9 });
    expect(run(sequence(4, mlIiAlike))).toEqual([]);
    expect(run(sequence(4, (t, rr) => ({ ...mlIiAlike(t, rr), qrsSimilarity2: -0.4 }))).map((e) => e.kind)).toEqual(['onset', 'offset']);
  });

  it('a run is raised once one of its beats came early: wide beats at the rate of the beats before them raise none', () => {
    // Sinus tachycardia at 0.5 s whose QRS changes shape for a while (a lead moving): on time, no VT.
    const onTime: VtBeat[] = [];
    let t = 10_000;
    for (let k = 0; k < 5; k++) onTime.push(normal((t += 500), 0.5));
    for (let k = 0; k < 5; k++) onTime.push(wide((t += 500), 0.5));
    expect(run(onTime)).toEqual([]);
    // The same beats from 0.4 s after the first, which comes early: a VT run from it.
    const early = onTime.map((b, i) => (i >= 5 ? { ...b, rrPrev: 0.4 } : b));
    expect(run(early).map((e) => e.kind)).toEqual(['onset', 'critical']);
    // A run whose third beat comes early (a slow start, then faster) is raised from its first beat.
    const later = onTime.map((b, i) => (i === 7 ? { ...b, rrPrev: 0.4 } : b));
    const events = run(later);
    expect(events.map((e) => e.kind)).toEqual(['onset', 'critical']);
    expect(events[0]).toMatchObject({ start: onTime[5].t });
    // Without the onset rule (0 intervals), any run is raised.
    const rule = new VtRule({ ...OPTIONS, onsetIntervals: 0 });
    expect(onTime.flatMap((b) => rule.beat(b, false)).map((e) => e.kind)).toEqual(['onset', 'critical']);
  });

  it('with startFlagged, a run counts from its first beat the scorer flagged (or could not judge): a lone shape-only start is no third beat', () => {
    const flaggedOnly = new VtRule({ ...OPTIONS, startFlagged: true });
    // A sinus beat whose QRS changed (unflagged, unlike the dominant shape), then a ventricular pair: no run with the option, one without.
    const pair = sequence(3, (t, rr) => wide(t, rr));
    pair[5] = { ...pair[5], ventricular: false, score: 0.1 };
    expect(pair.flatMap((b) => flaggedOnly.beat(b, false))).toEqual([]);
    expect(run(pair).map((e) => e.kind)).toEqual(['onset', 'offset']);
    // A run whose early first beat is unflagged and the beats after it come at its rate (no new early beat):
    // the run keeps that onset, and is raised once three flagged beats follow it, from the first of them.
    const input = sequence(4, (t, rr) => wide(t, rr));
    input[5] = { ...input[5], ventricular: false, score: 0.1 };
    const rule = new VtRule({ ...OPTIONS, startFlagged: true });
    const events = input.flatMap((b) => rule.beat(b, false).map((e) => ({ ...e, at: b.t })));
    expect(events.map((e) => e.kind)).toEqual(['onset', 'offset']);
    expect(events[0]).toMatchObject({ start: input[6].t, at: input[8].t });
    // Gated beats (no score) may begin a run.
    const gated = new VtRule({ ...OPTIONS, startFlagged: true });
    const gatedRun = sequence(3, (t, rr) => wide(t, rr, { gated: true, ventricular: false, score: undefined }));
    expect(gatedRun.flatMap((b) => gated.beat(b, false)).map((e) => e.kind)).toEqual(['onset', 'offset']);
  });
});
