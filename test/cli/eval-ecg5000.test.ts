import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main';
import { parseArtifact } from '../../src/contract';

const BUNDLED_TRAIN = new URL('../../data/ecg5000/ECG5000_TRAIN.txt', import.meta.url);

let dir = '';
let trainFile = '';
let testFile = '';

/** Runs the CLI, capturing stdout and stderr. */
async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    const code = await main(argv);
    return { code, out: out.mock.calls.map((c) => String(c[0])).join(''), err: err.mock.calls.map((c) => String(c[0])).join('') };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

beforeAll(async () => {
  // Small slices of the bundled TRAIN split (sorted by class): 80 normal beats to train on;
  // as "TEST" rows 260-299, 32 normal and 8 abnormal.
  const lines = (await readFile(BUNDLED_TRAIN, 'utf8')).split('\n');
  dir = await mkdtemp(join(tmpdir(), 'beatwatch-eval-'));
  trainFile = join(dir, 'train.txt');
  testFile = join(dir, 'test.txt');
  await writeFile(trainFile, `${lines.slice(0, 80).join('\n')}\n`);
  await writeFile(testFile, `${lines.slice(260, 300).join('\n')}\n`);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('beatwatch eval ecg5000', () => {
  it('--json prints exactly one object with the documented fields; progress goes to stderr; --out writes a valid artifact', async () => {
    const outFile = join(dir, 'model.json');
    const { code, out, err } = await run([
      'eval',
      'ecg5000',
      '--train',
      trainFile,
      '--test',
      testFile,
      '--hidden',
      '4',
      '--epochs',
      '2',
      '--seed',
      '2',
      '--threshold',
      'mean-std',
      '--out',
      outFile,
      '--json',
    ]);
    expect(code).toBe(0);
    const lines = out.trim().split('\n');
    expect(lines).toHaveLength(1);
    const result = JSON.parse(lines[0]);
    for (const field of ['auc', 'prAuc', 'accuracy', 'precision', 'recall', 'f1', 'threshold', 'trainSeconds', 'params']) {
      expect(typeof result[field], field).toBe('number');
    }
    expect(result).toMatchObject({ thresholdRule: 'mean-std', cell: 'lstm', hidden: 4, epochs: 2, seed: 2, testWindows: 40 });
    expect(result.auc).toBeGreaterThanOrEqual(0);
    expect(result.auc).toBeLessThanOrEqual(1);
    expect(err).toMatch(/epoch +1 +train/);
    const { artifact } = parseArtifact(await readFile(outFile, 'utf8'));
    expect(artifact.threshold.value).toBe(result.threshold);
    expect(artifact.version).toBe(result.modelVersion);

    // The saved artifact evaluates to the same figures without training.
    const again = await run(['eval', 'ecg5000', '--model', outFile, '--test', testFile, '--json']);
    expect(again.code).toBe(0);
    const saved = JSON.parse(again.out);
    for (const field of ['auc', 'prAuc', 'accuracy', 'precision', 'recall', 'f1', 'threshold', 'params'])
      expect(saved[field], field).toBe(result[field]);
    expect(saved.modelVersion).toBe(result.modelVersion);
  });

  it('defaults --train and --test to the splits bundled in data/ecg5000 (TEST gzipped)', async () => {
    const { BUNDLED_ECG5000 } = await import('../../src/cli/commands/eval-ecg5000');
    expect(BUNDLED_ECG5000.train).toMatch(/data[\\/]ecg5000[\\/]ECG5000_TRAIN\.txt$/);
    expect(BUNDLED_ECG5000.test).toMatch(/data[\\/]ecg5000[\\/]ECG5000_TEST\.txt\.gz$/);
    expect(existsSync(BUNDLED_ECG5000.train) && existsSync(BUNDLED_ECG5000.test)).toBe(true);
  });

  it('refuses --train with --model (usage error, exit 2)', async () => {
    const { code, err } = await run(['eval', 'ecg5000', '--model', 'model.json', '--train', trainFile]);
    expect(code).toBe(2);
    expect(err).toContain('--train has no use with --model');
  });

  it('rejects a bad cell as a usage error', async () => {
    const { code, err } = await run(['eval', 'ecg5000', '--train', trainFile, '--test', testFile, '--cell', 'transformer']);
    expect(code).toBe(2);
    expect(err).toContain('--cell must be one of lstm');
  });

  it('refuses a parameter of another threshold rule', async () => {
    const { code, err } = await run(['eval', 'ecg5000', '--train', trainFile, '--test', testFile, '--q', '0.9']);
    expect(code).toBe(2);
    expect(err).toContain('--q belongs to --threshold quantile, but the rule is pot');
  });

  it('names the file and line of a malformed input (exit 1)', async () => {
    const bad = join(dir, 'bad.txt');
    await writeFile(bad, '1 0.5 0.25\n2 0.1 zz\n');
    const { code, err } = await run(['eval', 'ecg5000', '--train', bad, '--test', testFile]);
    expect(code).toBe(1);
    expect(err).toContain('bad.txt: line 2, column 3');
  });
});
