import type { CommandModule } from '../command';

/** `beatwatch demo`: the local end-to-end pipeline (arrives with the streaming issue). */
const demo: CommandModule = {
  summary: 'run the local pipeline on the bundled sample streams',
  usage: 'usage: beatwatch demo [--records DIR] [--speed N|max] [--json]',
  async run() {
    process.stderr.write('beatwatch demo: the local pipeline (emulators, detector, alerts) arrives with the streaming issue.\n');
    return 0;
  },
};
export default demo;
