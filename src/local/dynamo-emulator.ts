/**
 * DynamoDB for the local stack: dynalite (npm, in memory), in process, on loopback only. It
 * keeps the alert state table of the console (`src/aws/alert-state-store.ts`) and enforces
 * conditional writes as DynamoDB does, which is what the acknowledgement rules rely on.
 */
import { createRequire } from 'node:module';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The running emulator. */
export interface DynamoEmulator {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  /** Closes the server; its tables are gone afterwards. Idempotent. */
  stop(): Promise<void>;
}

type Dynalite = (options: { createTableMs?: number; deleteTableMs?: number; updateTableMs?: number }) => Server;

/**
 * Starts dynalite on 127.0.0.1 at a free port, tables created at once (no CREATING delay).
 *
 * @example
 * const dynamo = await startDynamoEmulator();
 * const client = createDynamoClient({ endpoint: dynamo.endpoint });
 * await dynamo.stop();
 */
export async function startDynamoEmulator(): Promise<DynamoEmulator> {
  // dynalite ships no types and is CommonJS: required, typed by what we use of it.
  const dynalite = createRequire(import.meta.url)('dynalite') as Dynalite;
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  let stopped: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections?.();
      });
      return stopped;
    },
  };
}
