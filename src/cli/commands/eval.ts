import type { CommandModule } from '../command';
import { UsageError } from '../command';

/** Evaluation suites; each is its own command module, dispatched to by `main`. */
const SUITES = {
  ecg5000: () => import('./eval-ecg5000'),
  mitdb: () => import('./eval-mitdb'),
  noise: () => import('./eval-noise'),
} as const;

const usage = [
  'usage: beatwatch eval <suite> [options]',
  '',
  'suites:',
  '  ecg5000   anomaly detection on UCR ECG5000 (train on normal TRAIN beats, score TEST)',
  '  mitdb     QRS detection and beat anomalies on MIT-BIH Arrhythmia records, streamed',
  '  noise     fault injection: lead-off, saturation, NSTDB noise and dropped records into MIT-BIH records',
  '',
  'Each reads the data bundled in data/ unless told otherwise.',
  'Run `beatwatch eval <suite> --help` for its options.',
].join('\n');

/** `beatwatch eval <suite>`: a group of evaluation suites. */
const evalCommand: CommandModule = {
  summary: 'evaluate on ECG5000 or MIT-BIH, or under injected faults',
  usage,
  subcommands: SUITES,
  // `main` dispatches to the suite; this runs only when called directly (tests, scripts).
  async run(argv) {
    const [suite, ...rest] = argv;
    const load = suite === undefined ? undefined : (SUITES as Record<string, (typeof SUITES)[keyof typeof SUITES]>)[suite];
    if (!load)
      throw new UsageError(
        suite === undefined ? 'missing suite: one of ecg5000, mitdb, noise' : `unknown suite "${suite}": one of ecg5000, mitdb, noise`,
      );
    return (await load()).default.run(rest);
  },
};
export default evalCommand;
