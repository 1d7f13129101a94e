import { describe, expect, it } from 'vitest';
import { DEFAULT_POOR_STRETCH, type HeadReport, type HeadSecond, type SecondQuality, type StreamHead } from '../../src/ecg';
import { headPauseEnd, headSlowRun, type HeadPauseContext } from '../../src/detect/head-rules';

const FS = 360;
// The lead in use beat every 288 samples (75 bpm) up to 2880 (second 8); seconds 0-9 are decided and good.
const beats = [0, 288, 576, 864, 1152, 1440, 1728, 2016, 2304, 2592, 2880];
const context: HeadPauseContext = {
  lastR: 2880,
  beats,
  fs: FS,
  block: FS,
  asystoleSeconds: 4,
  bradyBpm: 40,
  qualityOf: (k) => (k < 10 ? 'good' : null),
  qualityCodes: 'g'.repeat(10),
  stretch: DEFAULT_POOR_STRETCH,
  otherLeads: undefined,
};
/** Head seconds 10 to 14 of lead 0, good and without peaks unless given. */
const seconds = (quality: (k: number) => SecondQuality = () => 'good', peaks: (k: number) => number[] = () => []): HeadSecond[] =>
  [10, 11, 12, 13, 14].map((index) => ({ index, quality: quality(index), lead: 0, peaks: peaks(index) }));
const head = (s: HeadSecond[], others: HeadReport[] = []): StreamHead => ({ seconds: s, others });
/** The definition is met at 2880 + 4 s = 4320: the end of second 11. */
const MET_END = 12 * FS;

describe('headPauseEnd (asystole at a multi-lead stream head)', () => {
  it('is the end of the first head second in which 4 s have passed without a peak, whatever the seconds after it', () => {
    expect(headPauseEnd(head(seconds()), context)).toBe(MET_END);
    expect(headPauseEnd(head(seconds().slice(0, 1)), context)).toBeNull();
  });

  it('is null once the lead in use reported a peak after the last beat (the decided seconds judge from it)', () => {
    expect(headPauseEnd(head(seconds(undefined, (k) => (k === 11 ? [11 * FS + 100] : []))), context)).toBeNull();
    // A peak at or before the last beat is no news.
    expect(headPauseEnd(head(seconds(undefined, (k) => (k === 10 ? [2880] : []))), context)).toBe(MET_END);
  });

  it('is null where the lead in use was flat or clipped in the pause, decided seconds or head (lead-off, saturation)', () => {
    expect(headPauseEnd(head(seconds((k) => (k === 11 ? 'flat' : 'good'))), context)).toBeNull();
    expect(headPauseEnd(head(seconds((k) => (k === 10 ? 'saturated' : 'good'))), context)).toBeNull();
    expect(headPauseEnd(head(seconds()), { ...context, qualityOf: (k) => (k === 9 ? 'flat' : 'good') })).toBeNull();
  });

  it('is null where the technical rule would open a noise episode by then (9 noisy seconds of 10), as the decided seconds would', () => {
    const noisy = { ...context, qualityCodes: 'g' + 'n'.repeat(8) + 'g' };
    // Head second 10 noisy: 9 of the last 10.
    expect(headPauseEnd(head(seconds((k) => (k === 10 ? 'noisy' : 'good'))), noisy)).toBeNull();
    // Noise alone does not veto asystole (when in doubt it is raised): 8 of 10 open nothing.
    expect(headPauseEnd(head(seconds((k) => (k === 10 ? 'noisy' : 'good'))), context)).toBe(MET_END);
  });

  describe("another lead's veto, judged up to where its detector has looked", () => {
    // Lead 1 beats with the lead in use up to 2880 and on through the pause, QRS energy 10, usable throughout.
    const through = [...beats, ...Array.from({ length: 8 }, (_, i) => 3168 + 288 * i)];
    const report = (horizon: number, peaks = through): HeadReport => ({
      lead: 1,
      from: 0,
      usable: '1'.repeat(15),
      peaks,
      heights: peaks.map(() => 10),
      horizon,
    });

    it('vetoes the pause while that lead beats through it', () => {
      expect(headPauseEnd(head(seconds(), [report(15 * FS)]), context)).toBeNull();
    });

    it('raises it when that lead showed no beat in the pause, however recently its detector looked', () => {
      expect(headPauseEnd(head(seconds(), [report(15 * FS, beats)]), context)).toBe(MET_END);
      // Its detector has looked up to 4.1 s before the head's end only: no beat there, so none to vouch for.
      expect(headPauseEnd(head(seconds(), [report(MET_END - Math.round(4.1 * FS), beats)]), context)).toBe(MET_END);
    });

    it("judges the lead's beats only up to its horizon: beats up to it count, the seconds after it are not held against the lead", () => {
      // Beats reported up to 3744, the detector has looked up to 3800: covered to there, vetoed.
      const upTo = through.filter((r) => r <= 3744);
      expect(headPauseEnd(head(seconds(), [report(3800, upTo)]), context)).toBeNull();
      // The same beats with a detector that has looked to the pause's end: 3744 to 4320 is 1.6 s without a beat, no veto.
      expect(headPauseEnd(head(seconds(), [report(MET_END, upTo)]), context)).toBe(MET_END);
    });
  });
});

