/**
 * Stops every process of a stack (Connect, the broker, the extras, then PostgreSQL) by pid file,
 * checks that none is left and that the ports are free, and removes state.json. Data stays for the
 * next `up` (as docker compose keeps named volumes) unless `purge` wipes it; logs always stay.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { extraMarker } from './extras';
import { processMarker } from './kafka';
import { SERVICES, stackLayout, type ServiceName, type StackLayout } from './layout';
import { postmasterPid, stopPostgres } from './postgres';
import { findPgBin } from './prereqs';
import { isAlive, isOurProcess, portOpen, readPid, stopProcess, waitUntil } from './processes';
import type { StackPorts } from './settings';
import { readState, removeState } from './state';

export interface StopResult {
  service: ServiceName;
  pid: number | null;
  outcome: 'stopped' | 'killed' | 'not running';
}

export interface DownResult {
  /** One entry per core service, and per extra that was running or recorded. */
  stopped: StopResult[];
  /** Ports still accepting connections afterwards: something not started by this stack. */
  portsInUse: number[];
  /** The data folders removed by `purge` (empty without it). */
  purged: string[];
}

async function stopJava(layout: StackLayout, service: Exclude<ServiceName, 'postgres'>): Promise<StopResult> {
  const pid = readPid(layout.pidFile(service));
  fs.rmSync(layout.pidFile(service), { force: true });
  const marker = service === 's3' || service === 'mongo' ? extraMarker(layout, service) : processMarker(layout, service);
  if (pid === undefined || !isOurProcess(pid, marker)) return { service, pid: null, outcome: 'not running' };
  // Connect commits offsets and leaves its group; the broker shuts down its controller cleanly;
  // mongo-java-server closes its MVStore file.
  return { service, pid, outcome: await stopProcess(pid, 30_000) };
}

async function stopPg(layout: StackLayout, env: NodeJS.ProcessEnv): Promise<StopResult> {
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

const PORT_OF: Record<ServiceName, keyof StackPorts> = { postgres: 'pg', kafka: 'kafka', connect: 'connect', s3: 's3', mongo: 'mongo' };

/** The data folders `purge` removes: each service's data, never the jars, configs or logs. */
export function dataFolders(layout: StackLayout): string[] {
  return [layout.pgRoot, layout.kafkaData, layout.s3Data, path.dirname(layout.mongoFile)];
}

export async function stackDown(dir: string, ports: StackPorts, env: NodeJS.ProcessEnv, options: { purge?: boolean } = {}): Promise<DownResult> {
  const layout = stackLayout(dir);
  const recorded = readState(layout)?.with ?? [];
  const stopped: StopResult[] = [];
  for (const service of SERVICES) {
    const result = service === 'postgres' ? await stopPg(layout, env) : await stopJava(layout, service);
    const extra = service === 's3' || service === 'mongo';
    if (!extra || result.outcome !== 'not running' || recorded.includes(service)) stopped.push(result);
  }
  removeState(layout);
  const portsInUse: number[] = [];
  const checked = [...stopped.map((s) => ports[PORT_OF[s.service]]), ports.controller];
  for (const port of checked) {
    // A port can linger for a moment after its process exits.
    const free = await waitUntil(async () => !(await portOpen(port, 500)), 3_000, 200);
    if (!free) portsInUse.push(port);
  }
  const purged: string[] = [];
  if (options.purge) {
    for (const folder of dataFolders(layout)) {
      if (!fs.existsSync(folder)) continue;
      fs.rmSync(folder, { recursive: true, force: true });
      purged.push(folder);
    }
  }
  return { stopped, portsInUse, purged };
}
