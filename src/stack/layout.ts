/**
 * Where everything of a stack lives inside its folder. One `logs/` folder holds every service's
 * log; `run/` holds pid files; `state.json` describes the running stack. Data (`pg/`, `kafka/`, `s3/`,
 * `mongo/`) stays across `down`/`up` until `down --purge`.
 */
import * as path from 'node:path';

export type ServiceName = 'postgres' | 'kafka' | 'connect' | 's3' | 'mongo';
/** Always started. */
export const CORE_SERVICES: readonly ServiceName[] = ['postgres', 'kafka', 'connect'];
/** Every service, in the order `down` stops them (PostgreSQL last: Connect holds its slots). */
export const SERVICES: readonly ServiceName[] = ['connect', 'kafka', 's3', 'mongo', 'postgres'];

/** Each set of jars has its own folder (see jars.ts). */
export type JarSet = 'core' | 's3' | 'mongo';

export interface StackLayout {
  dir: string;
  /** The core jars (Kafka, Connect, Debezium); `lib/plugins` is Connect's plugin.path. */
  lib: string;
  plugins: string;
  libMarker: string;
  conf: string;
  logs: string;
  run: string;
  pgRoot: string;
  pgData: string;
  pgSocket: string;
  kafkaData: string;
  /** S3Proxy's folder: one subfolder per bucket, one file per object. */
  s3Data: string;
  /** mongo-java-server's H2 MVStore file. */
  mongoFile: string;
  stateFile: string;
  lockFile: string;
  log(service: ServiceName | 'maven'): string;
  pidFile(service: ServiceName): string;
  libOf(set: JarSet): string;
}

export function stackLayout(dir: string): StackLayout {
  const logs = path.join(dir, 'logs');
  const run = path.join(dir, 'run');
  const pgRoot = path.join(dir, 'pg');
  return {
    dir,
    lib: path.join(dir, 'lib'),
    plugins: path.join(dir, 'lib', 'plugins'),
    libMarker: path.join(dir, 'lib', '.complete'),
    conf: path.join(dir, 'conf'),
    logs,
    run,
    pgRoot,
    pgData: path.join(pgRoot, 'data'),
    pgSocket: path.join(pgRoot, 'socket'),
    kafkaData: path.join(dir, 'kafka'),
    s3Data: path.join(dir, 's3'),
    mongoFile: path.join(dir, 'mongo', 'data.mv'),
    stateFile: path.join(dir, 'state.json'),
    lockFile: path.join(run, 'up.lock'),
    log: (service) => path.join(logs, `${service}.log`),
    pidFile: (service) => path.join(run, `${service}.pid`),
    libOf: (set) => path.join(dir, set === 'core' ? 'lib' : `lib-${set}`),
  };
}
