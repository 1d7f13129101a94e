import { readFile, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CommandModule } from '../command';
import { UsageError } from '../command';
import { choiceFlag, intFlag, numberFlag, parseFlags, printJson, progress } from '../args';
import { CELL_KINDS } from '../../nn';
import { readUcr } from '../../ecg';
import { DEFAULT_ECG5000_OPTIONS, ECG5000_POT_PARAMS, evaluateEcg5000 } from '../../evaluate/evaluate-ecg5000';
import { serializeArtifact, parseArtifact } from '../../contract';
import { ecg5000TestMetrics } from '../../evaluate/ecg5000-test-metrics';
import type { ThresholdRule } from '../../model';

const D = DEFAULT_ECG5000_OPTIONS;

/**
 * The splits shipped in `data/ecg5000`, used when `--train`/`--test` are not given, so the
 * evaluation runs from a fresh clone. TEST is gzipped (10 MB of text, 3.3 MB compressed);
 * `readUcr` unpacks `.gz` itself.
 */
export const BUNDLED_ECG5000 = {
  train: fileURLToPath(new URL('../../../data/ecg5000/ECG5000_TRAIN.txt', import.meta.url)),
  test: fileURLToPath(new URL('../../../data/ecg5000/ECG5000_TEST.txt.gz', import.meta.url)),
} as const;

const usage = [
  'usage: beatwatch eval ecg5000 [--train FILE] [--test FILE] [options]',
  '       beatwatch eval ecg5000 --model ARTIFACT [--test FILE] [--json]',
  '',
  'Trains an autoencoder on the normal (label 1) beats of TRAIN minus a fixed held-out part,',
  'fits the threshold on the held-out beats, scores every TEST beat (labels 2-5 = abnormal).',
  'The second form scores TEST with a saved model artifact at its stored threshold.',
  '',
  'options:',
  '  --train FILE                   UCR TRAIN split (default: the bundled data/ecg5000/ECG5000_TRAIN.txt)',
  '  --test FILE                    UCR TEST split, plain or .gz (default: the bundled data/ecg5000/ECG5000_TEST.txt.gz)',
  `  --cell lstm|peephole|gru|rnn   recurrent cell (default ${D.cell})`,
  `  --hidden N                     units per layer (default ${D.hidden})`,
  '  --latent N                     latent size (default: hidden)',
  `  --epochs N                     maximum epochs (default ${D.epochs}; early stopping may end sooner)`,
  `  --seed N                       seed of initialisation and shuffling (default ${D.seed})`,
  `  --batch N                      batch size (default ${D.batchSize})`,
  `  --lr X                         Adam learning rate (default ${D.learningRate})`,
  `  --patience N                   early-stopping patience in epochs (default ${D.patience})`,
  `  --threshold quantile|mean-std|pot   threshold rule (default ${D.thresholdRule.rule})`,
  '  --q X                          quantile of the quantile rule (default 0.99)',
  '  --k X                          k of the mean-std rule (default 3)',
  `  --risk X                       target false-alarm probability of the pot rule (default ${ECG5000_POT_PARAMS.risk}; tail above the ${ECG5000_POT_PARAMS.initialQuantile * 100}th percentile)`,
  `  --workers N                    data-parallel gradient threads (default ${D.workers})`,
  '  --budget SECONDS               wall-time budget of training',
  '  --out FILE                     write the trained model artifact there',
  '  --model FILE                   evaluate this artifact instead of training',
  '  --json                         print one JSON object with the figures on stdout',
].join('\n');

function thresholdRule(values: Record<string, string | boolean | undefined>): ThresholdRule {
  const rule = choiceFlag(
    values.threshold as string | undefined,
    'threshold',
    ['quantile', 'mean-std', 'pot'] as const,
    D.thresholdRule.rule,
  );
  // A parameter of another rule would be silently ignored: say so instead.
  const owner = { q: 'quantile', k: 'mean-std', risk: 'pot' } as const;
  for (const [flag, of] of Object.entries(owner)) {
    if (values[flag] !== undefined && of !== rule) throw new UsageError(`--${flag} belongs to --threshold ${of}, but the rule is ${rule}`);
  }
  const q = numberFlag(values.q as string | undefined, 'q', 0.99, 0, 1);
  switch (rule) {
    case 'quantile':
      return { rule, params: { q } };
    case 'mean-std':
      return { rule, params: { k: numberFlag(values.k as string | undefined, 'k', 3) } };
    case 'pot':
      return {
        rule,
        params: {
          initialQuantile: ECG5000_POT_PARAMS.initialQuantile,
          risk: numberFlag(values.risk as string | undefined, 'risk', ECG5000_POT_PARAMS.risk, 0, 1),
        },
      };
  }
}

const f3 = (x: number) => x.toFixed(4);

