/** The layering rule of src/README.md, checked by dependency-cruiser with the project's own rules. */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cruise, type ICruiseResult, type IConfiguration } from 'dependency-cruiser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const config = createRequire(import.meta.url)(join(ROOT, '.dependency-cruiser.cjs')) as IConfiguration;

/** Cruises `dirs` under `baseDir` with the project's rules; returns the violations as `rule: from -> to`. */
async function violations(baseDir: string, dirs: string[], tsConfig = true): Promise<string[]> {
  const { tsConfig: _ts, ...options } = config.options ?? {};
  const out = await cruise(dirs, {
    ...options,
    ...(tsConfig ? { tsConfig: { fileName: join(ROOT, 'tsconfig.json') } } : {}),
    baseDir,
    validate: true,
    ruleSet: { forbidden: config.forbidden },
  });
  const result = out.output as ICruiseResult;
  return (result.summary.violations ?? []).map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`);
}

describe('layers', () => {
  let fixture: string;

  beforeAll(async () => {
    // A tiny tree in the project's shape with one import of each wrong kind.
    fixture = await mkdtemp(join(tmpdir(), 'beatwatch-layers-'));
    const files: Record<string, string> = {
      'src/detect/x.ts': 'export const x = 1;\n',
      'src/detect/index.ts': "export { x } from './x';\n",
      'src/detect/inside.ts': "import { x } from './x';\nexport const d = x;\n",
      'src/producer/p.ts': "import { x } from '../detect';\nexport const p = x;\n",
      'src/producer/index.ts': "export { p } from './p';\n",
      'src/aws/a.ts': "import { p } from '../producer';\nexport const a = p;\n",
      'src/nn/wrong.ts': "import { x } from '../detect';\nexport const y = x;\n",
      'src/nn/index.ts': "export { y } from './wrong';\n",
      'src/contract/ok.ts': "import { y } from '../nn';\nexport const z = y;\n",
      'src/retrain/peer.ts': "import { x } from '../detect';\nexport const w = x;\n",
      'src/cli/lazy.ts': "export async function run() {\n  return import('../../bench/suite');\n}\n",
      'src/cli/eager.ts': "import { s } from '../../bench/suite';\nexport const e = s;\n",
      'src/cli/deep.ts': "import { x } from '../detect/x';\nexport const c = x;\n",
      'bench/suite.ts': 'export const s = 1;\n',
      'src/random/index.ts': 'export const r = 1;\n',
      'src/random/wrong.ts': "import { y } from '../nn';\nexport const q = y;\n",
      'src/ecg/seeded.ts': "import { r } from '../random';\nexport const e = r;\n",
      'infra/stack.ts': "import { x } from '../src/detect';\nexport const i = x;\n",
      'test/detect/x.test.ts': "import { x } from '../../src/detect/x';\nexport const t = x;\n",
    };
    for (const [path, text] of Object.entries(files)) {
      await mkdir(join(fixture, path, '..'), { recursive: true });
      await writeFile(join(fixture, path), text);
    }
  });

  afterAll(async () => {
    await rm(fixture, { recursive: true, force: true });
  });

  it('names the rule a wrong-way import breaks, and lets the right ways through', async () => {
    const found = await violations(fixture, ['src', 'bench', 'infra', 'test'], false);
    expect(found).toContain('nn-is-a-leaf: src/nn/wrong.ts -> src/detect/index.ts');
    expect(found).toContain('random-is-a-leaf: src/random/wrong.ts -> src/nn/index.ts');
    expect(found).toContain('detect-retrain-are-peers: src/retrain/peer.ts -> src/detect/index.ts');
    expect(found).toContain('cli-no-bench-infra-at-load: src/cli/eager.ts -> bench/suite.ts');
    expect(found).toContain('infra-only-contract: infra/stack.ts -> src/detect/index.ts');
    expect(found).toContain('producer-only-on-contract-ecg: src/producer/p.ts -> src/detect/index.ts');
    expect(found).toContain('aws-only-on-core: src/aws/a.ts -> src/producer/index.ts');
    // A folder with an index.ts is reached from another folder only through it.
    expect(found).toContain('public-api-only: src/cli/deep.ts -> src/detect/x.ts');
    // contract -> nn and ecg -> random are allowed, and a dynamic import of bench/ inside a command is too;
    // inside a folder modules import each other directly, and a test imports the module it tests.
    expect(found.filter((v) => /src\/(contract\/ok|cli\/lazy|ecg\/seeded|detect\/inside)\.ts|test\//.test(v))).toEqual([]);
    expect(found).toHaveLength(8);
  });

  it('finds no violation in the project', async () => {
    expect(await violations(ROOT, ['src', 'functions', 'infra', 'bench', 'scripts', 'test'])).toEqual([]);
  }, 120_000);
});
