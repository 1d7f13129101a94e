import type { CommandModule } from '../command';
import { UsageError } from '../command';

/** Evaluation suites; each is its own command module. */
const SUITES: Record<string, () => Promise<{ default: CommandModule }>> = {
  ecg5000: () => import('./eval-ecg5000'),
  mitdb: () => import('./eval-mitdb'),
};

const usage = [
  'usage: beatwatch eval <suite> [options]',
  '',
  'suites:',
  '  ecg5000   anomaly detection on UCR ECG5000 (train on normal TRAIN beats, score TEST)',
  '  mitdb     QRS detection and beat anomalies on MIT-BIH Arrhythmia records, streamed',
  '',
  'Run `beatwatch eval <suite> --help` for its options.',
].join('\n');

/** `beatwatch eval <suite>`: dispatches to an evaluation suite. */
const evalCommand: CommandModule = {
  summary: 'evaluate on ECG5000 or MIT-BIH',
  usage,
  async run(argv) {
    const [suite, ...rest] = argv;
    const load = suite === undefined ? undefined : SUITES[suite];
    if (!load) throw new UsageError(suite === undefined ? 'missing suite' : `unknown suite "${suite}"`);
    const command = (await load()).default;
    if (rest.includes('--help') || rest.includes('-h')) {
      process.stdout.write(`${command.usage}\n`);
      return 0;
    }
    return command.run(rest);
  },
};
export default evalCommand;
