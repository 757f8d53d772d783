/**
 * Test runs that use a stack. A stack started by a test run is stopped by the last run still using
 * it, never under another run's feet; a stack started with `cdc stack up` is never stopped by
 * tests. Each run registers its pid before `stackUp` and unregisters under the up-lock, so a
 * check-then-stop cannot race with another run's reuse.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { StackLayout } from './layout';
import { isAlive } from './processes';

function clientsDir(layout: StackLayout): string {
  return path.join(layout.run, 'clients');
}

export function registerClient(layout: StackLayout, pid = process.pid): void {
  fs.mkdirSync(clientsDir(layout), { recursive: true });
  fs.writeFileSync(path.join(clientsDir(layout), String(pid)), '');
}

export function unregisterClient(layout: StackLayout, pid = process.pid): void {
  fs.rmSync(path.join(clientsDir(layout), String(pid)), { force: true });
}

/** Pids of other live test runs using the stack; entries of dead runs are removed. */
export function otherClients(layout: StackLayout, pid = process.pid): number[] {
  let names: string[];
  try {
    names = fs.readdirSync(clientsDir(layout));
  } catch {
    return [];
  }
  const live: number[] = [];
  for (const name of names) {
    const other = Number(name);
    if (other === pid) continue;
    if (Number.isInteger(other) && other > 0 && isAlive(other)) live.push(other);
    else fs.rmSync(path.join(clientsDir(layout), name), { force: true });
  }
  return live;
}
