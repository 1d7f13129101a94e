import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKinesisEmulator, type KinesisEmulator } from '../../src/local/kinesis-emulator';

/** This machine's own non-loopback IPv4 addresses (never another host's). */
const ownAddresses = Object.values(networkInterfaces())
  .flat()
  .filter((a) => a !== undefined && a.family === 'IPv4' && !a.internal)
  .map((a) => (a as { address: string }).address);

/** Resolves 'open' or the connect error code, on this machine only. */
function tryConnect(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 2000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve('open');
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve('timeout');
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
  });
}

describe('kinesis-local listens on the loopback interface only', () => {
  let kinesis: KinesisEmulator;
  beforeAll(async () => {
    kinesis = await startKinesisEmulator();
  });
  afterAll(async () => {
    await kinesis?.stop();
  });

  it("answers on 127.0.0.1, refuses its plain and TLS ports on this machine's other addresses", async () => {
    const plain = Number(new URL(kinesis.endpoint).port);
    expect(await tryConnect('127.0.0.1', plain)).toBe('open');
    expect(await tryConnect('127.0.0.1', kinesis.tlsPort)).toBe('open');
    if (ownAddresses.length === 0) return; // a machine with loopback only: nothing else to reach it by
    for (const address of ownAddresses) {
      expect(await tryConnect(address, plain), address).toBe('ECONNREFUSED');
      expect(await tryConnect(address, kinesis.tlsPort), address).toBe('ECONNREFUSED');
    }
  });
});
