import { fileURLToPath } from 'node:url';
import type { CommandModule } from '../command';
import { UsageError } from '../command';
import { choiceFlag, numberFlag, parseFlags, printJson, progress } from '../args';
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
  'usage: beatwatch eval noise [--records DIR] [--record 100,106] [--noise DIR] [--learning-seconds S] [--leads 1|2] [--json]',
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
  'With --leads 2 both leads are streamed as v2 records (as eval mitdb does) and every fault goes',
  'into MLII only, the second lead as recorded (one electrode failing; a dropout drops whole',
  'records, so both leads). The detector then carries on with the other lead, so a technical',
  'alert is required for signal-lost only (lead-off, saturation and noise are reported, raised or',
  'not); the clinical alerts inside and after each stretch still have target none, and each fault',
  'also counts the reference beats inside it the detector still reported (matched within 150 ms).',
  '',
  '  --records DIR   folder of WFDB records (.hea/.dat/.atr); default: the bundled data/mitdb',
  '  --record LIST   comma-separated record names; default: all records of DIR',
  '  --noise DIR     folder with the noise records bw and ma; default: the bundled data/nstdb',
  `  --learning-seconds S  the detector's learning period (default ${DEFAULT_LEARNING_SECONDS}); faults go after it`,
  '  --leads 1|2     1 (default): MLII alone, v1 records; 2: both leads, faults on MLII only',
  '  --json          print {records:[{record,faults:[{type,snrDb,startSecond,seconds,raisedAfter,reason,',
  '                  clinicalInside,clinicalAfter,insideKinds}],notPlaced,technicalElsewhere}],total:{byFault:{<label>:',
  '                  {stretches,raised,inTime,sensitivity,meanDelay,maxDelay,clinicalInside,clinicalAfter}},',
  '                  technicalElsewhere,acceptance:{required,requiredInTime,clinicalInside,met}}}; with --leads 2',
  '                  also leads: 2 first, on each fault insideAt (start of each clinical alert inside, s) and',
  '                  beats:{reference,reported,secondLead}, and the beats totalled on each',
  '                  byFault label (reference beats inside, reported by the detector, beats scored on the',
  '                  second lead); acceptance.required then counts signal-lost stretches only',
].join('\n');

const num = (x: number | null, d = 1) => (x === null || !Number.isFinite(x) ? 'n/a' : x.toFixed(d));

/** The human-readable table of the totals (with two leads, the beat coverage too). */
function table(byFault: Record<string, FaultTotals>, leads: 1 | 2): string[] {
  const coverage = leads === 2 ? '  ref beats  reported  2nd lead' : '';
  const lines = [`fault             stretches  raised  in time   Se%   mean s   max s  clinical inside  after${coverage}`];
  const beats = (t: FaultTotals) =>
    t.beats === undefined
      ? []
      : [String(t.beats.reference).padStart(10), String(t.beats.reported).padStart(9), String(t.beats.secondLead).padStart(9)];
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
        ...beats(t),
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
      leads: { type: 'string' },
      json: { type: 'boolean' },
    });
    const leads = Number(choiceFlag(values.leads, 'leads', ['1', '2'] as const, '1')) as 1 | 2;
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
      const result = await runNoiseStress(record, defaultModelFor(name).model, noise, { learningSeconds, leads });
      results.push(result);
      const missed = result.faults.filter((f) => f.raisedAfter === null || f.raisedAfter > faultDeadline(f.type, timing));
      progress(
        `${name}: ${result.faults.length} faults, ${result.faults.length - missed.length} raised in time, ` +
          `${result.faults.reduce((n, f) => n + f.clinicalInside, 0)} clinical alerts inside` +
          (result.notPlaced.length > 0 ? `, not placed: ${result.notPlaced.join(', ')}` : '') +
          ` (${((performance.now() - started) / 1000).toFixed(1)} s)`,
      );
    }
    const total = noiseStressTotals(results, timing, leads);
    // One lead prints what it always printed; two leads say so first.
    if (values.json) printJson(leads === 2 ? { leads, records: results, total } : { records: results, total });
    else {
      const mode =
        leads === 2
          ? 'two leads (v2 records): faults on MLII only, the second lead as recorded; technical alert required for signal-lost only'
          : 'one lead (MLII, v1 records)';
      const lines = [`leads: ${mode}`, '', ...table(total.byFault, leads)];
      const required = leads === 2 ? 'signal-lost stretches' : 'lead-off, saturation and signal-lost stretches';
      lines.push(
        '',
        `${required} raised in time: ${total.acceptance.requiredInTime} of ${total.acceptance.required}; ` +
          `clinical alerts inside injected stretches: ${total.acceptance.clinicalInside}; technical alerts elsewhere: ${total.technicalElsewhere}`,
      );
      for (const r of results)
        for (const f of r.faults)
          if (f.clinicalInside > 0)
            lines.push(
              `  ${r.record} ${faultLabel(f)} at ${f.startSecond} s: ${f.clinicalInside} clinical alerts inside` +
                (f.insideAt ? ` (${f.insideKinds.map((k, i) => `${k} at ${f.insideAt?.[i]} s`).join(', ')})` : ''),
            );
      process.stdout.write(`${lines.join('\n')}\n`);
    }
    return 0;
  },
};
export default command;
