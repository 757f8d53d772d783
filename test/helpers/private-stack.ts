/**
 * For tests that need a broker of their own (restarting it, or secured listeners) beside the
 * shared stack: free ports, and a temporary stack folder that borrows the shared stack's jars.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { stackLayout, type StackLayout } from '../../src/stack/layout';
import { stackUrls } from './stack';

/** Ports the OS hands out as free, held until all are known so that they differ. */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<net.Server>((resolve, reject) => {
          const server = net.createServer();
          server.on('error', reject);
          server.listen(0, '127.0.0.1', () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((server) => (server.address() as net.AddressInfo).port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

/** A new temporary stack folder whose lib/ links to the shared stack's jars (no second download). */
export function privateStackFolder(prefix: string): { dir: string; layout: StackLayout } {
  stackUrls(); // fails with a clear message when no stack is known
  const shared = stackLayout(process.env.CDC_STACK_DIR || path.resolve(__dirname, '../../.stack'));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const layout = stackLayout(dir);
  fs.symlinkSync(shared.lib, layout.lib);
  fs.mkdirSync(layout.logs, { recursive: true });
  fs.mkdirSync(layout.run, { recursive: true });
  return { dir, layout };
}
