/**
 * `npm run train:default`: trains the shipped default model on the 22 MIT-BIH DS1 records of
 * `data/mitdb` (DEFAULT_MODEL_PLAN) and writes `data/default-model/model.json` and `report.json`.
 * `npm run train:folds` (`--folds`): trains the 22 leave-one-record-out evaluation folds instead
 * (fold `without-<record>` on the other 21 DS1 records) and writes
 * `data/default-model/folds/<fold>.json` and `folds/report.json`. `--all` does both in one run
 * (one segmentation pass shared through the cache). DS2 records are never trained on. Seeded
 * with fixed epochs, so the weights are the same on every run (only createdAt and the version's
 * timestamp differ).
 *
 * usage: npm run train:default -- [--records DIR] [--out DIR] [--epochs N] [--folds] [--all]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_MODEL_PLAN } from '../src/evaluate/default-model';
import type { LabelledBeats } from '../src/evaluate/labelled-beats';
import { DEFAULT_BEAT_TRAINING, trainBeatModel, type TrainedBeatModel } from '../src/evaluate/train-beat-model';
import { codeVersion } from './code-version';
import { scriptArgs } from './script-args';

const USAGE = 'npm run train:default -- [--records DIR] [--out DIR] [--epochs N] [--folds] [--all]';
const values = scriptArgs(
  {
    records: { type: 'string' },
    out: { type: 'string' },
    epochs: { type: 'string' },
    folds: { type: 'boolean' },
    all: { type: 'boolean' },
  },
  USAGE,
);

const PLAN = DEFAULT_MODEL_PLAN;
const trainDefault = !values.folds || values.all === true;
const trainFolds = values.folds === true || values.all === true;
const folder = values.records ?? fileURLToPath(new URL('../data/mitdb', import.meta.url));
const out = values.out ?? fileURLToPath(new URL('../data/default-model', import.meta.url));
const epochs = values.epochs === undefined ? DEFAULT_BEAT_TRAINING.epochs : Number(values.epochs);
if (!Number.isInteger(epochs) || epochs < 1) throw new Error(`--epochs must be a positive integer, got ${values.epochs}`);

/** Fold models only serve evaluation: 1,600 windows (the default's 2,000 less a fifth) keeps 22 folds to a few minutes each. */
const FOLD_TRAIN_WINDOWS = 1600;

const log = (m: string) => process.stderr.write(`${m}\n`);
const cache = new Map<string, LabelledBeats>();
const started = performance.now();
/** Read before training: the code that produced the models, even if the tree changes while they train. */
const code = codeVersion(fileURLToPath(new URL('..', import.meta.url)));

function describe(name: string, file: string, t: TrainedBeatModel) {
  return {
    name,
    file,
    version: t.artifact.version,
    sha256: t.sha256,
    trainedOn: t.data.records,
    normalBeats: t.data.normalBeats,
    trainWindows: t.data.trainWindows,
    validationWindows: t.data.validationWindows,
    epochs: t.report.epochsRun,
    bestEpoch: t.report.bestEpoch,
    bestValLoss: t.report.bestValLoss,
    threshold: t.artifact.threshold,
    seconds: Number(t.report.seconds.toFixed(1)),
  };
}

const models: ReturnType<typeof describe>[] = [];
const foldModels: ReturnType<typeof describe>[] = [];
let last: TrainedBeatModel | undefined;
if (trainDefault) {
  log(`default model: records ${PLAN.default.join(', ')}`);
  last = await trainBeatModel(folder, PLAN.default, { epochs }, log, cache);
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'model.json'), last.text);
  models.push(describe('default', 'model.json', last));
  if (trainFolds) writeReport(false, last, models); // the default model is usable before the folds finish
}
if (trainFolds) {
  mkdirSync(join(out, 'folds'), { recursive: true });
  for (const [fold, records] of Object.entries(PLAN.folds)) {
    log(`fold ${fold}: records ${records.join(', ')}`);
    last = await trainBeatModel(folder, records, { epochs, maxTrainWindows: FOLD_TRAIN_WINDOWS }, log, cache);
    writeFileSync(join(out, 'folds', `${fold}.json`), last.text);
    foldModels.push(describe(fold, `folds/${fold}.json`, last));
  }
}
if (last === undefined) throw new Error('nothing was trained');
if (trainFolds) writeReport(true, last, foldModels);
else writeReport(false, last, models);

function writeReport(folds: boolean, last: TrainedBeatModel, models: ReturnType<typeof describe>[]) {
  const report = {
    command: `npm run ${folds ? 'train:folds' : 'train:default'}`,
    createdAt: last.artifact.createdAt,
    software: last.artifact.training.software,
    code,
    parameters: { ...DEFAULT_BEAT_TRAINING, epochs, ...(folds ? { maxTrainWindows: FOLD_TRAIN_WINDOWS } : {}) },
    data: {
      source: `MIT-BIH Arrhythmia Database v1.0.0 (PhysioNet, ODC-By 1.0), DS1 records (de Chazal 2004: ${PLAN.default.join(', ')}), first channel (MLII)`,
      beats:
        "streamed in 1 s chunks through the detector's BeatSegmenter; a detected beat is normal when it matches an AAMI N reference beat within 150 ms",
    },
    evaluationScheme:
      'Inter-patient: evaluating a record uses the default model unless the record is one it was trained on; then it uses the fold model that left the record out.',
    models,
    seconds: Number(((performance.now() - started) / 1000).toFixed(1)),
  };
  writeFileSync(join(out, folds ? 'folds/report.json' : 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
  log(`wrote ${out} in ${report.seconds} s`);
}
