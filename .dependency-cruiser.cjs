// The layering rule of beatwatch (src/README.md): dependencies point one way. A folder imports
// only from folders of a lower rank, never from a peer of its own rank:
//   0 src/random   1 src/nn, src/ecg   2 src/contract   3 src/model   4 src/detect, src/retrain   5 src/aws, src/producer, src/view
//   6 functions/   7 src/local, src/evaluate   8 src/cli
// infra/ sees src/contract only (and names functions/ by path); bench/, scripts/, test/ see all.
// A folder with an index.ts (PUBLIC_API) is reached from any other folder only through that index;
// test/ is exempt (a test imports the module it tests).
// Each rule below names one layer and what it must not reach; `npm run lint:layers` runs them.

/** Every project folder a file can reach (node_modules and package.json are not layers). */
const PROJECT = '^(src|functions|infra|bench|scripts|test)/';

/**
 * A rule forbidding files under `from` to import anything of the project outside `allowed`
 * (`$1` in `allowed` is the folder matched by the group in `from`: a peer may import itself).
 * @param {string} name @param {string} comment @param {string} from @param {string[]} allowed
 */
function onlyOn(name, comment, from, allowed) {
  return {
    name,
    comment,
    severity: 'error',
    from: { path: from },
    to: { path: PROJECT, pathNot: `^(${allowed.join('|')})/` },
  };
}

const RANK_0 = ['src/random'];
const RANK_1 = [...RANK_0, 'src/nn', 'src/ecg'];
const RANK_2 = [...RANK_1, 'src/contract'];
const RANK_3 = [...RANK_2, 'src/model'];
const RANK_4 = [...RANK_3, 'src/detect', 'src/retrain'];
const RANK_5 = [...RANK_4, 'src/aws', 'src/producer', 'src/view'];
const RANK_6 = [...RANK_5, 'functions'];

/**
 * Folders whose public API is their `index.ts`. Any other folder reaches them only through it;
 * inside a folder, modules import each other directly (never their own index: that would be a circle).
 */
const PUBLIC_API = ['src/detect', 'src/retrain', 'src/producer', 'src/random', 'src/nn', 'src/model', 'src/ecg', 'src/contract'];

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'No import circles, within a folder or across folders: each module can be read (and tested) on top of what it imports.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'public-api-only',
      comment:
        'A folder with an index.ts (PUBLIC_API) is reached from any other folder only through that index. test/ is exempt: a test imports the module it tests.',
      severity: 'error',
      from: { path: '^(src/[^/]+|functions|infra|bench|scripts)/' },
      to: { path: `^(${PUBLIC_API.join('|')})/`, pathNot: ['^$1/', `^(${PUBLIC_API.join('|')})/index\\.ts$`] },
    },
    onlyOn('random-is-a-leaf', 'src/random (the seeded generator) imports no other project folder.', '^src/random/', ['src/random']),
    onlyOn('nn-is-a-leaf', 'src/nn (the neural engine) imports only src/random.', '^src/nn/', ['src/nn', ...RANK_0]),
    onlyOn('ecg-is-a-leaf', 'src/ecg (signal processing, readers) imports only src/random.', '^src/ecg/', ['src/ecg', ...RANK_0]),
    onlyOn(
      'contract-only-on-nn-ecg',
      'src/contract (wire format, S3 layout, pointer, artifact, names and defaults) imports only src/nn and src/ecg.',
      '^src/contract/',
      RANK_2,
    ),
    onlyOn(
      'model-only-on-contract-nn-ecg',
      'src/model (artifact to scorer, thresholds, metrics, training) imports only ranks 1-2.',
      '^src/model/',
      RANK_3,
    ),
    onlyOn(
      'detect-retrain-are-peers',
      'src/detect and src/retrain import only ranks 1-3 (src/model, src/contract, src/nn, src/ecg), never each other.',
      '^src/(detect|retrain)/',
      [...RANK_3, 'src/$1'],
    ),
    onlyOn('aws-only-on-core', 'src/aws (SDK adapters) imports only ranks 0-4, never its peer src/producer.', '^src/aws/', [
      ...RANK_4,
      'src/aws',
    ]),
    onlyOn(
      'producer-only-on-contract-ecg',
      'src/producer (the gateway library: encoders, seq, PutRecords with retries) imports only ranks 0-2 (src/contract, src/ecg, src/nn, src/random), so a gateway bundle stays small.',
      '^src/producer/',
      [...RANK_2, 'src/producer'],
    ),
    onlyOn(
      'view-only-on-core',
      'src/view (ECG drawing and the browser console) imports only ranks 1-4 and, for types, src/aws; never functions/ or src/local.',
      '^src/view/',
      [...RANK_4, 'src/view', 'src/aws'],
    ),
    onlyOn('functions-only-on-src-core-and-aws', 'functions/ (Lambda handlers) imports only ranks 1-5.', '^functions/', RANK_6),
    onlyOn(
      'local-evaluate-are-peers',
      'src/local and src/evaluate import only ranks 1-6 (src/* below them and functions/), never each other nor src/cli.',
      '^src/(local|evaluate)/',
      [...RANK_6, 'src/$1'],
    ),
    {
      name: 'cli-no-bench-infra-at-load',
      comment: 'src/cli imports bench/ and infra/ only by a dynamic import inside a command (they pull in CDK and the benchmark peers).',
      severity: 'error',
      from: { path: '^src/cli/' },
      to: { path: '^(bench|infra|test|scripts)/', dynamic: false },
    },
    onlyOn(
      'infra-only-contract',
      'infra/ imports only src/contract (names, prefixes, defaults) and itself; it names functions/ by path, never by import.',
      '^infra/',
      ['infra', 'src/contract'],
    ),
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|cdk\\.out|out|dist|coverage)/|(^|/)\\.tmp' },
    // Type-only imports count too: a type is as much a dependency as a value.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
    moduleSystems: ['es6', 'cjs'],
  },
};
