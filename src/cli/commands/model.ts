import { createAwsClients } from '../../aws/clients';
import { describeModel, type ModelInfo } from '../../aws/model-info';
import type { CommandModule } from '../command';
import { UsageError } from '../command';
import { parseFlags, printJson } from '../args';
import { DEFAULT_RETRAIN_BUCKET } from './retrain';

const usage = [
  'usage: beatwatch model [--bucket NAME] [--endpoint URL] [--json]',
  '',
  'Shows the model in service: version, when it was promoted, what it was trained on, its',
  'validation figures and threshold, and the retraining decisions of the recent versions.',
  '',
  `  --bucket NAME   bucket (default: $BUCKET_NAME, else ${DEFAULT_RETRAIN_BUCKET})`,
  '  --endpoint URL  S3 endpoint of an emulator (default: $AWS_ENDPOINT_URL_S3 / $AWS_ENDPOINT_URL, else AWS)',
  '  --json          print the ModelInfo object',
].join('\n');

/** The model info in a few lines for people. */
export function describeModelInfo(info: ModelInfo): string {
  const lines = [
    `model ${info.version}, promoted ${info.promotedAt}${info.createdAt ? `, trained ${info.createdAt}` : ''}`,
    `threshold ${info.threshold.value ?? '?'} (${info.threshold.rule ?? 'rule unknown'})`,
  ];
  if (info.trainedOn) lines.push(`trained on: ${JSON.stringify(info.trainedOn)}`);
  if (info.validation) lines.push(`validation: ${JSON.stringify(info.validation)}`);
  for (const d of info.decisions)
    lines.push(
      `  ${d.version}: ${d.decision ?? 'seeded'}${d.reason ? ` (${d.reason})` : ''}${d.beatsUsed !== null ? `, ${d.beatsUsed} beats` : ''}`,
    );
  return lines.join('\n');
}

/** `beatwatch model`: which model is in service, and how good it is. */
const model: CommandModule = {
  summary: 'show the model in service (version, promotion, training data, validation, retraining decisions)',
  usage,
  async run(argv) {
    const { values } = parseFlags(argv, { bucket: { type: 'string' }, endpoint: { type: 'string' }, json: { type: 'boolean' } });
    const bucket = values.bucket ?? process.env.BUCKET_NAME ?? DEFAULT_RETRAIN_BUCKET;
    if (bucket.trim() === '') throw new UsageError('--bucket must not be empty');
    const aws = createAwsClients(values.endpoint === undefined ? {} : { endpoint: { s3: values.endpoint } });
    try {
      const info = await describeModel(aws.s3, bucket);
      if (!info) throw new Error(`no model pointer in s3://${bucket} (models/current.json)`);
      if (values.json) printJson(info);
      else process.stdout.write(`${describeModelInfo(info)}\n`);
      return 0;
    } finally {
      aws.destroy();
    }
  },
};
export default model;
