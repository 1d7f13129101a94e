import { createServer } from 'node:net';

/**
 * Asks the OS for a TCP port that is free right now on `host` (binds port 0, reads the port,
 * closes). Another process could take it before the caller binds it, so callers that spawn a
 * server on it retry on a bind failure.
 *
 * @example
 * const port = await findFreePort();
 */
export function findFreePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ port: 0, host, exclusive: true }, () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error('could not read the port the OS assigned'));
        return;
      }
      server.close(() => resolve(address.port));
    });
  });
}
