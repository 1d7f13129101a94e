/**
 * The console served locally (`npm start`): the static page and its script (bundled from
 * `src/view/web` by esbuild at start), the console API handler of `functions/console-api.ts`
 * behind a development login. Loopback only: it binds 127.0.0.1 and refuses requests whose Host
 * is not the loopback address it serves (so a web page elsewhere cannot reach it through DNS
 * rebinding).
 *
 * The development login is marked as such in the page. It has no password: it signs a token
 * (HS256, `jose`) with a key made when the server starts, so tokens die with the process. The
 * API handler then sees the same claims API Gateway's JWT authorizer would hand it.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { jwtVerify, SignJWT } from 'jose';
import { createConsoleApiHandler, DEFAULT_CONSOLE_GROUP, type ConsoleApiEvent } from '../../functions/console-api';
import type { AlertStateStore } from '../aws/alert-state-store';
import type { AlertSnippet } from '../detect';
import type { ModelInfo } from '../aws/model-info';
import type { LocalConsoleConfig } from '../contract';

const WEB = new URL('../view/web/', import.meta.url);
/** Issuer and audience of the development tokens (the handler checks the audience as it would Cognito's app client). */
export const DEV_ISSUER = 'beatwatch-local';
export const DEV_AUDIENCE = 'beatwatch-local-console';
/** The page's `config.json` here: the development login, the API on this origin. */
const LOCAL_CONFIG: LocalConsoleConfig = { mode: 'local' };
/** Largest request body accepted (the API's bodies are a few hundred bytes). */
const MAX_BODY = 16 * 1024;

/** Options of {@link startConsoleServer}. */
export interface ConsoleServerOptions {
  readonly store: AlertStateStore;
  readonly readSnippet: (key: string) => Promise<AlertSnippet | null>;
  /** The model in service (`describeModel` over the local bucket); absent: `GET /api/model` answers null. */
  readonly readModel?: () => Promise<ModelInfo | null>;
  /** Port on 127.0.0.1 (default 0: any free one). */
  readonly port?: number;
}

/** The running console. */
export interface ConsoleServer {
  /** `http://127.0.0.1:<port>/` */
  readonly url: string;
  /** A development token for `name` (what the page's login does). */
  devToken(name: string): Promise<string>;
  /** Verifies a development token; its claims, or null. */
  verify(token: string): Promise<Record<string, unknown> | null>;
  stop(): Promise<void>;
}

/** The browser script: `src/view/web/app.ts` bundled (esbuild, in memory). */
async function bundleApp(): Promise<string> {
  const { build } = await import('esbuild');
  const out = await build({
    entryPoints: [fileURLToPath(new URL('app.ts', WEB))],
    bundle: true,
    write: false,
    format: 'esm',
    target: 'es2022',
    platform: 'browser',
    logLevel: 'silent',
  });
  return out.outputFiles[0].text;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error('body too large'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, type: string, body: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, {
    'content-type': type,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'content-security-policy': "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'",
    ...extra,
  });
  res.end(body);
}

/**
 * Starts the local console on 127.0.0.1.
 *
 * @example
 * const consoleServer = await startConsoleServer({ store: pipeline.alertState, readSnippet });
 * console.error(`console: ${consoleServer.url}`);
 */
export async function startConsoleServer(options: ConsoleServerOptions): Promise<ConsoleServer> {
  const secret = new Uint8Array(randomBytes(32));
  const [html, script] = await Promise.all([Promise.resolve(readFileSync(new URL('index.html', WEB), 'utf8')), bundleApp()]);
  const handler = createConsoleApiHandler({
    store: options.store,
    readSnippet: options.readSnippet,
    readModel: options.readModel ?? (async () => null),
    env: { CONSOLE_CLIENT_ID: DEV_AUDIENCE, CONSOLE_GROUP: DEFAULT_CONSOLE_GROUP },
  });
  const devToken = (name: string) =>
    new SignJWT({ email: `${name} (dev login)`, 'cognito:groups': [DEFAULT_CONSOLE_GROUP], token_use: 'id' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(`dev:${name}`)
      .setIssuer(DEV_ISSUER)
      .setAudience(DEV_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime('12h')
      .sign(secret);
  const verify = async (token: string) => {
    try {
      const { payload } = await jwtVerify(token, secret, { issuer: DEV_ISSUER, audience: DEV_AUDIENCE, algorithms: ['HS256'] });
      return payload as Record<string, unknown>;
    } catch {
      return null;
    }
  };
  let origin = '';
  const server = createServer((req, res) => {
    void (async () => {
      // Loopback only, by Host too: a page elsewhere resolving its own name to 127.0.0.1 is refused.
      const host = req.headers.host ?? '';
      if (host !== origin && host !== origin.replace('127.0.0.1', 'localhost'))
        return send(res, 421, 'text/plain', 'this console answers on its loopback address only');
      const url = new URL(req.url ?? '/', `http://${host}`);
      if (req.method === 'GET' && (url.pathname === '/' || url.pathname === '/index.html'))
        return send(res, 200, 'text/html; charset=utf-8', html);
      if (req.method === 'GET' && url.pathname === '/app.js') return send(res, 200, 'text/javascript; charset=utf-8', script);
      if (req.method === 'GET' && url.pathname === '/config.json') return send(res, 200, 'application/json', JSON.stringify(LOCAL_CONFIG));
      if (req.method === 'POST' && url.pathname === '/auth/dev-login') {
        let name: string;
        try {
          name = String((JSON.parse(await readBody(req)) as { name?: unknown }).name ?? '').trim();
        } catch {
          return send(res, 400, 'application/json', JSON.stringify({ error: 'body must be JSON {"name": "..."}' }));
        }
        if (!/^[\p{L}\p{N} ._-]{1,40}$/u.test(name))
          return send(res, 400, 'application/json', JSON.stringify({ error: 'name: 1-40 letters, digits, spaces, dots, dashes' }));
        return send(res, 200, 'application/json', JSON.stringify({ token: await devToken(name), development: true }));
      }
      if (url.pathname.startsWith('/api/')) {
        const auth = req.headers.authorization ?? '';
        const claims = auth.startsWith('Bearer ') ? await verify(auth.slice(7)) : null;
        let body: string;
        try {
          body = req.method === 'POST' ? await readBody(req) : '';
        } catch {
          return send(res, 413, 'application/json', JSON.stringify({ error: 'body too large' }));
        }
        const event: ConsoleApiEvent = {
          rawPath: url.pathname,
          queryStringParameters: url.search ? Object.fromEntries(url.searchParams) : undefined,
          body,
          isBase64Encoded: false,
          requestContext: {
            http: { method: req.method ?? 'GET' },
            ...(claims ? { authorizer: { jwt: { claims: claims as never } } } : {}),
          },
        };
        const out = await handler(event);
        return send(res, out.statusCode ?? 200, 'application/json', typeof out.body === 'string' ? out.body : '');
      }
      send(res, 404, 'text/plain', 'not found');
    })().catch(() => {
      if (!res.headersSent) send(res, 500, 'text/plain', 'internal error');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  origin = `127.0.0.1:${port}`;
  let stopped: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}/`,
    devToken,
    verify,
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return stopped;
    },
  };
}
