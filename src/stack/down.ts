/**
 * Stops every process of a stack (Connect, then the broker, then PostgreSQL) by pid file, checks
 * that none is left and that the ports are free, and removes state.json. Data and logs stay for a
 * look afterwards; the next `up` starts from a fresh cluster.
 */
import * as fs from 'node:fs';
import { stackLayout, type ServiceName } from './layout';
import { processMarker } from './kafka';
import { postmasterPid, stopPostgres } from './postgres';
import { findPgBin } from './prereqs';
import { isAlive, isOurProcess, portOpen, readPid, stopProcess, waitUntil } from './processes';
import type { StackPorts } from './settings';
import { removeState } from './state';

export interface StopResult {
  service: ServiceName;
  pid: number | null;
  outcome: 'stopped' | 'killed' | 'not running';
}

export interface DownResult {
  stopped: StopResult[];
  /** Ports still accepting connections afterwards: something not started by this stack. */
  portsInUse: number[];
}

async function stopJava(dir: string, service: 'kafka' | 'connect'): Promise<StopResult> {
  const layout = stackLayout(dir);
  const pid = readPid(layout.pidFile(service));
  fs.rmSync(layout.pidFile(service), { force: true });
  if (pid === undefined || !isOurProcess(pid, processMarker(layout, service))) return { service, pid: null, outcome: 'not running' };
  // Connect commits offsets and leaves its group; the broker shuts down its controller cleanly.
  return { service, pid, outcome: await stopProcess(pid, 30_000) };
}

async function stopPg(dir: string, env: NodeJS.ProcessEnv): Promise<StopResult> {
  const layout = stackLayout(dir);
  fs.rmSync(layout.pidFile('postgres'), { force: true });
  const pid = postmasterPid(layout);
  // A stale postmaster.pid (after a reboot) may name a pid now used by an unrelated process.
  if (pid === undefined || !isOurProcess(pid, layout.pgData)) return { service: 'postgres', pid: null, outcome: 'not running' };
  const pgBin = findPgBin(env);
  if (pgBin && (await stopPostgres(layout, pgBin)) && (await waitUntil(() => !isAlive(pid), 10_000, 100))) {
    return { service: 'postgres', pid, outcome: 'stopped' };
  }
  return { service: 'postgres', pid, outcome: await stopProcess(pid, 10_000) };
}

export async function stackDown(dir: string, ports: StackPorts, env: NodeJS.ProcessEnv): Promise<DownResult> {
  const stopped = [await stopJava(dir, 'connect'), await stopJava(dir, 'kafka'), await stopPg(dir, env)];
  removeState(stackLayout(dir));
  const portsInUse: number[] = [];
  for (const port of Object.values(ports)) {
    // A port can linger for a moment after its process exits.
    const free = await waitUntil(async () => !(await portOpen(port, 500)), 3_000, 200);
    if (!free) portsInUse.push(port);
  }
  return { stopped, portsInUse };
}