describe('headSlowRun (extreme bradycardia at a multi-lead stream head)', () => {
  // Intervals of 1.75 s (34 bpm, below 40) from the last decided beat at 2880 on; the head is seconds 10 to 19.
  const slow = [1, 2, 3, 4, 5, 6].map((i) => 2880 + 630 * i);
  const tenSeconds = (peaks: readonly number[], quality: (k: number) => SecondQuality = () => 'good'): StreamHead =>
    head(
      Array.from({ length: 10 }, (_, i) => 10 + i).map((index) => ({
        index,
        quality: quality(index),
        lead: 0,
        peaks: peaks.filter((r) => r >= index * FS && r < (index + 1) * FS),
      })),
    );
  const run = { hasBeat: true, slow: 2, slowStart: 2250, bradyBeats: 5 };

  it('counts on from the decided beats: with 2 slow intervals decided, the 3rd slow head interval completes 5', () => {
    // 3510 lies in decided second 9: not the head's.
    expect(headSlowRun(tenSeconds(slow), context, run)).toEqual({ start: 2250, at: slow[3] });
    // Counted from none: the run begins at the last decided beat (2880 to 4140 is the first interval), and its 5th ends at the 5th head peak.
    expect(headSlowRun(tenSeconds(slow), context, { ...run, slow: 0 })).toEqual({ start: 2880, at: slow[5] });
    expect(headSlowRun(tenSeconds(slow), context, { ...run, slow: 0, bradyBeats: 6 })).toBeNull();
  });

  it('a faster interval breaks the run; the first beat ever has no interval', () => {
    expect(headSlowRun(tenSeconds([...slow, slow[2] + 300].sort((a, b) => a - b)), context, run)).toBeNull();
    expect(headSlowRun(tenSeconds(slow), { ...context, lastR: 2880 - 630 }, { ...run, hasBeat: false, slow: 0 })).toBeNull();
  });

  it('stops where the technical rule would open an episode before the run completes (the decided seconds reset it there)', () => {
    const noisy = { ...context, qualityCodes: 'g' + 'n'.repeat(8) + 'g' };
    expect(
      headSlowRun(
        tenSeconds(slow, (k) => (k === 10 ? 'noisy' : 'good')),
        noisy,
        run,
      ),
    ).toBeNull();
    expect(
      headSlowRun(
        tenSeconds(slow, (k) => (k === 10 ? 'noisy' : 'good')),
        context,
        run,
      ),
    ).toEqual({ start: 2250, at: slow[3] });
  });
});
