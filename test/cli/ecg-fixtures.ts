import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { record100Edf, SECONDS } from '../ecg/edf-writer';
import { MITDB, tempFiles } from '../ecg/helpers';
import { readWfdbRecord } from '../../src/ecg/wfdb-record';

/** Files of the first {@link SECONDS} s of MIT-BIH 100 in each input format the commands read. */
export interface EcgFixtures {
  readonly dir: string;
  /** CSV with a time column and a header row naming the leads (V5 first, MLII second). */
  readonly csv: string;
  /** EDF written by the tests' own writer. */
  readonly edf: string;
  /** The same EDF cut in the middle of its data records. */
  readonly truncatedEdf: string;
  /** WFDB record (base name) copied from the bundled data. */
  readonly wfdb: string;
  readonly cleanup: () => void;
}

/**
 * Writes the fixtures in a temporary folder.
 *
 * @example
 * const f = ecgFixtures(); try { await run(['score', '--record', f.csv]) } finally { f.cleanup() }
 */
export function ecgFixtures(): EcgFixtures {
  const rec = readWfdbRecord(join(MITDB, '100'));
  const n = 360 * SECONDS;
  const lines = ['time,V5,MLII'];
  for (let i = 0; i < n; i++)
    lines.push(`${(i / 360).toFixed(6)},${rec.signals[1].samples[i].toFixed(3)},${rec.signals[0].samples[i].toFixed(3)}`);
  const edf = record100Edf().bytes;
  const { dir, cleanup } = tempFiles({
    'r100.csv': `${lines.join('\n')}\n`,
    'r100.edf': edf,
    'cut.edf': edf.subarray(0, Math.floor(edf.length / 2)),
  });
  for (const ext of ['hea', 'dat', 'atr']) copyFileSync(join(MITDB, `100.${ext}`), join(dir, `100.${ext}`));
  return {
    dir,
    csv: join(dir, 'r100.csv'),
    edf: join(dir, 'r100.edf'),
    truncatedEdf: join(dir, 'cut.edf'),
    wfdb: join(dir, '100'),
    cleanup,
  };
}
