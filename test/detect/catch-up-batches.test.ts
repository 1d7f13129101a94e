// A detector catching up (batches of 100 one-second records of one device, as after an outage)
// feeds a batch's samples to the rhythm monitor before its beats: a lead-off found in the samples
// closes the open AF episode at a time later than the beats still to come. Those beats must not
// reopen it in the past (an onset decided before the episode it opens).
import { describe, expect, it } from 'vitest';
import { loadMitdbRecord } from '../../src/ecg/mitdb';
import { defaultModelFor } from '../../src/evaluate/default-model';
import { injectLeadOff } from '../../src/evaluate/fault-injection';
import { EVAL_EPOCH, runRecordThroughDetector } from '../../src/evaluate/mitdb-product';

describe('rhythm episodes across a technical episode in a catch-up batch', () => {
  it('record 201 (atrial fibrillation) with a lead-off at 330 s: AF closed at the lead-off, never reopened before it ended', async () => {
    const record = loadMitdbRecord('data/mitdb', '201');
    const fs = record.fs;
    const signal = injectLeadOff(record.signal.subarray(0, 420 * fs), 330 * fs, 15 * fs);
    const { episodes } = await runRecordThroughDetector({ deviceId: '201', signal, fs }, defaultModelFor('201').model);
    const at = (s: number) => EVAL_EPOCH + s * 1000;
    for (const e of episodes.filter((m) => m.phase === 'onset')) expect(e.to, e.id).toBeGreaterThanOrEqual(e.from);
    const afib = episodes.filter((e) => e.rhythm === 'AFIB');
    // Open from early on, closed where the lead went off; reopened (AF goes on) only after the lead is back.
    expect(afib[0].phase).toBe('onset');
    expect(afib[1]).toMatchObject({ phase: 'offset', to: at(330) });
    const leadOff = episodes.filter((e) => e.reason === 'lead-off');
    expect(leadOff.map((e) => e.phase)).toEqual(['onset', 'offset']);
    // An episode never begins while the signal could not be read.
    for (const e of afib.slice(2).filter((m) => m.phase === 'onset')) {
      expect(e.to).toBeGreaterThanOrEqual(leadOff[1].to);
      expect(e.from).toBeGreaterThanOrEqual(leadOff[1].to);
    }
  });
});
