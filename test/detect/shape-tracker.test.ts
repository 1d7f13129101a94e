import { describe, expect, it } from 'vitest';
import { ShapeTracker } from '../../src/detect/shape-tracker';
import { beatWindow, SPAN } from './rhythm-fixtures';

describe('ShapeTracker', () => {
  it('learns the second lead apart: a beat wide on the second lead only is unlike the dominant shape there alone', () => {
    const tracker = new ShapeTracker();
    const narrow = beatWindow('narrow', 'p');
    const wide = beatWindow('wide', 'none');
    for (let k = 0; k < 20; k++) tracker.observe({ window: narrow, second: wide, ...SPAN }, 0.8, false);
    const same = tracker.observe({ window: narrow, second: wide, ...SPAN }, 0.8, false);
    expect(same.qrsSimilarity).toBeGreaterThan(0.99);
    expect(same.qrsSimilarity2).toBeGreaterThan(0.99);
    const other = tracker.observe({ window: narrow, second: narrow, ...SPAN }, 0.8, false);
    expect(other.qrsSimilarity).toBeGreaterThan(0.99);
    expect(other.qrsSimilarity2).toBeLessThan(0.9);
    expect(other.pWave2).not.toBeNull();
  });

  it('a beat without a usable second-lead window has no second-lead view, and its state survives a round trip', () => {
    const tracker = new ShapeTracker();
    for (let k = 0; k < 10; k++)
      tracker.observe({ window: beatWindow('narrow', 'p'), second: beatWindow('wide', 'none'), ...SPAN }, 0.8, false);
    const view = tracker.observe({ window: beatWindow('narrow', 'p'), ...SPAN }, 0.8, false);
    expect(view.qrsSimilarity2).toBeNull();
    expect(view.pWave2).toBeNull();
    const copy = new ShapeTracker(JSON.parse(JSON.stringify(tracker.toJSON())));
    expect(
      copy.observe({ window: beatWindow('narrow', 'p'), second: beatWindow('wide', 'none'), ...SPAN }, 0.8, false).qrsSimilarity2,
    ).toBeGreaterThan(0.99);
  });

  it('compares a beat with the last on-time beats: like two of them after the QRS shifted, though unlike the dominant shape; early beats are not kept', () => {
    const tracker = new ShapeTracker();
    const narrow = beatWindow('narrow', 'p');
    const wide = beatWindow('wide', 'none');
    for (let k = 0; k < 20; k++) tracker.observe({ window: narrow, ...SPAN }, 0.8, false);
    // Early wide beats: compared, never kept.
    for (let k = 0; k < 3; k++) expect(tracker.observe({ window: wide, ...SPAN }, 0.4, false).qrsOnTime).toBeLessThan(0.9);
    tracker.observe({ window: wide, ...SPAN }, 0.8, false);
    expect(tracker.observe({ window: wide, ...SPAN }, 0.4, false).qrsOnTime).toBeLessThan(0.9);
    tracker.observe({ window: wide, ...SPAN }, 0.8, false);
    const view = tracker.observe({ window: wide, ...SPAN }, 0.8, false);
    expect(view.qrsSimilarity).toBeLessThan(0.9);
    expect(view.qrsOnTime).toBeGreaterThan(0.99);
    const copy = new ShapeTracker(JSON.parse(JSON.stringify(tracker.toJSON())));
    expect(copy.observe({ window: wide, ...SPAN }, 0.8, false).qrsOnTime).toBeGreaterThan(0.99);
  });

  it('compares the model lead’s window of a beat that lead lost with the dominant shape, never learns it, and takes no P wave from it', () => {
    const tracker = new ShapeTracker();
    const narrow = beatWindow('narrow', 'p');
    const wide = beatWindow('wide', 'none');
    for (let k = 0; k < 20; k++) tracker.observe({ window: narrow, second: narrow, ...SPAN }, 0.8, false);
    // On time and not gated: a window the tracker learned from would start to become the dominant shape.
    for (let k = 0; k < 30; k++) {
      const view = tracker.observe({ lost: wide, second: narrow, ...SPAN }, 0.8, false);
      expect(view.qrsSimilarity).toBeLessThan(0.9);
      expect(view.qrsSimilarity2).toBeGreaterThan(0.99);
      expect(view.pWave).toBeNull();
      expect(view.pWave2).not.toBeNull();
    }
    expect(tracker.observe({ window: narrow, ...SPAN }, 0.8, false).qrsSimilarity).toBeGreaterThan(0.99);
    expect(tracker.observe({ window: wide, ...SPAN }, 0.8, false).qrsSimilarity).toBeLessThan(0.9);
  });
});
