/**
 * The console API Lambda (API Gateway HTTP API, payload 2.0): devices, alerts with their snippet
 * and explanation, and the clinician's actions (acknowledge, label, snooze), over the alert
 * state table and the snippets in S3 (docs/ARCHITECTURE.md §3.7).
 *
 * Authentication is the JWT authorizer's (a Cognito user pool) in the stack; the handler checks
 * the claims again (present, not expired, issued for the console's app client, user in the
 * clinicians group) so that a route added without the authorizer still refuses anonymous calls.
 * Locally `src/local/console-server.ts` verifies its development tokens and hands the handler the
 * same claims. Logs never hold device ids or samples.
 */
import { GetObjectCommand, NoSuchKey, type S3Client } from '@aws-sdk/client-s3';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import {
  ALERT_KINDS,
  AlertStateStore,
  createDynamoClient,
  NotFoundError,
  type Actor,
  type AlertFilter,
  type AlertKind,
} from '../src/aws/alert-state-store';
import { createAwsClients } from '../src/aws/clients';
import { describeModel, type ModelInfo } from '../src/aws/model-info';
import { CONSOLE_ENV } from '../src/contract';
import type { AlertSnippet } from '../src/detect';

/** The request shape the handler reads: API Gateway's HTTP API event (payload 2.0). */
export type ConsoleApiEvent = Pick<
  APIGatewayProxyEventV2WithJWTAuthorizer,
  'rawPath' | 'queryStringParameters' | 'body' | 'isBase64Encoded'
> & {
  readonly requestContext: {
    readonly http: { readonly method: string };
    readonly authorizer?: { readonly jwt?: { readonly claims?: Record<string, string | number | boolean | string[]> } };
  };
};

/** Options of {@link createConsoleApiHandler}; everything defaults to what the Lambda uses. */
export interface ConsoleApiOptions {
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly store?: AlertStateStore;
  /** Reads an alert's snippet (default: S3 `BUCKET_NAME`); null when it is missing. */
  readonly readSnippet?: (key: string) => Promise<AlertSnippet | null>;
  /** Reads the model in service (default: `describeModel` on S3 `BUCKET_NAME`). */
  readonly readModel?: () => Promise<ModelInfo | null>;
  /** Wall clock (epoch ms). */
  readonly now?: () => number;
}

/** Default Cognito group of the people allowed in the console. */
export const DEFAULT_CONSOLE_GROUP = 'clinicians';
/** Longest snooze the API accepts: a day. Longer silences are a configuration change, not a click. */
export const MAX_SNOOZE_MINUTES = 24 * 60;
/** Longest note on a label. */
export const MAX_NOTE_CHARS = 500;

/** A failed request: status and a reason for the caller. */
class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const json = (status: number, body: unknown): APIGatewayProxyStructuredResultV2 => ({
  statusCode: status,
  headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
  body: JSON.stringify(body),
});

/** An array claim as API Gateway hands it: a JSON array, a list, or `"[a b]"` (HTTP API's rendering). */
function claimList(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  if (typeof value !== 'string') return [];
  const s = value.trim();
  if (s.startsWith('[') && s.endsWith(']')) {
    try {
      const parsed: unknown = JSON.parse(s);
      if (Array.isArray(parsed)) return parsed.map(String);
    } catch {
      // API Gateway's "[a b]" form
    }
    return s
      .slice(1, -1)
      .split(/[\s,]+/)
      .filter((x) => x !== '');
  }
  return s.split(/[\s,]+/).filter((x) => x !== '');
}

/**
 * Checks the verified token's claims: present, not expired, for this app client (when one is
 * configured), user in the group. Returns who is calling.
 *
 * @example
 * checkClaims({ sub: 'u1', email: 'lee@example.org', exp: '9999999999', 'cognito:groups': '[clinicians]' }, { group: 'clinicians', nowMs: Date.now() })
 * // 'lee@example.org'
 */
export function checkClaims(
  claims: Record<string, unknown> | undefined,
  rules: { clientId?: string; group: string; nowMs: number },
): string {
  if (!claims || typeof claims.sub !== 'string' || claims.sub === '') throw new HttpError(401, 'authentication required');
  const exp = Number(claims.exp);
  if (!Number.isFinite(exp) || exp * 1000 <= rules.nowMs) throw new HttpError(401, 'token expired');
  if (rules.clientId) {
    const audiences = [...claimList(claims.aud), ...claimList(claims.client_id)];
    if (!audiences.includes(rules.clientId)) throw new HttpError(401, 'token not issued for this console');
  }
  if (!claimList(claims['cognito:groups']).includes(rules.group)) throw new HttpError(403, `user is not in the ${rules.group} group`);
  const who = claims.email ?? claims['cognito:username'] ?? claims.username ?? claims.sub;
  return String(who);
}

