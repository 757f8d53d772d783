/**
 * Starts the whole stack and waits until it is ready, or reuses a healthy one already running at
 * the same ports. PostgreSQL starts while the broker's storage is formatted; the broker and the
 * Connect worker then start together (Connect waits for the cluster by itself). When any service
 * fails, everything started here is stopped again and the error carries that service's log tail.
 */
import * as fs from 'node:fs';
import { CdcError, InterruptedError } from '../errors';
import { stackDown } from './down';
import { ensureJars, jarsCached } from './jars';
import { formatStorage, newClusterId, startJava, waitForBroker, waitForConnect } from './kafka';
import { SERVICES, stackLayout, type ServiceName, type StackLayout } from './layout';
import { acquireLock } from './lock';
import { initCluster, postgresVersion, startPostgres } from './postgres';
import { findTools } from './prereqs';
import { portOpen } from './processes';
import { stackUrls, type StackPorts, type StackSettings } from './settings';
import { readState, writeState, type StackState } from './state';
import { livePid, stackStatus } from './status';
import { ensureTargetDatabase } from './target';
import { pinnedVersions, renderConfigs } from './templates';

export type UpStep = 'checking' | 'jars' | 'starting' | 'ready';

export interface UpOptions {
  env: NodeJS.ProcessEnv;
  /** Keep the data of the previous run instead of a fresh cluster. */
  keepData?: boolean;
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
  mavenRan: boolean;
  seconds: number;
  state: StackState;
}

const PORT_NAMES: Record<keyof StackPorts, string> = { pg: 'PostgreSQL', kafka: 'Kafka', controller: 'KRaft controller', connect: 'Kafka Connect' };

async function busyPorts(ports: StackPorts): Promise<string[]> {
  const busy: string[] = [];
  for (const key of Object.keys(ports) as (keyof StackPorts)[]) {
    if (await portOpen(ports[key], 500)) busy.push(`${PORT_NAMES[key]} port ${ports[key]}`);
  }
  return busy;
}

export async function stackUp(settings: StackSettings, options: UpOptions): Promise<UpResult> {
  const began = Date.now();
  const progress = options.onProgress ?? (() => {});
  const layout = stackLayout(settings.dir);
  for (const dir of [layout.dir, layout.logs, layout.run, layout.conf]) fs.mkdirSync(dir, { recursive: true });
  const release = await acquireLock(layout.lockFile, 300_000);
  try {
    progress('checking', 'looking for a running stack');
    const current = await stackStatus(settings);
    if (current.state === 'running') {
      // A stack started before the target database existed gets it now.
      await ensureTargetDatabase(layout, current.urls.pgUrl);
      const state = reusedState(settings, layout, current.startedAt, options.owner ?? 'cli');
      return { reused: true, mavenRan: false, seconds: (Date.now() - began) / 1000, state };
    }
    // Leftovers of our own (a crashed run) go first; anything else on our ports is a conflict.
    if (SERVICES.some((s) => livePid(settings, s) !== null)) {
      await stackDown(settings.dir, settings.ports, options.env);
    }
    const busy = await busyPorts(settings.ports);
    if (busy.length > 0) {
      throw new CdcError(`cannot start the stack: ${busy.join(', ')} already in use by another program`, {
        hint: 'choose other ports with --pg-port/--kafka-port/--controller-port/--connect-port (or CDC_STACK_*_PORT)',
      });
    }
    const tools = findTools(options.env, { needMaven: !jarsCached(layout) });
    progress('jars', jarsCached(layout) ? 'jars cached' : 'downloading Kafka, Connect and Debezium jars with Maven (first run only)');
    const mavenRan = await ensureJars(layout, { mvn: tools.mvn });
    renderConfigs(layout, settings.ports);
    if (!options.keepData) fs.rmSync(layout.kafkaData, { recursive: true, force: true });

    progress('starting', 'starting PostgreSQL, Kafka and Kafka Connect');
    const urls = stackUrls(settings.ports);
    const timeoutMs = options.timeoutMs ?? 120_000;
    const pids: Partial<Record<ServiceName, number>> = {};
    // When one service fails, the other stops waiting (fail fast); Ctrl-C stops both.
    const stopWaiting = new AbortController();
    options.signal?.addEventListener('abort', () => stopWaiting.abort(), { once: true });
    const failFast = (err: unknown): never => {
      stopWaiting.abort();
      throw err;
    };
    const outcomes = await Promise.allSettled([
      (async () => {
        await initCluster(layout, tools.pgBin, Boolean(options.keepData));
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
      urls,
      pids: pids as Record<ServiceName, number>,
      versions: { ...pinnedVersions(), postgres: await postgresVersion(tools.pgBin, layout.log('postgres')) },
      logs: layout.logs,
    };
    writeState(layout, state);
    progress('ready', 'stack ready');
    return { reused: false, mavenRan, seconds: (Date.now() - began) / 1000, state };
  } finally {
    release();
  }
}

/**
 * The state of a stack found running. A user's `cdc stack up` adopts a stack a test run started,
 * so that the run's teardown leaves it alone.
 */
function reusedState(settings: StackSettings, layout: StackLayout, startedAt: string | null, owner: 'cli' | 'tests'): StackState {
  const recorded = readState(layout);
  if (recorded && recorded.ports.pg === settings.ports.pg && recorded.ports.connect === settings.ports.connect) {
    // URLs are derived again: a state written by an older cdc may lack one (the target's).
    const state: StackState = { ...recorded, urls: stackUrls(recorded.ports), owner: owner === 'cli' ? 'cli' : recorded.owner };
    if (JSON.stringify(state) !== JSON.stringify(recorded)) writeState(layout, state);
    return state;
  }
  const pids = { postgres: livePid(settings, 'postgres') ?? 0, kafka: livePid(settings, 'kafka') ?? 0, connect: livePid(settings, 'connect') ?? 0 };
  return {
    startedAt: startedAt ?? 'unknown',
    // Not recorded in this folder: started elsewhere, never ours to stop.
    owner: 'cli',
    dir: settings.dir,
    ports: settings.ports,
    urls: stackUrls(settings.ports),
    pids,
    versions: { ...pinnedVersions(), postgres: 'unknown' },
    logs: layout.logs,
  };
}
