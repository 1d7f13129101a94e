import { describe, expect, it } from 'vitest';
import { ecgSegment } from '../../src/ecg/beat-segmenter';
import { DeviceSignal, emptySignalCounters } from '../../src/retrain/device-signal';
import type { DecodedRecord } from '../../src/retrain';
import { deviceRecords, TEST_FS, TEST_WINDOW } from './fixtures';

function collect(records: readonly DecodedRecord[], reorderWindow = 4) {
  const counters = emptySignalCounters();
  const windows: Float32Array[] = [];
  const signal = new DeviceSignal(TEST_WINDOW, reorderWindow, counters, (beat) => windows.push(beat.window));
  for (const r of records) signal.add(r);
  signal.finish();
  return { counters, windows };
}

describe('DeviceSignal', () => {
  const records = deviceRecords('d', { seconds: 30, seed: 3 });

  it('cuts the same beats as segmenting the whole signal at once', () => {
    const whole = new Float32Array(records.reduce((n, r) => n + r.samples.length, 0));
    let at = 0;
    for (const r of records) {
      whole.set(r.samples, at);
      at += r.samples.length;
    }
    const expected = ecgSegment(whole, TEST_FS, TEST_WINDOW).map((b) => b.window);
    const { windows, counters } = collect(records);
    expect(windows).toEqual(expected);
    expect(counters).toMatchObject({ records: 30, runs: 1, gaps: 0, duplicates: 0 });
  });

  it('puts records that arrive out of order (within the window) back in seq order', () => {
    const shuffled = [...records];
    // Swap neighbours pairwise and move one record three places later.
    for (let i = 0; i + 1 < shuffled.length; i += 2) [shuffled[i], shuffled[i + 1]] = [shuffled[i + 1], shuffled[i]];
    const [moved] = shuffled.splice(10, 1);
    shuffled.splice(13, 0, moved);
    expect(collect(shuffled).windows).toEqual(collect(records).windows);
  });

  it('skips duplicates (at-least-once delivery) and counts them', () => {
    const withDuplicates = records.flatMap((r, i) => (i % 5 === 0 ? [r, r] : [r]));
    const { windows, counters } = collect(withDuplicates);
    expect(counters.duplicates).toBe(6);
    expect(windows).toEqual(collect(records).windows);
  });

  it('splits the run at a gap that does not fill within the reorder window', () => {
    const gapped = records.filter((r) => r.seq !== 15);
    const { counters, windows } = collect(gapped);
    expect(counters.gaps).toBe(1);
    expect(counters.runs).toBe(2);
    const first = collect(records.slice(0, 15)).windows;
    const second = collect(records.slice(16)).windows;
    expect(windows).toEqual([...first, ...second]);
  });

  it('counts records whose sample rate the segmenter cannot take, without throwing', () => {
    const odd = records.map((r) => ({ ...r, fs: 60 }));
    const { counters, windows } = collect(odd);
    expect(counters.unusable).toBe(30);
    expect(windows).toHaveLength(0);
  });

  it('takes history read newest object first: each step back starts a run, nothing is lost or doubled', () => {
    // Three "objects" of 10 records, read last to first.
    const blocks = [records.slice(0, 10), records.slice(10, 20), records.slice(20, 30)];
    const { counters, windows } = collect([...blocks[2], ...blocks[1], ...blocks[0]]);
    expect(counters).toMatchObject({ records: 30, runs: 3, backwardJumps: 2, gaps: 0, duplicates: 0 });
    expect(windows).toEqual([...collect(blocks[2]).windows, ...collect(blocks[1]).windows, ...collect(blocks[0]).windows]);
  });

  it('still recognises duplicates of runs fed earlier, after stepping back', () => {
    const blocks = [records.slice(0, 10), records.slice(10, 20)];
    // Newest block, then the older one, then a redelivery of part of the newest.
    const { counters, windows } = collect([...blocks[1], ...blocks[0], ...records.slice(12, 16)]);
    expect(counters).toMatchObject({ records: 20, duplicates: 4, backwardJumps: 1 });
    expect(windows).toEqual([...collect(blocks[1]).windows, ...collect(blocks[0]).windows]);
  });
});
