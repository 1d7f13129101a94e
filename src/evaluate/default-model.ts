import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadBeatModel, type LoadedBeatModel } from '../model';

/**
 * MIT-BIH DS1, de Chazal et al. (2004)'s inter-patient training set (the paced records left
 * out): the records the shipped models are trained and their constants tuned on.
 *
 * @example
 * MITDB_DS1.includes('119') // true
 */
export const MITDB_DS1: readonly string[] = Object.freeze([
  '101', '106', '108', '109', '112', '114', '115', '116', '118', '119', '122',
  '124', '201', '203', '205', '207', '208', '209', '215', '220', '223', '230',
]); // prettier-ignore

/**
 * Which split of MIT-BIH a record belongs to: `DS1` (trained and tuned on, scored leave-one-record-out),
 * `DS2` (everything else: reported, never tuned on).
 *
 * @example
 * mitdbSplit('100') // 'DS2'
 */
export function mitdbSplit(record: string): 'DS1' | 'DS2' {
  return MITDB_DS1.includes(record) ? 'DS1' : 'DS2';
}

/**
 * Which records each shipped model is trained on. Evaluation is inter-patient (docs/ARCHITECTURE.md §6): a
 * record is never scored by a model trained on it. The default model is trained on all 22 DS1
 * records ({@link MITDB_DS1}); for each DS1 record a leave-one-record-out fold model is trained on
 * the other 21, and evaluating a DS1 record uses its fold ({@link defaultModelFor}). Every other
 * record (DS2, or any record of another source) uses the default model itself.
 */
export const DEFAULT_MODEL_PLAN: { readonly default: readonly string[]; readonly folds: Readonly<Record<string, readonly string[]>> } =
  Object.freeze({
    default: MITDB_DS1,
    folds: Object.freeze(
      Object.fromEntries(MITDB_DS1.map((left) => [`without-${left}`, Object.freeze(MITDB_DS1.filter((r) => r !== left))])),
    ),
  });

/** Folder of the shipped default model (`model.json`, `report.json`, `folds/<name>.json`). */
export const DEFAULT_MODEL_DIR = fileURLToPath(new URL('../../data/default-model/', import.meta.url));

/** Path of the default model's artifact. */
export const DEFAULT_MODEL_FILE = `${DEFAULT_MODEL_DIR}model.json`;

/** Path of a fold model's artifact. */
export function foldModelFile(fold: string): string {
  return `${DEFAULT_MODEL_DIR}folds/${fold}.json`;
}

/**
 * The shipped model to evaluate `record` with: the default model unless it was trained on the
 * record, else the fold model that left the record out. Returns the model, its file, and the
 * records it was trained on (for the report).
 *
 * @example
 * const { model, trainedOn } = defaultModelFor('119'); // fold without-119
 */
export function defaultModelFor(record: string): { model: LoadedBeatModel; file: string; name: string; trainedOn: readonly string[] } {
  if (!DEFAULT_MODEL_PLAN.default.includes(record))
    return { model: loadModelFile(DEFAULT_MODEL_FILE), file: DEFAULT_MODEL_FILE, name: 'default', trainedOn: DEFAULT_MODEL_PLAN.default };
  for (const [fold, records] of Object.entries(DEFAULT_MODEL_PLAN.folds)) {
    if (!records.includes(record))
      return { model: loadModelFile(foldModelFile(fold)), file: foldModelFile(fold), name: fold, trainedOn: records };
  }
  throw new Error(`no shipped model leaves record ${record} out (see DEFAULT_MODEL_PLAN)`);
}

const loaded = new Map<string, LoadedBeatModel>();

/** Loads (once per process) a model artifact file. */
export function loadModelFile(file: string): LoadedBeatModel {
  let model = loaded.get(file);
  if (!model) {
    if (!existsSync(file)) throw new Error(`${file}: no such model (run \`npm run train:default\`)`);
    model = loadBeatModel(readFileSync(file, 'utf8'));
    loaded.set(file, model);
  }
  return model;
}