const SEVERITIES = new Set(['warning', 'critical']);
const STATUSES = new Set(['open', 'acknowledged']);

/** The filters of `GET /api/alerts`, checked. */
function alertFilter(q: Record<string, string | undefined>): AlertFilter {
  const known = new Set(['device', 'severity', 'kind', 'status', 'limit']);
  for (const k of Object.keys(q)) if (!known.has(k)) throw new HttpError(400, `unknown query parameter ${JSON.stringify(k)}`);
  if (q.severity !== undefined && !SEVERITIES.has(q.severity)) throw new HttpError(400, 'severity must be warning or critical');
  if (q.status !== undefined && !STATUSES.has(q.status)) throw new HttpError(400, 'status must be open or acknowledged');
  if (q.kind !== undefined && !(ALERT_KINDS as readonly string[]).includes(q.kind))
    throw new HttpError(400, `kind must be one of ${ALERT_KINDS.join(', ')}`);
  let limit: number | undefined;
  if (q.limit !== undefined) {
    limit = Number(q.limit);
    if (!/^\d+$/.test(q.limit) || limit < 1 || limit > 500) throw new HttpError(400, 'limit must be an integer from 1 to 500');
  }
  if (q.device !== undefined && (q.device === '' || q.device.length > 256)) throw new HttpError(400, 'device must be a device id');
  return {
    ...(q.device !== undefined ? { deviceId: q.device } : {}),
    ...(q.severity !== undefined ? { severity: q.severity as 'warning' | 'critical' } : {}),
    ...(q.kind !== undefined ? { kind: q.kind as AlertKind } : {}),
    ...(q.status !== undefined ? { status: q.status as 'open' | 'acknowledged' } : {}),
    ...(limit !== undefined ? { limit } : {}),
  };
}

function bodyOf(event: ConsoleApiEvent): Record<string, unknown> {
  if (event.body === undefined || event.body === null || event.body === '') return {};
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'body is not JSON');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new HttpError(400, 'body must be a JSON object');
  return value as Record<string, unknown>;
}

function decodeSegment(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new HttpError(400, 'path is not valid URL encoding');
  }
}

/**
 * Builds the console API handler. Routes (all JSON, all authenticated):
 * `GET /api/me`, `GET /api/model` (the model in service), `GET /api/devices`, `GET /api/alerts?device=&severity=&kind=&status=&limit=`,
 * `GET /api/alerts/{id}`, `POST /api/alerts/{id}/ack`, `POST /api/alerts/{id}/label`
 * (`{"value": false, "note": "..."}`: false = false alarm), `POST /api/devices/{id}/snooze`
 * (`{"minutes": 30}`, or `{"until": <epoch ms>}`; 0 minutes = unsnooze).
 * 401 without valid claims, 403 outside the group, 400 with a reason for a malformed request,
 * 404 for an unknown id or route.
 *
 * @example
 * export const handler = createConsoleApiHandler();
 */
