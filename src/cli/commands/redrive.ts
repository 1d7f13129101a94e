import { createDetectHandler } from '../../../functions/detect';
import { createAwsClients } from '../../aws/clients';
import { redrive } from '../../local/redrive';
import { intFlag, parseFlags, printJson, progress } from '../args';
import type { CommandModule } from '../command';
import { UsageError } from '../command';

const usage = `usage: beatwatch redrive --queue-url URL --bucket NAME --topic-arn ARN [--region R]
                         [--batch-size N] [--max-messages N] [--keep] [--json]

Re-drives what the detect event source mapping gave up on: reads each message of the failure
queue (shard, sequence range), fetches the range's records from the stream, pushes them through
the detect handler once (alert ids are deterministic; an alert is sent once per run), and
deletes the message when every record was taken. Ranges no longer in the stream are reported
and kept. Endpoints: AWS, or emulators through AWS_ENDPOINT_URL_{KINESIS,S3,SNS,SQS}.

  --queue-url URL     the detect failure queue (stack output / provisioned local queue)
  --bucket NAME       the data bucket (models/, alerts/, devices/)
  --topic-arn ARN     the alerts topic
  --region R          AWS region (default: the SDK's)
  --batch-size N      records per handler invocation (default 100)
  --max-messages N    stop after N messages (default: until the queue is empty)
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
      keep: { type: 'boolean' },
      json: { type: 'boolean' },
    });
    for (const flag of ['queue-url', 'bucket', 'topic-arn'] as const)
      if (values[flag] === undefined) throw new UsageError(`--${flag} is required`);
    const batchSize = intFlag(values['batch-size'], 'batch-size', 100, 1, 10_000);
    const maxMessages = values['max-messages'] === undefined ? undefined : intFlag(values['max-messages'], 'max-messages', 1, 1);
    const aws = createAwsClients(values.region === undefined ? {} : { region: values.region });
    try {
      const handler = createDetectHandler({
        env: {
          ...process.env,
          BUCKET_NAME: values.bucket,
          TOPIC_ARN: values['topic-arn'],
          ...(values.region ? { AWS_REGION: values.region } : {}),
        },
        aws,
      });
      const report = await redrive({
        sqs: aws.sqs,
        kinesis: aws.kinesis,
        queueUrl: values['queue-url'] as string,
        handler,
        batchSize,
        deleteHandled: values.keep !== true,
        ...(maxMessages === undefined ? {} : { maxMessages }),
        onProgress: progress,
      });
      if (values.json) printJson(report);
      else
        process.stdout.write(
          `redrive: ${report.messages} messages, ${report.recordsRecovered} of ${report.recordsExpected} records recovered, ${report.deleted} messages deleted\n`,
        );
      return report.ranges.every((r) => r.outcome === 'recovered') ? 0 : 1;
    } finally {
      aws.destroy();
    }
  },
};
export default redriveCommand;
