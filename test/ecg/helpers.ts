import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Folder of the MIT-BIH records bundled with the project. */
export const MITDB = fileURLToPath(new URL('../../data/mitdb', import.meta.url));

/** Reference beat counts per symbol of the bundled records (data README table). */
export const BUNDLED_BEAT_COUNTS: Readonly<Record<string, Readonly<Record<string, number>>>> = {
  '100': { N: 2239, A: 33, V: 1 },
  '101': { N: 1860, A: 3, Q: 2 },
  '106': { N: 1507, V: 520 },
  '119': { N: 1543, V: 444 },
  '208': { N: 1586, V: 992, F: 373, S: 2, Q: 2 },
};

/** A temporary folder with the given files; call `cleanup` when done. */
export function tempFiles(files: Record<string, string | Uint8Array>): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'beatwatch-ecg-'));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Splits `signal` into consecutive chunks of the given sizes (cycled), the last one partial. */
export function chunked<T extends { subarray(a: number, b: number): T; length: number }>(signal: T, sizes: readonly number[]): T[] {
  const out: T[] = [];
  let i = 0;
  let k = 0;
  while (i < signal.length) {
    const size = Math.max(1, sizes[k++ % sizes.length]);
    out.push(signal.subarray(i, i + size));
    i += size;
  }
  return out;
}
