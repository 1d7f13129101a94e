import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const NN_INDEX = fileURLToPath(new URL('../../src/nn/index.ts', import.meta.url));

describe('data-parallel gradient workers from a bundle', () => {
  it('train with 2 workers when the engine is bundled into one ESM file (as in the retrain Lambda)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'beatwatch-nn-bundle-'));
    try {
      const entry = join(dir, 'entry.ts');
      writeFileSync(
        entry,
        [
          "import { isMainThread } from 'node:worker_threads';",
          `import { SequenceAutoencoder, trainAutoencoder } from ${JSON.stringify(NN_INDEX)};`,
          'if (isMainThread) {',
          '  const data = new Float32Array(64 * 24).map((_, i) => Math.sin(i / 3));',
          '  const run = async () => {',
          '    const m = SequenceAutoencoder.create({ steps: 24, hidden: 8 });',
          '    const r = await trainAutoencoder(m, data, 64, { epochs: 2, batchSize: 16, workers: 2 });',
          '    return { values: Array.from(m.net.values), loss: r.trainLoss };',
          '  };',
          '  const a = await run();',
          '  const b = await run();',
          '  console.log(JSON.stringify({ same: a.values.every((v, i) => v === b.values[i]), loss: a.loss }));',
          '}',
        ].join('\n'),
      );
      const outfile = join(dir, 'bundle.mjs');
      await build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', outfile, logLevel: 'silent' });
      const run = spawnSync(process.execPath, [outfile], { encoding: 'utf8', timeout: 30_000 });
      expect(run.stderr).toBe('');
      const result = JSON.parse(run.stdout) as { same: boolean; loss: number[] };
      expect(result.same).toBe(true);
      expect(result.loss).toHaveLength(2);
      expect(result.loss.every(Number.isFinite)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
