import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BeatSegmenter, type Beat } from '../../src/ecg/beat-segmenter';
import { correlation } from '../../src/ecg/beat-shape';
import { loadMitdbRecord } from '../../src/ecg/mitdb';
import { MultiLeadSegmenter, type FusedSecond, type HeadSecond, type MultiLeadBeat } from '../../src/ecg/multi-lead-segmenter';
import { streamBeats } from '../../src/ecg/qrs-evaluation';
import { resolveQrsOptions } from '../../src/ecg/qrs-options';
import { createRandom } from '../../src/random';
import { ecgResample } from '../../src/ecg/resample';
import { MITDB } from './helpers';

const FS = 360;

/** Both leads of a record's first `seconds`, MLII first. */
function leadsOf(name: string, seconds: number, fs = FS): Float32Array[] {
  const rec = loadMitdbRecord(MITDB, name);
  const mlii = rec.signal.subarray(0, seconds * FS);
  const other = (rec.leads ?? []).find((l) => l.name !== rec.lead)!.samples.subarray(0, seconds * FS);
  return fs === FS ? [mlii, other] : [ecgResample(mlii, FS, fs), ecgResample(other, FS, fs)];
}

/** Streams leads in chunks of the given sizes (cycled), optionally round-tripping the state through JSON. */
function stream(
  leads: readonly (Float32Array | null)[],
  fs: number,
  sizes: readonly number[],
  serializeAt: readonly boolean[] = [false],
): { beats: MultiLeadBeat[]; seconds: FusedSecond[] } {
  let seg = new MultiLeadSegmenter({ fs, leads: leads.length });
  const beats: MultiLeadBeat[] = [];
  const seconds: FusedSecond[] = [];
  const length = leads.find((l) => l !== null)!.length;
  let k = 0;
  for (let start = 0; start < length; k++) {
    const end = Math.min(length, start + Math.max(1, sizes[k % sizes.length]));
    beats.push(...seg.push(leads.map((l) => (l === null ? null : l.subarray(start, end)))));
    seconds.push(...seg.takeSeconds());
    if (serializeAt[k % serializeAt.length]) seg = MultiLeadSegmenter.fromJSON(JSON.parse(JSON.stringify(seg.toJSON())));
    start = end;
  }
  beats.push(...seg.flush());
  seconds.push(...seg.takeSeconds());
  return { beats, seconds };
}

function plain(beats: readonly (Beat | MultiLeadBeat)[]): unknown[] {
  return beats.map((b) => ({
    ...b,
    window: Array.from(b.window),
    ...('leads' in b ? { leads: b.leads.map((l) => ({ ...l, window: Array.from(l.window) })) } : {}),
  }));
}

/** The single-lead fields of beats, as a BeatSegmenter reports them. */
function singleLead(beats: readonly MultiLeadBeat[]): unknown[] {
  return plain(
    beats.map(({ rIndex, window, rrPrev, rrNext, rrLocalMean, scale, offset }) => ({
      rIndex,
      window,
      rrPrev,
      rrNext,
      rrLocalMean,
      scale,
      offset,
    })),
  );
}

