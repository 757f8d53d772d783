/**
 * Starts the whole stack and waits until it is ready, or reuses a healthy one already running at
 * the same ports (starting only the extras it lacks). PostgreSQL starts while the broker's storage
 * is formatted; the broker, the Connect worker and the extras then start together (Connect waits
 * for the cluster by itself). Data of an earlier run is kept and described. When any service
 * fails, everything started here is stopped again and the error carries that service's log tail.
 */
import * as fs from 'node:fs';
import { CdcError, InterruptedError } from '../errors';
import { stackDown } from './down';
import { startExtra, waitForExtra } from './extras';
import { ensureJars, jarsCached } from './jars';
import { formatStorage, newClusterId, startJava, waitForBroker, waitForConnect } from './kafka';
import { checkControllerPort, describeKept, keptServices, type KeptData } from './kept';
import { CORE_SERVICES, SERVICES, stackLayout, type JarSet, type ServiceName, type StackLayout } from './layout';
import { acquireLock } from './lock';
import { initCluster, postgresVersion, startPostgres } from './postgres';
import { findTools, type Tools } from './prereqs';
import { portOpen, stopProcess } from './processes';
import { stackUrls, type ExtraService, type StackPorts, type StackSettings } from './settings';
import { readState, writeState, type StackState } from './state';
import { livePid, stackStatus } from './status';
import { ensureTargetDatabase } from './target';
import { pinnedVersions, renderConfigs } from './templates';

export type UpStep = 'checking' | 'jars' | 'starting' | 'ready';

export interface UpOptions {
  env: NodeJS.ProcessEnv;
  /** Per-service readiness timeout. */
  timeoutMs?: number;
  onProgress?: (step: UpStep, detail: string) => void;
  /** `tests` when a test run starts it (see clients.ts); default `cli`. */
  owner?: 'cli' | 'tests';
  /** Aborting (Ctrl-C) stops the waiting, stops what was started and throws InterruptedError. */
  signal?: AbortSignal;
}

export interface UpResult {
  reused: boolean;
  /** Extras started now beside a running stack that was reused. */
  added: ExtraService[];
  /** Data of an earlier run that the services started on (empty for a fresh stack or a reuse). */
  kept: KeptData[];
  mavenRan: boolean;
  seconds: number;
  state: StackState;
}

const PORT_NAMES: Record<keyof StackPorts, string> = {
  pg: 'PostgreSQL', kafka: 'Kafka', controller: 'KRaft controller', connect: 'Kafka Connect', s3: 'S3', mongo: 'MongoDB',
};
const PORT_OF: Record<ServiceName, (keyof StackPorts)[]> = { postgres: ['pg'], kafka: ['kafka', 'controller'], connect: ['connect'], s3: ['s3'], mongo: ['mongo'] };

async function refuseBusyPorts(ports: StackPorts, services: ServiceName[]): Promise<void> {
  const busy: string[] = [];
  for (const key of services.flatMap((s) => PORT_OF[s])) {
    if (await portOpen(ports[key], 500)) busy.push(`${PORT_NAMES[key]} port ${ports[key]}`);
  }
  if (busy.length > 0) {
    throw new CdcError(`cannot start the stack: ${busy.join(', ')} already in use by another program`, {
      hint: 'choose other ports with --pg-port/--kafka-port/--controller-port/--connect-port/--s3-port/--mongo-port (or CDC_STACK_*_PORT)',
    });
  }
}

/** Tools, and the jars of the core and of each extra asked for (Maven only for what is not cached). */
async function prepare(layout: StackLayout, settings: StackSettings, options: UpOptions, core: boolean): Promise<{ tools: Tools; mavenRan: boolean }> {
  const sets: JarSet[] = [...(core ? ['core' as const] : []), ...settings.with];
  const uncached = sets.filter((set) => !jarsCached(layout, set));
  const tools = findTools(options.env, { needMaven: uncached.length > 0, needJavac: uncached.includes('mongo') });
  options.onProgress?.('jars', uncached.length === 0 ? 'jars cached' : `downloading the ${uncached.join(', ')} jars with Maven (first run only)`);
  let mavenRan = false;
  for (const set of sets) mavenRan = (await ensureJars(layout, tools, set)) || mavenRan;
  renderConfigs(layout, settings.ports);
  return { tools, mavenRan };
}

async function startExtras(layout: StackLayout, settings: StackSettings, java: string, extras: ExtraService[], pids: Partial<Record<ServiceName, number>>, timeoutMs: number, signal: AbortSignal): Promise<void> {
  const urls = stackUrls(settings.ports, extras);
  await Promise.all(extras.map(async (service) => {
    const pid = (pids[service] = startExtra(layout, java, service, settings.ports[service]));
    await waitForExtra(layout, service, pid, service === 's3' ? urls.s3Url! : urls.mongoUrl!, timeoutMs, signal);
  }));
}

