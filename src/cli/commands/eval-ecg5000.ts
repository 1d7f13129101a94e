import type { CommandModule } from '../command';

/** `beatwatch eval ecg5000` (being built). */
const command: CommandModule = {
  summary: 'evaluate on ecg5000',
  usage: 'usage: beatwatch eval ecg5000',
  async run() {
    process.stderr.write('beatwatch eval ecg5000: not built yet\n');
    return 1;
  },
};
export default command;