describe('MultiLeadSegmenter', () => {
  it('gives exactly the beats of a BeatSegmenter on lead 0 when lead 0 is never worse than the others (208, noisy stretches included)', () => {
    const [mlii] = leadsOf('208', 240);
    const single = streamBeats(mlii, FS, 1, new BeatSegmenter({ fs: FS }));
    // A copy of lead 0 is unusable exactly where lead 0 is: lead 0 is used throughout.
    const copy = stream([mlii, mlii.slice()], FS, [FS]);
    expect(single.length).toBeGreaterThan(250);
    expect(singleLead(copy.beats)).toEqual(plain(single));
    expect(copy.beats.every((b) => b.lead === 0)).toBe(true);
    expect(copy.seconds.map((s) => s.index)).toEqual(copy.seconds.map((_, i) => i));
    // A lead absent throughout (held: flat) is never used either.
    const absent = stream([mlii, null], FS, [FS]);
    expect(singleLead(absent.beats)).toEqual(plain(single));
    expect(absent.beats.every((b) => !b.leads[1].usable)).toBe(true);
  });

  for (const fs of [250, 360]) {
    it(`gives identical beats, windows, leads and seconds for any chunking and JSON round trips at ${fs} Hz (property)`, () => {
      const [mlii, v1] = leadsOf('119', 75, fs);
      // Lead 0 lost for 20 s (electrode off: flat), so the fusion switches leads and back.
      const lost = mlii.slice();
      lost.fill(lost[30 * fs], 30 * fs, 50 * fs);
      const whole = stream([lost, v1], fs, [lost.length]);
      expect(whole.beats.length).toBeGreaterThan(80);
      expect(whole.beats.some((b) => b.lead === 1)).toBe(true);
      const expected = { beats: plain(whole.beats), seconds: whole.seconds };
      fc.assert(
        fc.property(
          fc.array(fc.integer({ min: 1, max: 2 * fs }), { minLength: 1, maxLength: 8 }),
          fc.array(fc.boolean(), { minLength: 1, maxLength: 4 }),
          (sizes, serializeAt) => {
            const got = stream([lost, v1], fs, sizes, serializeAt);
            expect({ beats: plain(got.beats), seconds: got.seconds }).toEqual(expected);
          },
        ),
        { numRuns: 6, seed: fs },
      );
    });
  }

  it("reports the other lead's own R peaks through a pause of the fused beats, identically for any chunking and JSON round trips (property)", () => {
    const [mlii, v5] = leadsOf('100', 60);
    // MLII keeps its slow waves for 6 s while its QRS band is divided by 40 (as 208's at 1384 s): its detector misses the beats, V5's does not.
    const faded = mlii.slice();
    const average = (x: Float32Array, width: number) =>
      x.map((_, i) => {
        const from = Math.max(0, i - (width >> 1));
        const to = Math.min(x.length - 1, i + (width >> 1));
        let sum = 0;
        for (let k = from; k <= to; k++) sum += x[k];
        return sum / (to - from + 1);
      });
    const slow = average(average(mlii, 72), 72);
    for (let i = 30 * FS; i < 36 * FS; i++) faded[i] = slow[i] + (mlii[i] - slow[i]) / 40;
    const whole = stream([faded, v5], FS, [faded.length]);
    const reported = whole.seconds.filter((s) => s.others !== undefined);
    expect(reported.length).toBeGreaterThanOrEqual(3);
    // Every second of the pause's report lies past the beat before it by more than the detector's longest expected RR (2 s).
    const before = whole.beats.filter((b) => b.rIndex < 31 * FS).at(-1)!.rIndex;
    expect(reported[0].index * FS).toBeGreaterThan(before + 2 * FS);
    const last = reported.at(-1)!.others![0];
    // V5's detections cover the pause at its rate (about 75 bpm), with their QRS energy.
    const inPause = last.peaks.filter((r) => r > before + 0.15 * FS);
    expect(inPause.length).toBeGreaterThanOrEqual(4);
    expect(last.heights.every((h) => h > 0)).toBe(true);
    expect(last.usable).toMatch(/^1+$/);
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 2 * FS }), { minLength: 1, maxLength: 8 }),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 4 }),
        (sizes, serializeAt) => {
          const got = stream([faded, v5], FS, sizes, serializeAt);
          expect({ beats: plain(got.beats), seconds: got.seconds }).toEqual({ beats: plain(whole.beats), seconds: whole.seconds });
        },
      ),
      { numRuns: 6, seed: 7 },
    );
  });

  it('shows at its head, before deciding them, the seconds it then decides: the same lead, and R peaks that become beats', () => {
    const [mlii, v5] = leadsOf('100', 90);
    // MLII off (flat) from 40 to 55 s: the head must follow the change of lead as the decisions do.
    const off = mlii.slice();
    off.fill(off[40 * FS], 40 * FS, 55 * FS);
    const refractory = Math.round(resolveQrsOptions({ fs: FS }).refractory * FS);
    for (const leads of [
      [mlii, v5],
      [off, v5],
    ]) {
      const seg = new MultiLeadSegmenter({ fs: FS, leads: 2 });
      const beats: MultiLeadBeat[] = [];
      const decided: FusedSecond[] = [];
      const seen: HeadSecond[] = [];
      let reports = 0;
      for (let start = 0; start < leads[0].length; start += FS) {
        beats.push(...seg.push(leads.map((l) => l.subarray(start, start + FS))));
        decided.push(...seg.takeSeconds());
        const head = seg.head();
        // The head starts where the decisions stopped, and brings every other lead's report along.
        if (head.seconds.length > 0) {
          expect(head.seconds[0].index).toBe((decided.at(-1)?.index ?? -1) + 1);
          expect(head.others.map((r) => r.lead)).toEqual([1]);
          reports++;
        }
        seen.push(...head.seconds);
      }
      beats.push(...seg.flush());
      decided.push(...seg.takeSeconds());
      expect(reports).toBeGreaterThan(80);
      for (const second of seen) {
        const later = decided.find((d) => d.index === second.index)!;
        expect(second.lead, `second ${second.index}`).toBe(later.lead);
        expect(second.quality).toBe(later.quality);
        // Each is a heartbeat the decisions keep: as a beat, or as one a peak of the other lead reported later (within the refractory period) stands for.
        for (const r of second.peaks)
          expect(
            beats.some((b) => Math.abs(b.rIndex - r) < refractory),
            `peak ${r}`,
          ).toBe(true);
      }
      // Lead 1 is shown at the head where MLII is off.
      if (leads[0] === off) expect(seen.some((s) => s.lead === 1)).toBe(true);
    }
  });

  it('survives the loss of lead 0 (flat, then noise): detection carries on with lead 1 and comes back', () => {
    const rec = loadMitdbRecord(MITDB, '100');
    const seconds = 180;
    const [mlii, v5] = leadsOf('100', seconds);
    const damaged = mlii.slice();
    damaged.fill(damaged[60 * FS], 60 * FS, 90 * FS); // lead off
    const rng = createRandom(3);
    for (let i = 120 * FS; i < 150 * FS; i++) damaged[i] = 2 * (rng.next() - 0.5); // muscle noise, ±1 mV
    const reference = Array.from(rec.beatSamples).filter((s) => s < seconds * FS);
    // Se and +P over [from, to): a reference beat there is found by a detection within 150 ms
    // (anywhere), a detection there matches a reference beat within 150 ms (anywhere).
    const tolerance = Math.round(0.15 * FS);
    const lost = (beats: readonly { rIndex: number }[], from: number, to: number) => {
      const detected = beats.map((b) => b.rIndex);
      const near = (xs: readonly number[], x: number) => xs.some((y) => Math.abs(y - x) <= tolerance);
      const inside = (x: number) => x >= from * FS && x < to * FS;
      const ref = reference.filter(inside);
      const det = detected.filter(inside);
      return {
        se: ref.filter((r) => near(detected, r)).length / ref.length,
        ppv: det.filter((d) => near(reference, d)).length / det.length,
      };
    };

    const fused = stream([damaged, v5], FS, [FS]);
    const single = streamBeats(damaged, FS, 1, new BeatSegmenter({ fs: FS }));
    for (const [from, to] of [
      [62, 88],
      [122, 148],
    ]) {
      const f = lost(fused.beats, from, to);
      expect(f.se).toBeGreaterThan(0.99);
      expect(f.ppv).toBeGreaterThan(0.99);
      // One lead alone loses the beats (flat) or takes noise for beats.
      const s = lost(single, from, to);
      expect(s.se < 0.9 || s.ppv < 0.9).toBe(true);
    }
    const byLead = (from: number, to: number) => fused.beats.filter((b) => b.rIndex >= from * FS && b.rIndex < to * FS);
    expect(byLead(62, 88).every((b) => b.lead === 1 && b.leads[1].usable && !b.leads[0].usable)).toBe(true);
    // Lead 0 flat there shows nothing; in noise it is unusable but still shows a signal.
    expect(byLead(62, 88).every((b) => !b.leads[0].readable)).toBe(true);
    expect(byLead(122, 148).every((b) => b.leads[0].readable && !b.leads[0].usable)).toBe(true);
    expect(byLead(95, 115).every((b) => b.leads[0].readable && b.leads[1].readable)).toBe(true);
    expect(byLead(95, 115).every((b) => b.lead === 0 && b.leads[0].usable)).toBe(true);
    expect(fused.seconds.filter((s) => s.lead === 1).length).toBeGreaterThanOrEqual(55);
    expect(fused.seconds.filter((s) => s.index >= 62 && s.index < 88).every((s) => s.lead === 1 && s.quality !== 'flat')).toBe(true);
    // Over the whole record, beats are found once each.
    const all = lost(fused.beats, 0, seconds);
    expect(all.se).toBeGreaterThan(0.99);
    expect(all.ppv).toBeGreaterThan(0.99);
  });

  it('places a beat only lead 1 found where lead 0 would have had its R peak (their learned offset), so its windows line up with the others', () => {
    const seconds = 120;
    const [mlii, v5] = leadsOf('100', seconds);
    // Lead 1's R peaks 12 samples (33 ms) after lead 0's, as far as on MIT-BIH 112's V1.
    const delay = 12;
    const late = new Float32Array(v5.length);
    late.set(v5.subarray(0, v5.length - delay), delay);
    late.fill(v5[0], 0, delay);
    const damaged = mlii.slice();
    damaged.fill(damaged[60 * FS], 60 * FS, 90 * FS); // lead off
    const clean = streamBeats(mlii, FS, 1, new BeatSegmenter({ fs: FS })).map((b) => b.rIndex);
    const fused = stream([damaged, late], FS, [FS]).beats;
    const lost = fused.filter((b) => b.lead === 1 && b.rIndex > 62 * FS && b.rIndex < 88 * FS);
    const found = fused.filter((b) => b.lead === 0 && b.rIndex > 20 * FS && b.rIndex < 58 * FS);
    expect(lost.length).toBeGreaterThan(25);
    const off = lost.map((b) => Math.min(...clean.map((r) => Math.abs(r - b.rIndex))));
    expect(off.every((d) => d <= 2)).toBe(true);
    // Lead 1's window of a lost beat is cut as those of the beats lead 0 found: the same shape, in place.
    const mean = (beats: readonly MultiLeadBeat[]) =>
      Array.from(beats[0].leads[1].window, (_, i) => beats.reduce((sum, b) => sum + b.leads[1].window[i], 0) / beats.length);
    expect(correlation(mean(lost), mean(found))).toBeGreaterThan(0.98);
  });

  it("says which leads' own detectors confirm each beat: a QRS added to lead 0 alone is not confirmed by lead 1, for any chunking", () => {
    const [clean, v5] = leadsOf('100', 60);
    const rec = loadMitdbRecord(MITDB, '100');
    const ref = Array.from(rec.beatSamples).filter((r) => r < 60 * FS);
    // Every eighth RR interval gets a copy of a real QRS (80 ms) halfway, on lead 0 only: a beat lead 1 never saw.
    const mlii = clean.slice();
    const half = Math.round(0.04 * FS);
    const added: number[] = [];
    for (let k = 20; k + 2 < ref.length; k += 8) {
      const at = Math.round((ref[k + 1] + ref[k + 2]) / 2);
      for (let i = -half; i <= half; i++) mlii[at + i] += clean[ref[k] + i] - clean[ref[k] - half];
      added.push(at);
    }
    const whole = stream([mlii, v5], FS, [FS]).beats;
    const isAdded = (b: MultiLeadBeat) => added.some((a) => Math.abs(a - b.rIndex) <= half);
    expect(whole.filter(isAdded)).toHaveLength(added.length);
    expect(whole.every((b) => b.lead === 0 && b.leads[0].confirmed)).toBe(true);
    // Lead 1 is usable once trusted (10 s of agreement); before, it confirms nothing.
    expect(whole.filter(isAdded).every((b) => b.leads[1].usable)).toBe(true);
    expect(whole.every((b) => b.leads[1].usable || !b.leads[1].confirmed)).toBe(true);
    expect(whole.filter((b) => b.leads[1].usable && !b.leads[1].confirmed).map((b) => b.rIndex)).toEqual(
      whole.filter(isAdded).map((b) => b.rIndex),
    );
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 2 * FS }), { minLength: 1, maxLength: 8 }),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 4 }),
        (sizes, serializeAt) => {
          expect(plain(stream([mlii, v5], FS, sizes, serializeAt).beats)).toEqual(plain(whole));
        },
      ),
      { numRuns: 4, seed: 7 },
    );
  });

  it("does not trust a second lead whose beats disagree with lead 0's, even where lead 0 is lost", () => {
    const [mlii] = leadsOf('100', 120);
    const [, stranger] = leadsOf('119', 120); // another patient's V1: its own rhythm
    const lost = mlii.slice();
    lost.fill(lost[60 * FS], 60 * FS, 90 * FS);
    const { beats, seconds } = stream([lost, stranger], FS, [FS]);
    expect(beats.every((b) => b.lead === 0 && !b.leads[1].usable)).toBe(true);
    expect(seconds.every((s) => s.lead === 0)).toBe(true);
    expect(beats.filter((b) => b.rIndex >= 62 * FS && b.rIndex < 88 * FS)).toHaveLength(0);
    // The same lead 1 that agrees (the patient's own V5) is used there.
    const [, v5] = leadsOf('100', 120);
    expect(stream([lost, v5], FS, [FS]).beats.filter((b) => b.lead === 1).length).toBeGreaterThan(30);
  });

  it('refuses stretches of unequal length, a wrong number of leads, no lead at all, and unknown states', () => {
    const seg = new MultiLeadSegmenter({ fs: FS, leads: 2 });
    expect(() => seg.push([new Float32Array(3), new Float32Array(4)])).toThrow(/as many samples/);
    expect(() => seg.push([new Float32Array(3)])).toThrow(/expected 2 leads/);
    expect(() => seg.push([null, null])).toThrow(/at least one lead/);
    expect(() => new MultiLeadSegmenter({ fs: FS, leads: 9 })).toThrow(/leads must be/);
    expect(() => MultiLeadSegmenter.fromJSON({ ...seg.toJSON(), version: 99 })).toThrow(/unknown kind or version/);
  });
});
