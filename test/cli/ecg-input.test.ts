import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readEcgInput } from '../../src/cli/ecg-input';
import { UsageError } from '../../src/cli/command';
import { readWfdbRecord } from '../../src/ecg/wfdb-record';
import { ecgResample } from '../../src/ecg/resample';
import { MITDB, tempFiles } from '../ecg/helpers';

/** A CSV of the first `seconds` of MIT-BIH 100 at `fs` Hz (time column; V5 first, MLII second). */
function csvOf100(fs: number, seconds: number): string {
  const rec = readWfdbRecord(join(MITDB, '100'));
  const n = 360 * seconds;
  const [mlii, v5] = [rec.signals[0].samples.subarray(0, n), rec.signals[1].samples.subarray(0, n)].map((x) =>
    fs === 360 ? x : ecgResample(x, 360, fs),
  );
  const lines = ['time,V5,MLII'];
  for (let i = 0; i < mlii.length; i++) lines.push(`${(i / fs).toFixed(6)},${v5[i].toFixed(4)},${mlii[i].toFixed(4)}`);
  return `${lines.join('\n')}\n`;
}

describe('readEcgInput', () => {
  it("takes the model's lead by name, and warns in one line when the lead used is not the model's", () => {
    const { dir, cleanup } = tempFiles({ 'r.csv': csvOf100(360, 5) });
    try {
      const file = join(dir, 'r.csv');
      expect(readEcgInput(file, {})).toMatchObject({ index: 1, warning: undefined });
      expect(readEcgInput(file, {}).lead.name).toBe('MLII');
      // Another lead asked for, by name or by index: said in one line.
      for (const lead of ['V5', '0']) {
        const w = readEcgInput(file, { lead }).warning;
        expect(w).toBe('using lead "V5": the model was trained on MLII');
      }
      // A model trained on V5 takes V5 by default and warns when MLII is asked for.
      expect(readEcgInput(file, {}, 'V5')).toMatchObject({ index: 0, warning: undefined });
      expect(readEcgInput(file, { lead: 'MLII' }, 'V5').warning).toBe('using lead "MLII": the model was trained on V5');
      // A lead the file does not have: one line naming the file, the lead and the leads it has.
      expect(() => readEcgInput(file, { lead: 'V1' })).toThrow(/r\.csv: lead: no lead "V1" \(leads: V5, MLII\)$/);
      expect(() => readEcgInput(file, { lead: '5' })).toThrow(UsageError);
    } finally {
      cleanup();
    }
  });

  it('resamples a rate the detector does not take (2000 Hz) into its range, with a warning, and keeps one it takes (250 Hz)', () => {
    const { dir, cleanup } = tempFiles({ 'fast.csv': csvOf100(2000, 4), 'slow.csv': csvOf100(250, 4) });
    try {
      const fast = readEcgInput(join(dir, 'fast.csv'), {});
      expect(fast.recording.fs).toBe(1000);
      // 4 s of samples: half as many at 1000 Hz as the file has at 2000 Hz.
      expect(fast.lead.samples.length).toBeGreaterThan(3990);
      expect(fast.lead.samples.length).toBeLessThanOrEqual(4000);
      expect(fast.recording.warnings).toContainEqual(expect.stringMatching(/^resampled from 2000 Hz to 1000 Hz/));
      const slow = readEcgInput(join(dir, 'slow.csv'), {});
      expect(slow.recording.fs).toBe(250);
      expect(slow.recording.warnings).toEqual([]);
    } finally {
      cleanup();
    }
  });
});
