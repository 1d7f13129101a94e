import type { CommandModule } from '../command';

/** `beatwatch eval mitdb` (being built). */
const command: CommandModule = {
  summary: 'evaluate on mitdb',
  usage: 'usage: beatwatch eval mitdb',
  async run() {
    process.stderr.write('beatwatch eval mitdb: not built yet\n');
    return 1;
  },
};
export default command;