/** Scores TEST with a saved artifact at its stored threshold. */
async function evaluateSaved(modelPath: string, testPath: string, json: boolean): Promise<number> {
  const text = await readFile(modelPath, 'utf8').catch((err: NodeJS.ErrnoException) => {
    throw new Error(`${basename(modelPath)}: cannot read (${err.code ?? err.message})`);
  });
  const { artifact, model } = parseArtifact(text);
  const m = ecg5000TestMetrics(model, await readUcr(testPath), artifact.threshold.value);
  const result = {
    auc: m.auc,
    prAuc: m.prAuc,
    accuracy: m.accuracy,
    precision: m.precision,
    recall: m.recall,
    f1: m.f1,
    threshold: artifact.threshold.value,
    thresholdRule: artifact.threshold.rule,
    thresholdParams: artifact.threshold.params,
    cell: artifact.architecture.cell,
    hidden: artifact.architecture.hidden,
    epochs: artifact.training.epochs,
    seed: artifact.training.seed,
    trainSeconds: artifact.training.seconds,
    params: model.parameterCount(),
    testWindows: m.testWindows,
    testAbnormal: m.testAbnormal,
    modelVersion: artifact.version,
  };
  if (json) printJson(result);
  else
    process.stdout.write(
      `model ${result.modelVersion}: ROC-AUC ${f3(m.auc)}  PR-AUC ${f3(m.prAuc)}  F1 ${f3(m.f1)} at ${result.threshold.toPrecision(4)} (${result.thresholdRule})\n`,
    );
  return 0;
}

/** `beatwatch eval ecg5000`: the ECG5000 anomaly-detection protocol of docs/ARCHITECTURE.md §6. */
const command: CommandModule = {
  summary: 'train on normal ECG5000 TRAIN beats, score TEST (ROC-AUC, PR-AUC, F1 at the threshold)',
  usage,
  async run(argv) {
    const { values } = parseFlags(argv, {
      train: { type: 'string' },
      test: { type: 'string' },
      cell: { type: 'string' },
      hidden: { type: 'string' },
      latent: { type: 'string' },
      epochs: { type: 'string' },
      seed: { type: 'string' },
      batch: { type: 'string' },
      lr: { type: 'string' },
      patience: { type: 'string' },
      threshold: { type: 'string' },
      q: { type: 'string' },
      k: { type: 'string' },
      risk: { type: 'string' },
      workers: { type: 'string' },
      budget: { type: 'string' },
      out: { type: 'string' },
      model: { type: 'string' },
      json: { type: 'boolean' },
    });
    const testPath = values.test ?? BUNDLED_ECG5000.test;
    if (values.model) {
      if (values.train !== undefined) throw new UsageError('--train has no use with --model (the artifact is already trained)');
      return evaluateSaved(values.model, testPath, Boolean(values.json));
    }
    const options = {
      cell: choiceFlag(values.cell, 'cell', CELL_KINDS, D.cell),
      hidden: intFlag(values.hidden, 'hidden', D.hidden, 1, 1024),
      latent: values.latent === undefined ? undefined : intFlag(values.latent, 'latent', D.hidden, 1, 1024),
      epochs: intFlag(values.epochs, 'epochs', D.epochs, 1, 100_000),
      seed: intFlag(values.seed, 'seed', D.seed),
      batchSize: intFlag(values.batch, 'batch', D.batchSize, 1, 65_536),
      learningRate: numberFlag(values.lr, 'lr', D.learningRate, Number.MIN_VALUE, 10),
      patience: intFlag(values.patience, 'patience', D.patience, 1, 100_000),
      thresholdRule: thresholdRule(values),
      workers: intFlag(values.workers, 'workers', D.workers, 1, 64),
      timeBudgetMs: values.budget === undefined ? undefined : numberFlag(values.budget, 'budget', 0, 0) * 1000,
    };
    const [train, test] = await Promise.all([readUcr(values.train ?? BUNDLED_ECG5000.train), readUcr(testPath)]);
    progress(
      `ecg5000: TRAIN ${train.rows} beats, TEST ${test.rows} beats of ${train.length} samples; ${options.cell} H=${options.hidden}, seed ${options.seed}`,
    );
    const { result, artifact } = await evaluateEcg5000(train, test, {
      ...options,
      onEpoch: ({ epoch, trainLoss, valLoss, seconds }) =>
        progress(
          `epoch ${String(epoch).padStart(3)}  train ${f3(trainLoss)}  val ${Number.isNaN(valLoss) ? '-' : f3(valLoss)}  ${seconds.toFixed(1)} s`,
        ),
    });
    if (values.out) {
      const { text, sha256 } = serializeArtifact(artifact);
      await writeFile(values.out, text);
      progress(`model ${artifact.version} written (sha256 ${sha256})`);
    }
    if (values.json) printJson(result);
    else {
      const lines = [
        `cell ${result.cell}  hidden ${result.hidden}  params ${result.params}  seed ${result.seed}`,
        `epochs ${result.epochsRun}/${result.epochs} (best ${result.bestEpoch}, stopped by ${result.stoppedBy}) in ${result.trainSeconds.toFixed(1)} s`,
        `ROC-AUC ${f3(result.auc)}  PR-AUC ${f3(result.prAuc)}`,
        `threshold ${result.threshold.toPrecision(4)} (${result.thresholdRule} ${JSON.stringify(result.thresholdParams)})`,
        `accuracy ${f3(result.accuracy)}  precision ${f3(result.precision)}  recall ${f3(result.recall)}  F1 ${f3(result.f1)}`,
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    }
    return 0;
  },
};
export default command;