export function createConsoleApiHandler(
  options: ConsoleApiOptions = {},
): (event: ConsoleApiEvent) => Promise<APIGatewayProxyStructuredResultV2> {
  const env = options.env ?? process.env;
  const now = options.now ?? Date.now;
  let store = options.store;
  let readSnippet = options.readSnippet;
  let readModel = options.readModel;

  function setUp(): {
    store: AlertStateStore;
    readSnippet: (key: string) => Promise<AlertSnippet | null>;
    readModel: () => Promise<ModelInfo | null>;
  } {
    if (!store) {
      const table = env[CONSOLE_ENV.alertTable];
      if (!table) throw new Error(`${CONSOLE_ENV.alertTable} is not set`);
      store = new AlertStateStore(createDynamoClient({ env }), table);
    }
    if (!readSnippet || !readModel) {
      const bucket = env[CONSOLE_ENV.bucket];
      // Checked when used, so a handler given its readers needs no bucket.
      const need = (): string => {
        if (!bucket) throw new Error(`${CONSOLE_ENV.bucket} is not set`);
        return bucket;
      };
      let s3: S3Client | undefined;
      const client = () => (s3 ??= createAwsClients({ env }).s3);
      readModel ??= () => describeModel(client(), need());
      readSnippet ??= async (key) => {
        try {
          const out = await client().send(new GetObjectCommand({ Bucket: need(), Key: key }));
          return JSON.parse(await (out.Body as { transformToString(): Promise<string> }).transformToString()) as AlertSnippet;
        } catch (err) {
          if (err instanceof NoSuchKey || (err as { name?: string }).name === 'NoSuchKey') return null;
          throw err;
        }
      };
    }
    return { store, readSnippet: readSnippet as NonNullable<typeof readSnippet>, readModel: readModel as NonNullable<typeof readModel> };
  }

  return async (event) => {
    try {
      const who = checkClaims(event.requestContext.authorizer?.jwt?.claims, {
        ...(env[CONSOLE_ENV.clientId] ? { clientId: env[CONSOLE_ENV.clientId] } : {}),
        group: env[CONSOLE_ENV.group] || DEFAULT_CONSOLE_GROUP,
        nowMs: now(),
      });
      const method = event.requestContext.http.method.toUpperCase();
      const parts = event.rawPath.split('/').filter((p) => p !== '');
      if (parts[0] !== 'api') throw new HttpError(404, 'no such route');
      const route = parts.slice(1);
      const actor = (): Actor => ({ by: who, at: now() });
      const deps = setUp();
      const q = (event.queryStringParameters ?? {}) as Record<string, string | undefined>;

      if (method === 'GET' && route.length === 1 && route[0] === 'me') return json(200, { user: who });
      if (method === 'GET' && route.length === 1 && route[0] === 'model') return json(200, { model: await deps.readModel() });
      if (method === 'GET' && route.length === 1 && route[0] === 'devices') {
        const devices = await deps.store.listDevices();
        return json(200, { devices: devices.sort((a, b) => (a.label ?? a.deviceId).localeCompare(b.label ?? b.deviceId)) });
      }
      if (method === 'GET' && route.length === 1 && route[0] === 'alerts')
        return json(200, { alerts: await deps.store.listAlerts(alertFilter(q)) });
      if (route[0] === 'alerts' && route.length >= 2) {
        const id = decodeSegment(route[1]);
        if (method === 'GET' && route.length === 2) {
          const alert = await deps.store.getAlert(id);
          // Episodes (rhythm, technical) have no snippet.
          return json(200, { alert, snippet: alert.snippetKey ? await deps.readSnippet(alert.snippetKey) : null });
        }
        if (method === 'POST' && route.length === 3 && route[2] === 'ack') {
          const out = await deps.store.acknowledge(id, actor());
          return json(200, out);
        }
        if (method === 'POST' && route.length === 3 && route[2] === 'label') {
          const body = bodyOf(event);
          if (typeof body.value !== 'boolean') throw new HttpError(400, 'value must be true (a true alarm) or false (a false alarm)');
          const note = body.note ?? '';
          if (typeof note !== 'string' || note.length > MAX_NOTE_CHARS)
            throw new HttpError(400, `note must be a string of at most ${MAX_NOTE_CHARS} characters`);
          return json(200, await deps.store.label(id, body.value, note.trim(), actor()));
        }
      }
      if (method === 'POST' && route[0] === 'devices' && route.length === 3 && route[2] === 'snooze') {
        const deviceId = decodeSegment(route[1]);
        const body = bodyOf(event);
        let until: number;
        if (body.until !== undefined) {
          if (typeof body.until !== 'number' || !Number.isSafeInteger(body.until) || body.until < 0)
            throw new HttpError(400, 'until must be epoch milliseconds');
          if (body.until > now() + MAX_SNOOZE_MINUTES * 60_000)
            throw new HttpError(400, `a snooze lasts at most ${MAX_SNOOZE_MINUTES} minutes`);
          until = body.until;
        } else {
          const m = body.minutes;
          if (typeof m !== 'number' || !Number.isInteger(m) || m < 0 || m > MAX_SNOOZE_MINUTES)
            throw new HttpError(400, `minutes must be an integer from 0 (unsnooze) to ${MAX_SNOOZE_MINUTES}`);
          // Rounded to the minute so that a retried click within the minute is the same snooze.
          until = m === 0 ? 0 : Math.ceil((now() + m * 60_000) / 60_000) * 60_000;
        }
        return json(200, await deps.store.snooze(deviceId, until, actor()));
      }
      throw new HttpError(404, 'no such route');
    } catch (err) {
      if (err instanceof HttpError) return json(err.status, { error: err.message });
      if (err instanceof NotFoundError) return json(404, { error: err.message });
      console.error(JSON.stringify({ level: 'ERROR', message: 'console api failed', error: (err as Error).name }));
      return json(500, { error: 'internal error' });
    }
  };
}

/** The Lambda entry point (`functions/console-api.handler`). */
export const handler = createConsoleApiHandler();
