import { AlertStateStore, createDynamoClient } from '../../aws/alert-state-store';
import { createAwsClients } from '../../aws/clients';
import { RETRAIN_ENV } from '../../contract';
import { runRetrainCycle } from '../../aws/retrain-ports';
import { ChampionError, DEFAULT_RETRAIN_OPTIONS, type RetrainResult } from '../../retrain';
import type { CommandModule } from '../command';
import { UsageError } from '../command';
import { intFlag, numberFlag, parseFlags, printJson, progress } from '../args';

/** Bucket used when neither --bucket nor BUCKET_NAME is given: the local stack's. */
export const DEFAULT_RETRAIN_BUCKET = 'beatwatch-local';

const usage = [
  'usage: beatwatch retrain [--bucket NAME] [--endpoint URL] [--table NAME] [--dynamodb-endpoint URL] [--days N] [--time-budget S] [--epochs N] [--seed N] [--json]',
  '',
  'Runs one retraining cycle against a bucket (AWS, or local emulators with --endpoint): reads',
  'history/ of the last N days, trains a challenger warm-started from models/current.json inside',
  'the time budget, compares both on held-out devices, and promotes the challenger only if it is',
  "not worse by the stated margins. With the alert state table it also learns from clinicians'",
  "labels: false alarms raise their device's threshold and train as its normal beats, true alarms",
  'are kept out of training and must still be found. Progress goes to stderr.',
  '',
  `  --bucket NAME      bucket (default: $BUCKET_NAME, else ${DEFAULT_RETRAIN_BUCKET})`,
  '  --endpoint URL     S3 endpoint of an emulator (default: $AWS_ENDPOINT_URL_S3 / $AWS_ENDPOINT_URL, else AWS)',
  '  --table NAME       alert state table whose labels to use (default: $ALERT_TABLE; none: labels not used)',
  '  --dynamodb-endpoint URL  DynamoDB endpoint of an emulator (default: $AWS_ENDPOINT_URL_DYNAMODB / $AWS_ENDPOINT_URL, else AWS)',
  `  --days N           days of history (default ${DEFAULT_RETRAIN_OPTIONS.days}; fractions allowed, e.g. 0.5)`,
  `  --time-budget S    wall-time budget in seconds (default ${DEFAULT_RETRAIN_OPTIONS.timeBudgetMs / 1000})`,
  `  --epochs N         maximum epochs of the challenger (default ${DEFAULT_RETRAIN_OPTIONS.train.epochs})`,
  `  --seed N           seed of sampling, splits and training (default ${DEFAULT_RETRAIN_OPTIONS.seed})`,
  '  --json             print {decision, reason, fromVersion, toVersion, beatsUsed, labels, seconds, ...}',
  '',
  'Exit status: 0 when the run decided (promoted or kept, e.g. on empty history), 1 when it could',
  'not run (no usable current model, storage errors), 2 on usage errors.',
].join('\n');

/** The one-line human summary of a run. */
export function describeRetrain(r: RetrainResult): string {
  const head = r.decision === 'promoted' ? `promoted ${r.toVersion} (was ${r.fromVersion})` : `kept ${r.fromVersion}`;
  const labels = r.labels
    ? ` Labels: ${r.labels.used} used (${r.labels.falseAlarms.alerts} false alarms, ${r.labels.truePositives.alerts} true), ${r.labels.devicesChanged} device thresholds moved${r.labels.devices
        .filter((d) => d.threshold.before !== d.threshold.after)
        .map((d) => `, ${d.threshold.before.toFixed(2)} -> ${d.threshold.after.toFixed(2)}`)
        .join('')}.`
    : '';
  return `${head}: ${r.reason}. ${r.beatsRead} beats read, ${r.beatsUsed} used for training, ${r.seconds.toFixed(1)} s.${labels}`;
}

/** `beatwatch retrain`: one retraining cycle from S3 history. */
const retrain: CommandModule = {
  summary: 'retrain from S3 history; promote only a model that is not worse',
  usage,
  async run(argv) {
    const { values } = parseFlags(argv, {
      bucket: { type: 'string' },
      endpoint: { type: 'string' },
      table: { type: 'string' },
      'dynamodb-endpoint': { type: 'string' },
      days: { type: 'string' },
      'time-budget': { type: 'string' },
      epochs: { type: 'string' },
      seed: { type: 'string' },
      json: { type: 'boolean' },
    });
    const bucket = values.bucket ?? process.env.BUCKET_NAME ?? DEFAULT_RETRAIN_BUCKET;
    if (bucket.trim() === '') throw new UsageError('--bucket must not be empty');
    const days = numberFlag(values.days, 'days', DEFAULT_RETRAIN_OPTIONS.days, 1 / 24, 366);
    const timeBudgetMs = numberFlag(values['time-budget'], 'time-budget', DEFAULT_RETRAIN_OPTIONS.timeBudgetMs / 1000, 1, 86_400) * 1000;
    const epochs = intFlag(values.epochs, 'epochs', DEFAULT_RETRAIN_OPTIONS.train.epochs, 0, 100_000);
    const seed = intFlag(values.seed, 'seed', DEFAULT_RETRAIN_OPTIONS.seed);
    const aws = createAwsClients(values.endpoint === undefined ? {} : { endpoint: { s3: values.endpoint } });
    const table = values.table ?? process.env[RETRAIN_ENV.alertTable];
    if (table !== undefined && table.trim() === '') throw new UsageError('--table must not be empty');
    const alertState = table
      ? new AlertStateStore(createDynamoClient(values['dynamodb-endpoint'] ? { endpoint: values['dynamodb-endpoint'] } : {}), table)
      : undefined;
    try {
      progress(`retrain: s3://${bucket}, last ${days} days, budget ${timeBudgetMs / 1000} s`);
      const result = await runRetrainCycle({
        s3: aws.s3,
        bucket,
        days,
        timeBudgetMs,
        seed,
        train: { epochs },
        ...(alertState ? { alertState } : {}),
        onProgress: (p) => progress(`retrain [${p.phase}] ${p.message}`),
        onProblem: (p) =>
          progress(
            `retrain [history] skipped ${p.offset === undefined ? 'object' : `${p.length} bytes at byte ${p.offset} of`} ${p.key}: ${p.reason}`,
          ),
      });
      progress(`retrain: ${describeRetrain(result)}`);
      if (values.json) printJson(result);
      return 0;
    } catch (err) {
      if (err instanceof ChampionError) {
        progress(`beatwatch retrain: ${err.message}`);
        return 1;
      }
      throw err;
    } finally {
      aws.destroy();
      alertState?.client.destroy();
    }
  },
};
export default retrain;
