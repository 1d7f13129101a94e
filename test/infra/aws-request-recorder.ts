// A pass-through HTTP proxy in front of the S3/SNS emulator that records each call as the IAM
// action and resource it needs, so a test can check them against a role's policy: the emulators
// enforce no IAM, this recorder shows what real IAM would be asked.
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One AWS call, as IAM sees it. */
export interface RecordedCall {
  readonly action: string;
  /** ARN the action is authorised against. */
  readonly resource: string;
  /** Condition keys of the request (e.g. `s3:prefix` of a listing). */
  readonly conditions: Readonly<Record<string, string>>;
  /** The HTTP request, for failure messages. */
  readonly request: string;
}

/** A running recorder. */
export interface Recorder {
  /** Endpoint to give the SDK instead of the emulator's. */
  readonly endpoint: string;
  readonly calls: RecordedCall[];
  stop(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * ARN a recorded DynamoDB call names: region and account left empty (the emulators have none);
 * tests give the stack's table the same form.
 */
export const recordedTableArn = (table: string): string => `arn:aws:dynamodb:::table/${table}`;

/** The IAM view of one HTTP request to S3 (path-style), SNS (query or JSON protocol) or DynamoDB (JSON protocol). */
export function describeCall(
  method: string,
  rawUrl: string,
  headers: Record<string, string | string[] | undefined>,
  body: Buffer,
): RecordedCall {
  const url = new URL(rawUrl, 'http://recorder');
  const line = `${method} ${url.pathname}${url.search}`;
  const target = String(headers['x-amz-target'] ?? '');
  if (target.startsWith('DynamoDB_')) {
    const json = JSON.parse(body.toString('utf8') || '{}') as { TableName?: string; IndexName?: string; RequestItems?: object };
    const table = json.TableName ?? Object.keys(json.RequestItems ?? {})[0] ?? '*';
    const resource = `${recordedTableArn(table)}${json.IndexName ? `/index/${json.IndexName}` : ''}`;
    return { action: `dynamodb:${target.split('.').pop()!}`, resource, conditions: {}, request: line };
  }
  const form = new URLSearchParams(body.toString('utf8'));
  if (target.includes('SimpleNotificationService') || (method === 'POST' && url.pathname === '/' && form.has('Action'))) {
    const json = target !== '' ? (JSON.parse(body.toString('utf8') || '{}') as Record<string, string>) : {};
    const action = target !== '' ? target.split('.').pop()! : form.get('Action')!;
    const topicArn = target !== '' ? json.TopicArn : form.get('TopicArn');
    return { action: `sns:${action}`, resource: topicArn ?? '*', conditions: {}, request: line };
  }
  const [, bucket, ...keyParts] = url.pathname.split('/');
  const key = decodeURIComponent(keyParts.join('/'));
  const bucketArn = `arn:aws:s3:::${bucket}`;
  if (key === '') {
    if (method === 'GET' && (url.searchParams.has('list-type') || url.searchParams.has('prefix') || url.search === '')) {
      return {
        action: 's3:ListBucket',
        resource: bucketArn,
        conditions: { 's3:prefix': url.searchParams.get('prefix') ?? '' },
        request: line,
      };
    }
    return { action: `s3:${method}Bucket?`, resource: bucketArn, conditions: {}, request: line };
  }
  const objectArn = `${bucketArn}/${key}`;
  if (method === 'GET' || method === 'HEAD') return { action: 's3:GetObject', resource: objectArn, conditions: {}, request: line };
  if (method === 'PUT' || method === 'POST') return { action: 's3:PutObject', resource: objectArn, conditions: {}, request: line };
  if (method === 'DELETE')
    return {
      action: url.searchParams.has('uploadId') ? 's3:AbortMultipartUpload' : 's3:DeleteObject',
      resource: objectArn,
      conditions: {},
      request: line,
    };
  return { action: `s3:${method}?`, resource: objectArn, conditions: {}, request: line };
}

/**
 * Starts a recorder forwarding to `target` (e.g. the fauxqs endpoint).
 *
 * @example
 * const recorder = await startRecorder(local.endpoints.s3);
 * // ... AWS_ENDPOINT_URL_S3 = recorder.endpoint ...
 * expect(recorder.calls.map((c) => c.action)).toContain('s3:GetObject');
 */
export async function startRecorder(target: string): Promise<Recorder> {
  const upstream = new URL(target);
  const calls: RecordedCall[] = [];
  const server: Server = createServer((req, res) => {
    void readBody(req).then((body) => {
      calls.push(describeCall(req.method ?? 'GET', req.url ?? '/', req.headers, body));
      const forward = request(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: upstream.host },
        },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      forward.on('error', (err) => {
        res.writeHead(502);
        res.end(String(err));
      });
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
