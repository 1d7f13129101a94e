import { Logger } from '@aws-lambda-powertools/logger';
import { createDetectHandler } from '../../../functions/detect';
import { createAwsClients } from '../../aws/clients';
import { redrive } from '../../local/redrive';
import { DEFAULT_HISTORY_BUFFER_SECONDS } from '../../local/redrive-history';
import { intFlag, parseFlags, printJson, progress } from '../args';
import type { CommandModule } from '../command';
import { UsageError } from '../command';

const usage = `usage: beatwatch redrive --queue-url URL --bucket NAME --topic-arn ARN [--region R]
                         [--batch-size N] [--max-messages N] [--history-buffer-seconds S] [--keep] [--json]

Re-drives what the detect event source mapping gave up on: reads each message of the failure
queue (shard, sequence range), fetches the range's records from the stream, or from the history/
archive when the stream no longer has them (past its retention), pushes them through the detect
handler once, and deletes the message when every record was taken. Alert ids are deterministic
and an alert whose sent marker exists (it went out before) is not sent again, so running it twice
sends nothing twice. Ranges found in neither place are reported and kept. Endpoints: AWS, or
emulators through AWS_ENDPOINT_URL_{KINESIS,S3,SNS,SQS}.

  --queue-url URL     the detect failure queue (stack output / provisioned local queue)
  --bucket NAME       the data bucket (models/, alerts/, devices/)
  --topic-arn ARN     the alerts topic
  --region R          AWS region (default: the SDK's)
  --batch-size N      records per handler invocation (default 100)
  --max-messages N    stop after N messages (default: until the queue is empty)
  --history-buffer-seconds S
                      the archive's buffering interval, how far around a range to read history/
                      (default ${DEFAULT_HISTORY_BUFFER_SECONDS}, Firehose's maximum)
  --keep              do not delete handled messages (a dry run of the deletion)
  --json              print the report as one JSON object on stdout`;

/** `beatwatch redrive`: the failure queue's ranges through the detector, once. */
const redriveCommand: CommandModule = {
  summary: 're-drive the detect failure queue: fetch each range from the stream, detect, report',
  usage,
  async run(argv) {
    const { values } = parseFlags(argv, {
      'queue-url': { type: 'string' },
      bucket: { type: 'string' },
      'topic-arn': { type: 'string' },
      region: { type: 'string' },
      'batch-size': { type: 'string' },
      'max-messages': { type: 'string' },
      'history-buffer-seconds': { type: 'string' },
      keep: { type: 'boolean' },
      json: { type: 'boolean' },
    });
    for (const flag of ['queue-url', 'bucket', 'topic-arn'] as const)
      if (values[flag] === undefined) throw new UsageError(`--${flag} is required`);
    const batchSize = intFlag(values['batch-size'], 'batch-size', 100, 1, 10_000);
    const maxMessages = values['max-messages'] === undefined ? undefined : intFlag(values['max-messages'], 'max-messages', 1, 1);
    const bufferSeconds = intFlag(values['history-buffer-seconds'], 'history-buffer-seconds', DEFAULT_HISTORY_BUFFER_SECONDS, 0, 86_400);
    const bucket = values.bucket as string;
    // The handler's logs and EMF metrics are the Lambda's: a command keeps stdout for its report.
    process.env.POWERTOOLS_METRICS_DISABLED = 'true';
    const aws = createAwsClients(values.region === undefined ? {} : { region: values.region });
    try {
      let alreadySent = 0;
      const handler = createDetectHandler({
        env: {
          ...process.env,
          BUCKET_NAME: bucket,
          TOPIC_ARN: values['topic-arn'],
          ...(values.region ? { AWS_REGION: values.region } : {}),
        },
        aws,
        logger: new Logger({ logLevel: 'SILENT' }),
        skipSentAlerts: true,
        onAlreadySent: () => alreadySent++,
      });
      const report = await redrive({
        sqs: aws.sqs,
        kinesis: aws.kinesis,
        queueUrl: values['queue-url'] as string,
        history: { s3: aws.s3, bucket, bufferSeconds },
        handler,
        batchSize,
        deleteHandled: values.keep !== true,
        ...(maxMessages === undefined ? {} : { maxMessages }),
        onProgress: progress,
      });
      if (values.json) printJson({ ...report, alertsAlreadySent: alreadySent });
      else
        process.stdout.write(
          `redrive: ${report.messages} messages, ${report.recordsRecovered} of ${report.recordsExpected} records recovered (${report.historyRecords} records read from history/), ${report.deleted} messages deleted, ${alreadySent} alerts not sent again (sent before)\n`,
        );
      return report.ranges.every((r) => r.outcome === 'recovered') ? 0 : 1;
    } finally {
      aws.destroy();
    }
  },
};
export default redriveCommand;
