/**
 * `npm run measure:scoring-instructions`: machine instructions per scored window (T = 140,
 * H = 32), counted by valgrind's callgrind. Unlike wall-clock throughput, the count does not
 * move with other load on the machine, so it shows whether a kernel change really does less
 * work. Runs this file twice under callgrind, scoring `--few` and `--many` windows after the
 * same warm-up, and prints (instructions(many) - instructions(few)) / (many - few).
 *
 * Needs valgrind (Debian package `valgrind`); not part of `npm test`. Takes a few minutes.
 * Counts under valgrind are a guide, not the native figure: V8 may tier up differently there.
 *
 * usage: npm run measure:scoring-instructions -- [--batch 1|256] [--json]
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { SequenceAutoencoder } from '../src/nn';

const STEPS = 140;
const HIDDEN = 32;

/** Child mode: warm up, then score `windows` windows at `batch` and exit. */
function scoreWindows(batch: number, windows: number): void {
  const model = SequenceAutoencoder.create({ cell: 'lstm', steps: STEPS, hidden: HIDDEN }, { seed: 1 });
  const x = new Float32Array(256 * STEPS);
  for (let i = 0; i < x.length; i++) x[i] = Math.sin(i * 0.07) * 0.5;
  const out = new Float32Array(256);
  // Warm-up: both kernels seen, all functions optimised before the counted part differs.
  for (let i = 0; i < 4; i++) model.score(x, 256, out);
  for (let i = 0; i < 200; i++) model.score(x.subarray((i % 256) * STEPS, ((i % 256) + 1) * STEPS), 1, out);
  for (let done = 0; done < windows; done += batch) {
    if (batch === 1) model.score(x.subarray((done % 256) * STEPS, ((done % 256) + 1) * STEPS), 1, out);
    else model.score(x, batch, out);
  }
}

/** Total instructions callgrind counts for one child run. */
function countInstructions(batch: number, windows: number): number {
  const self = fileURLToPath(import.meta.url);
  const run = spawnSync(
    'valgrind',
    ['--tool=callgrind', '--callgrind-out-file=/dev/null', '--smc-check=all', process.execPath, '--import', 'tsx', self, '--child', '--batch', String(batch), '--windows', String(windows)],
    { encoding: 'utf8' },
  );
  if (run.error) throw new Error(`could not run valgrind (install the Debian package "valgrind"): ${run.error.message}`);
  const match = /Collected\s*:\s*(\d+)/.exec(run.stderr);
  if (run.status !== 0 || !match) throw new Error(`callgrind run failed (exit ${run.status}):\n${run.stderr.slice(-2000)}`);
  return Number(match[1]);
}

const { values } = parseArgs({
  options: { batch: { type: 'string', default: '1' }, windows: { type: 'string' }, child: { type: 'boolean', default: false }, json: { type: 'boolean', default: false } },
});
const batch = Number(values.batch);
if (batch !== 1 && batch !== 256) throw new Error(`--batch must be 1 or 256, got ${values.batch}`);
if (values.child) {
  scoreWindows(batch, Number(values.windows));
} else {
  const few = batch === 1 ? 50 : 256;
  const many = batch === 1 ? 250 : 768;
  process.stderr.write(`counting instructions under callgrind at batch ${batch} (two runs, a few minutes)...\n`);
  const perWindow = (countInstructions(batch, many) - countInstructions(batch, few)) / (many - few);
  const result = { batch, steps: STEPS, hidden: HIDDEN, instructionsPerWindow: Math.round(perWindow), node: process.version };
  process.stdout.write(values.json ? `${JSON.stringify(result)}\n` : `batch ${batch}: ${(perWindow / 1e6).toFixed(2)} M instructions per window\n`);
}
