import { fileURLToPath } from 'node:url';
import type { CommandModule } from '../command';
import { UsageError } from '../command';
import { numberFlag, parseFlags, printJson, progress } from '../args';
import { DEFAULT_LEARNING_SECONDS } from '../../detect';
import { listMitdbRecords, loadMitdbRecord, readWfdbRecord } from '../../ecg';
import { defaultModelFor } from '../../evaluate/default-model';
import {
  DEFAULT_NOISE_STRESS,
  faultDeadline,
  faultLabel,
  noiseStressTotals,
  runNoiseStress,
  TECHNICAL_DEADLINE_SECONDS,
  type FaultTotals,
  type NoiseStressRecord,
} from '../../evaluate/noise-stress';

const MITDB = fileURLToPath(new URL('../../../data/mitdb', import.meta.url));
const NSTDB = fileURLToPath(new URL('../../../data/nstdb', import.meta.url));

const usage = [
  'usage: beatwatch eval noise [--records DIR] [--record 100,106] [--noise DIR] [--learning-seconds S] [--json]',
  '',
  'Fault injection through the product. Into clean stretches of each MIT-BIH record (normal sinus',
  'rhythm, only normal beats, no reference noise mark, after the learning period, 30 s apart) it',
  'injects, in order: lead-off (15 s flat line), saturation (15 s clipped at a rail), a 90 s',
  'dropout (records not sent: signal-lost), and 30 s of baseline wander (bw) and muscle artefact',
  '(ma) from the MIT-BIH Noise Stress Test Database at 12, 6 and 0 dB (signal size from the QRS',
  "peak-to-peak amplitudes, noise size from its per-second power, as the database's nst tool",
  'scales them). The record is then cut into 1 s wire records arriving live and pushed through',
  'the detector (as eval mitdb does), the signal-lost sweep running every 10 s of stream time.',
  '',
  `Per fault: whether a technical alert was raised, after how many seconds (deadline ${TECHNICAL_DEADLINE_SECONDS} s;`,
  'signal-lost: the configured 60 s), and the clinical alerts (beat alerts, rhythm onsets) inside',
  'the injected stretch (target: none) and in the 10 s after it. A fault that finds no clean',
  'stretch in a record is listed as not placed.',
  '',
  '  --records DIR   folder of WFDB records (.hea/.dat/.atr); default: the bundled data/mitdb',
  '  --record LIST   comma-separated record names; default: all records of DIR',
  '  --noise DIR     folder with the noise records bw and ma; default: the bundled data/nstdb',
  `  --learning-seconds S  the detector's learning period (default ${DEFAULT_LEARNING_SECONDS}); faults go after it`,
  '  --json          print {records:[{record,faults:[{type,snrDb,startSecond,seconds,raisedAfter,reason,',
  '                  clinicalInside,clinicalAfter,insideKinds}],notPlaced,technicalElsewhere}],total:{byFault:{<label>:',
  '                  {stretches,raised,inTime,sensitivity,meanDelay,maxDelay,clinicalInside,clinicalAfter}},',
  '                  technicalElsewhere,acceptance:{required,requiredInTime,clinicalInside,met}}}',
].join('\n');

const num = (x: number | null, d = 1) => (x === null || !Number.isFinite(x) ? 'n/a' : x.toFixed(d));

/** The human-readable table of the totals. */
function table(byFault: Record<string, FaultTotals>): string[] {
  const lines = ['fault             stretches  raised  in time   Se%   mean s   max s  clinical inside  after'];
  for (const [label, t] of Object.entries(byFault))
    lines.push(
      [
        label.padEnd(17),
        String(t.stretches).padStart(9),
        String(t.raised).padStart(7),
        String(t.inTime).padStart(8),
        num(100 * t.sensitivity).padStart(5),
        num(t.meanDelay).padStart(8),
        num(t.maxDelay).padStart(7),
        String(t.clinicalInside).padStart(16),
        String(t.clinicalAfter).padStart(6),
      ].join(' '),
    );
  return lines;
}

/** `beatwatch eval noise`: technical alerts and clinical silence under injected faults. */
const command: CommandModule = {
  summary: 'fault injection (lead-off, saturation, NSTDB noise, dropped records) through the detector',
  usage,
  async run(argv) {
    const { values } = parseFlags(argv, {
      records: { type: 'string' },
      record: { type: 'string' },
      noise: { type: 'string' },
      'learning-seconds': { type: 'string' },
      json: { type: 'boolean' },
    });
    const learningSeconds = numberFlag(values['learning-seconds'], 'learning-seconds', DEFAULT_LEARNING_SECONDS, 0, 1e6);
    const folder = values.records ?? MITDB;
    const names = values.record
      ? values.record
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : listMitdbRecords(folder);
    if (names.length === 0) throw new UsageError(`no records found in ${folder}`);
    const noiseDir = values.noise ?? NSTDB;
    const noise = { bw: readWfdbRecord(`${noiseDir}/bw`).signals[0].samples, ma: readWfdbRecord(`${noiseDir}/ma`).signals[0].samples };
    const timing = DEFAULT_NOISE_STRESS.timing;
    const results: NoiseStressRecord[] = [];
    for (const name of names) {
      const record = loadMitdbRecord(folder, name);
      const started = performance.now();
      const result = await runNoiseStress(record, defaultModelFor(name).model, noise, { learningSeconds });
      results.push(result);
      const missed = result.faults.filter((f) => f.raisedAfter === null || f.raisedAfter > faultDeadline(f.type, timing));
      progress(
        `${name}: ${result.faults.length} faults, ${result.faults.length - missed.length} raised in time, ` +
          `${result.faults.reduce((n, f) => n + f.clinicalInside, 0)} clinical alerts inside` +
          (result.notPlaced.length > 0 ? `, not placed: ${result.notPlaced.join(', ')}` : '') +
          ` (${((performance.now() - started) / 1000).toFixed(1)} s)`,
      );
    }
    const total = noiseStressTotals(results, timing);
    if (values.json) printJson({ records: results, total });
    else {
      const lines = table(total.byFault);
      lines.push(
        '',
        `lead-off, saturation and signal-lost stretches raised in time: ${total.acceptance.requiredInTime} of ${total.acceptance.required}; ` +
          `clinical alerts inside injected stretches: ${total.acceptance.clinicalInside}; technical alerts elsewhere: ${total.technicalElsewhere}`,
      );
      for (const r of results)
        for (const f of r.faults)
          if (f.clinicalInside > 0)
            lines.push(`  ${r.record} ${faultLabel(f)} at ${f.startSecond} s: ${f.clinicalInside} clinical alerts inside`);
      process.stdout.write(`${lines.join('\n')}\n`);
    }
    return 0;
  },
};
export default command;
