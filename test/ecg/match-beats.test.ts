import { describe, expect, it } from 'vitest';
import { matchBeats, positivePredictivity, sensitivity } from '../../src/ecg/match-beats';
import { scoreQrs, totalQrs } from '../../src/ecg/qrs-evaluation';

describe('matchBeats', () => {
  it('counts matches within the tolerance one to one', () => {
    expect(matchBeats([100, 400, 700], [102, 460, 701, 900], 54)).toEqual({ tp: 2, fn: 1, fp: 2 });
    // Two detections near one beat: one matches, the other is a false positive.
    expect(matchBeats([100], [90, 110], 54)).toEqual({ tp: 1, fn: 0, fp: 1 });
    expect(matchBeats([], [1, 2], 5)).toEqual({ tp: 0, fn: 0, fp: 2 });
    expect(matchBeats([1, 2], [], 5)).toEqual({ tp: 0, fn: 2, fp: 0 });
  });

  it('keeps a detection for the reference beat it fits best', () => {
    // Detection 150 fits beat 160 better than beat 100 (which has its own at 105).
    expect(matchBeats([100, 160], [105, 150], 54)).toEqual({ tp: 2, fn: 0, fp: 0 });
    expect(matchBeats([100, 200], [140, 195], 54)).toEqual({ tp: 2, fn: 0, fp: 0 });
  });

  it('scores Se and +P with EC57 150 ms windows and sums totals', () => {
    const a = scoreQrs([360, 720], [370, 800], 360); // 800 is 80 samples = 222 ms away
    expect(a).toEqual({ tp: 1, fn: 1, fp: 1, se: 0.5, ppv: 0.5 });
    const t = totalQrs([a, scoreQrs([100], [100], 360)]);
    expect(t).toEqual({ tp: 2, fn: 1, fp: 1, se: 2 / 3, ppv: 2 / 3 });
    expect(sensitivity({ tp: 0, fn: 0, fp: 3 })).toBe(1);
    // Detections inside an excluded (ventricular flutter) range do not count.
    expect(scoreQrs([360, 1800], [360, 1000, 1100, 1800], 360, [[900, 1200]])).toEqual({ tp: 2, fn: 0, fp: 0, se: 1, ppv: 1 });
    expect(scoreQrs([360, 1800], [360, 1000, 1100, 1800], 360)).toMatchObject({ tp: 2, fp: 2 });
    expect(positivePredictivity({ tp: 0, fn: 3, fp: 0 })).toBe(1);
  });
});
