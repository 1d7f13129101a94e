import { connect, createServer, type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { findFreePort } from '../../src/local/free-port';
import { startServiceProcess, waitUntilReady } from '../../src/local/service-process';

describe('service processes', () => {
  it('reports a child that dies before it is ready with its exit code and output', async () => {
    const s = startServiceProcess({
      name: 'doomed',
      module: 'commonjs',
      script: "process.stderr.write('bind failed: EADDRINUSE\\n'); process.exit(3);",
    });
    await expect(waitUntilReady(s, async () => false, 10_000)).rejects.toThrow(
      /doomed exited \(3\) before it was ready; its output:\nbind failed: EADDRINUSE/,
    );
  });

  it('times out naming the service when it never becomes ready', async () => {
    const s = startServiceProcess({ name: 'sleepy', module: 'commonjs', script: 'setInterval(() => {}, 1000);' });
    await expect(waitUntilReady(s, async () => false, 300, 20)).rejects.toThrow(/sleepy was not ready within 300 ms/);
    await s.stop();
    expect(s.hasExited()).toBe(true);
  });

  it('ends a child through its stdin lifeline even when it ignores SIGTERM', async () => {
    // A child that ignores SIGTERM: only the lifeline (stdin closing) can end it gracefully.
    const s = startServiceProcess({
      name: 'stubborn',
      module: 'esm',
      script: "process.on('SIGTERM', () => {}); setInterval(() => {}, 1000); process.stdout.write('up\\n');",
      onLine: () => undefined,
    });
    await waitUntilReady(s, async () => s.outputTail().includes('up'), 10_000, 10);
    await s.stop(10_000);
    // Exit code 0 from the lifeline, not SIGKILL from the grace timeout.
    expect(await s.exited).toBe(0);
  });

  it('finds a port nobody listens on: connecting is refused, binding it succeeds, a taken port is never returned', async () => {
    const port = await findFreePort();
    expect(Number.isInteger(port) && port > 0 && port < 65536).toBe(true);
    // Nobody listens (findFreePort closed its own probe server): a connection is refused.
    const refused = await new Promise<string>((resolve) => {
      const socket = connect({ port, host: '127.0.0.1' });
      socket.once('connect', () => {
        socket.destroy();
        resolve('connected');
      });
      socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    });
    expect(refused).toBe('ECONNREFUSED');
    // And the caller can bind it, exclusively, on the same host.
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port, host: '127.0.0.1', exclusive: true }, () => resolve());
    });
    try {
      expect((server.address() as AddressInfo).port).toBe(port);
      // While it is taken, it is not offered again.
      const others = await Promise.all(Array.from({ length: 20 }, () => findFreePort()));
      expect(others).not.toContain(port);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
