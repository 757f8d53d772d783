/**
 * Stops the stack after the integration suite (passed or failed) when a test run started it and
 * no other test run still uses it. A stack started with `cdc stack up` keeps running.
 */
import { otherClients, unregisterClient } from '../../src/stack/clients';
import { stackDown } from '../../src/stack/down';
import { stackLayout } from '../../src/stack/layout';
import { acquireLock } from '../../src/stack/lock';
import { resolveStackSettings } from '../../src/stack/settings';
import { readState } from '../../src/stack/state';

export async function stopTestStack(): Promise<void> {
  const settings = resolveStackSettings({}, process.env);
  const layout = stackLayout(settings.dir);
  const release = await acquireLock(layout.lockFile, 300_000);
  try {
    unregisterClient(layout);
    const state = readState(layout);
    if (state?.owner !== 'tests' || otherClients(layout).length > 0) return;
    const result = await stackDown(settings.dir, state.ports, process.env);
    const left = result.portsInUse.length > 0 ? `; ports still in use: ${result.portsInUse.join(', ')}` : '';
    process.stderr.write(`[stack] stopped the test stack (${result.stopped.map((s) => `${s.service} ${s.outcome}`).join(', ')})${left}\n`);
  } finally {
    release();
  }
}

export default async function globalTeardown(): Promise<void> {
  await stopTestStack();
}
