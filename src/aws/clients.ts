import { KinesisClient } from '@aws-sdk/client-kinesis';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { NodeHttpHandler } from '@smithy/node-http-handler';

/** The services beatwatch talks to. */
export type AwsService = 'kinesis' | 's3' | 'sns' | 'sqs';

/** Endpoint overrides: one URL for every service, or one per service. */
export type AwsEndpoints = string | Partial<Record<AwsService, string>>;

/** Options of {@link createAwsClients}. */
export interface AwsClientsOptions {
  /** AWS region; defaults to the SDK's own resolution (`AWS_REGION`, profile), or {@link EMULATOR_REGION} when every service points at an emulator. */
  readonly region?: string;
  /**
   * Emulator endpoints. When absent for a service, `AWS_ENDPOINT_URL_<SERVICE>` and then
   * `AWS_ENDPOINT_URL` are honoured. A service with an endpoint is treated as an emulator:
   * HTTP/1.1 handler, path-style S3, checksums only when required, dummy credentials unless
   * real ones are configured.
   */
  readonly endpoint?: AwsEndpoints;
  /** Environment to read `AWS_ENDPOINT_URL_*` from (default `process.env`; tests pass their own). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** The SDK v3 clients, configured for AWS or for local emulators. */
export interface AwsClients {
  readonly kinesis: KinesisClient;
  readonly s3: S3Client;
  readonly sns: SNSClient;
  readonly sqs: SQSClient;
  /** The region the clients were built for. */
  readonly region: string | undefined;
  /** The emulator endpoint of each service that has one. */
  readonly endpoints: Partial<Record<AwsService, string>>;
  /** Closes every client's sockets. */
  destroy(): void;
}

/** Region used against emulators when none is given. */
export const EMULATOR_REGION = 'us-east-1';

/** Credentials for emulators, which accept any: never used without an emulator endpoint. */
const EMULATOR_CREDENTIALS = { accessKeyId: 'beatwatch-local', secretAccessKey: 'beatwatch-local' };

const ENV_NAMES: Record<AwsService, string> = {
  kinesis: 'AWS_ENDPOINT_URL_KINESIS',
  s3: 'AWS_ENDPOINT_URL_S3',
  sns: 'AWS_ENDPOINT_URL_SNS',
  sqs: 'AWS_ENDPOINT_URL_SQS',
};

/** Resolves the endpoint of one service from the options and the environment. */
export function resolveEndpoint(service: AwsService, options: AwsClientsOptions = {}): string | undefined {
  const { endpoint } = options;
  const explicit = typeof endpoint === 'string' ? endpoint : endpoint?.[service];
  if (explicit !== undefined) return explicit;
  const env = options.env ?? process.env;
  return env[ENV_NAMES[service]] ?? env.AWS_ENDPOINT_URL ?? undefined;
}

/**
 * Builds the four SDK v3 clients. Against AWS (no endpoint) they are the SDK defaults. Against
 * an emulator, the settings that make emulators work (LOCAL.md): Kinesis over HTTP/1.1
 * (`NodeHttpHandler`; the default HTTP/2 handler fails against emulators), S3 path-style with
 * checksums `WHEN_REQUIRED` (otherwise streamed uploads are stored with aws-chunked framing),
 * SQS addressed at the endpoint rather than the queue URL's host (emulators put hosts that do
 * not resolve in queue URLs), and dummy credentials when the environment has none.
 *
 * @example
 * const aws = createAwsClients({ endpoint: stack.endpoints, region: stack.region });
 * await aws.kinesis.send(new ListStreamsCommand({}));
 * aws.destroy();
 */
export function createAwsClients(options: AwsClientsOptions = {}): AwsClients {
  const endpoints: Partial<Record<AwsService, string>> = {};
  for (const service of Object.keys(ENV_NAMES) as AwsService[]) {
    const url = resolveEndpoint(service, options);
    if (url !== undefined) endpoints[service] = url;
  }
  const env = options.env ?? process.env;
  const allLocal = Object.keys(endpoints).length === 4;
  const region = options.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? (allLocal ? EMULATOR_REGION : undefined);
  const hasRealCredentials =
    env.AWS_ACCESS_KEY_ID !== undefined || env.AWS_PROFILE !== undefined || env.AWS_CONTAINER_CREDENTIALS_FULL_URI !== undefined;
  const local = (service: AwsService) => {
    const url = endpoints[service];
    if (url === undefined) return { region };
    return {
      region: region ?? EMULATOR_REGION,
      endpoint: url,
      ...(hasRealCredentials ? {} : { credentials: EMULATOR_CREDENTIALS }),
    };
  };
  const kinesis = new KinesisClient({
    ...local('kinesis'),
    ...(endpoints.kinesis !== undefined ? { requestHandler: new NodeHttpHandler() } : {}),
  });
  const s3 = new S3Client({
    ...local('s3'),
    ...(endpoints.s3 !== undefined
      ? { forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' }
      : {}),
  });
  const sns = new SNSClient(local('sns'));
  const sqs = new SQSClient({
    ...local('sqs'),
    ...(endpoints.sqs !== undefined ? { useQueueUrlAsEndpoint: false } : {}),
  });
  return {
    kinesis,
    s3,
    sns,
    sqs,
    region,
    endpoints,
    destroy() {
      kinesis.destroy();
      s3.destroy();
      sns.destroy();
      sqs.destroy();
    },
  };
}