export async function stackUp(settings: StackSettings, options: UpOptions): Promise<UpResult> {
  const began = Date.now();
  const progress = options.onProgress ?? (() => {});
  const layout = stackLayout(settings.dir);
  for (const dir of [layout.dir, layout.logs, layout.run, layout.conf]) fs.mkdirSync(dir, { recursive: true });
  const release = await acquireLock(layout.lockFile, 300_000);
  const timeoutMs = options.timeoutMs ?? 120_000;
  try {
    progress('checking', 'looking for a running stack');
    const current = await stackStatus(settings);
    if (CORE_SERVICES.every((name) => current.services.find((s) => s.service === name)?.healthy)) {
      // A stack started before the target database existed gets it now.
      await ensureTargetDatabase(layout, current.urls.pgUrl);
      const added = settings.with.filter((name) => !current.services.find((s) => s.service === name)?.healthy);
      const pids: Partial<Record<ServiceName, number>> = {};
      let mavenRan = false;
      if (added.length > 0) {
        for (const name of added) {
          const stale = livePid(settings, name);
          if (stale !== null) await stopProcess(stale, 10_000);
        }
        await refuseBusyPorts(settings.ports, added);
        const prepared = await prepare(layout, settings, options, false);
        mavenRan = prepared.mavenRan;
        progress('starting', `starting ${added.join(' and ')} beside the running stack`);
        const stop = new AbortController();
        options.signal?.addEventListener('abort', () => stop.abort(), { once: true });
        await startExtras(layout, settings, prepared.tools.java, added, pids, timeoutMs, stop.signal).catch(async (err: unknown) => {
          for (const pid of Object.values(pids)) if (pid) await stopProcess(pid, 10_000);
          throw err;
        });
      }
      const state = reusedState(settings, layout, current.startedAt, options.owner ?? 'cli', pids);
      return { reused: true, added, kept: [], mavenRan, seconds: (Date.now() - began) / 1000, state };
    }
    // Leftovers of our own (a crashed run) go first; anything else on our ports is a conflict.
    if (SERVICES.some((s) => livePid(settings, s) !== null)) await stackDown(settings.dir, settings.ports, options.env);
    await refuseBusyPorts(settings.ports, [...CORE_SERVICES, ...settings.with]);
    const { tools, mavenRan } = await prepare(layout, settings, options, true);
    const kept = keptServices(layout, settings);
    checkControllerPort(layout, settings, kept.includes('kafka'));

    progress('starting', `starting PostgreSQL, Kafka, Kafka Connect${settings.with.map((e) => `, ${e}`).join('')}${kept.length ? ' on the kept data' : ''}`);
    const urls = stackUrls(settings.ports, settings.with);
    const pids: Partial<Record<ServiceName, number>> = {};
    // When one service fails, the others stop waiting (fail fast); Ctrl-C stops all.
    const stopWaiting = new AbortController();
    options.signal?.addEventListener('abort', () => stopWaiting.abort(), { once: true });
    const failFast = (err: unknown): never => {
      stopWaiting.abort();
      throw err;
    };
    const outcomes = await Promise.allSettled([
      (async () => {
        await initCluster(layout, tools.pgBin, true);
        pids.postgres = await startPostgres(layout, tools.pgBin, settings.ports.pg);
        await ensureTargetDatabase(layout, urls.pgUrl);
      })().catch(failFast),
      (async () => {
        await formatStorage(layout, tools.java, newClusterId());
        const kafkaPid = (pids.kafka = startJava(layout, tools.java, 'kafka'));
        const connectPid = (pids.connect = startJava(layout, tools.java, 'connect'));
        await waitForBroker(layout, kafkaPid, settings.ports.kafka, timeoutMs, stopWaiting.signal);
        await waitForConnect(layout, connectPid, urls.connectUrl, timeoutMs, stopWaiting.signal);
      })().catch(failFast),
      startExtras(layout, settings, tools.java, settings.with, pids, timeoutMs, stopWaiting.signal).catch(failFast),
    ]);
    const failures = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as unknown] : []));
    if (failures.length > 0) {
      await stackDown(settings.dir, settings.ports, options.env).catch(() => undefined);
      // The service that failed, not the one we stopped waiting for (unless the user interrupted).
      throw (options.signal?.aborted ? undefined : failures.find((f) => !(f instanceof InterruptedError))) ?? failures[0];
    }
    const state: StackState = {
      startedAt: new Date().toISOString(),
      owner: options.owner ?? 'cli',
      dir: settings.dir,
      ports: settings.ports,
      with: settings.with,
      urls,
      pids,
      versions: { ...pinnedVersions(), postgres: await postgresVersion(tools.pgBin, layout.log('postgres')) },
      logs: layout.logs,
    };
    writeState(layout, state);
    const keptData = await describeKept(kept, layout, urls);
    progress('ready', 'stack ready');
    return { reused: false, added: [], kept: keptData, mavenRan, seconds: (Date.now() - began) / 1000, state };
  } finally {
    release();
  }
}

/**
 * The state of a stack found running, with the extras just added. A user's `cdc stack up` adopts a
 * stack a test run started, so that the run's teardown leaves it alone.
 */
function reusedState(settings: StackSettings, layout: StackLayout, startedAt: string | null, owner: 'cli' | 'tests', added: Partial<Record<ServiceName, number>>): StackState {
  const recorded = readState(layout);
  if (recorded && recorded.ports.pg === settings.ports.pg && recorded.ports.connect === settings.ports.connect) {
    const extras = [...new Set([...(recorded.with ?? []), ...settings.with])];
    const ports = { ...recorded.ports, s3: settings.ports.s3, mongo: settings.ports.mongo };
    // URLs are derived again: a state written by an older cdc may lack one (the target's).
    const state: StackState = {
      ...recorded, ports, with: extras, urls: stackUrls(ports, extras), pids: { ...recorded.pids, ...added },
      owner: owner === 'cli' ? 'cli' : recorded.owner,
    };
    if (JSON.stringify(state) !== JSON.stringify(recorded)) writeState(layout, state);
    return state;
  }
  const pids = Object.fromEntries([...CORE_SERVICES, ...settings.with].map((s) => [s, livePid(settings, s) ?? 0]));
  return {
    startedAt: startedAt ?? 'unknown',
    // Not recorded in this folder: started elsewhere, never ours to stop.
    owner: 'cli',
    dir: settings.dir,
    ports: settings.ports,
    with: settings.with,
    urls: stackUrls(settings.ports, settings.with),
    pids,
    versions: { ...pinnedVersions(), postgres: 'unknown' },
    logs: layout.logs,
  };
}
