/**
 * The jars of each part of the stack, resolved by Maven from a pom under stack/ and copied into a
 * folder of the stack once: `lib/` (Kafka, Connect, Debezium; the JDBC sink's plugin archive is
 * unpacked into lib/plugins/), `lib-s3/` (S3Proxy), `lib-mongo/` (mongo-java-server and our
 * launcher, compiled here). Each set lives apart because S3Proxy's fat jar and mongo-java-server's
 * Netty would clash with the Connect worker's classpath. A marker file holds the hash of the pom,
 * settings and sources: while it matches, no Maven runs at all, so warm starts need no network.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { packageRoot } from '../package-root';
import { StackStartError, tailFile } from './errors';
import type { JarSet, StackLayout } from './layout';
import { runTool } from './run-tool';

export function stackSourceDir(): string {
  return path.join(packageRoot(), 'stack');
}

/** The pom of each set, and any other source file whose change must rebuild the set. */
const SOURCES: Record<JarSet, { pom: string; extra: string[] }> = {
  core: { pom: 'pom.xml', extra: [] },
  s3: { pom: 's3proxy/pom.xml', extra: [] },
  mongo: { pom: 'mongo/pom.xml', extra: ['mongo/CdcMongoServer.java'] },
};

export const MONGO_LAUNCHER_CLASS = 'CdcMongoServer';

function setHash(set: JarSet): string {
  const hash = createHash('sha256');
  const { pom, extra } = SOURCES[set];
  for (const file of [pom, 'settings.xml', ...extra]) hash.update(fs.readFileSync(path.join(stackSourceDir(), file)));
  return hash.digest('hex');
}

export function jarsCached(layout: StackLayout, set: JarSet = 'core'): boolean {
  try {
    return fs.readFileSync(path.join(layout.libOf(set), '.complete'), 'utf8').trim() === setHash(set);
  } catch {
    return false;
  }
}

export interface JarTools {
  mvn?: string;
  /** Only the mongo set needs it (its launcher is compiled once). */
  javac?: string;
}

/** Downloads (or copies from ~/.m2) a set's jars unless cached. Returns whether Maven ran. */
export async function ensureJars(layout: StackLayout, tools: JarTools, set: JarSet = 'core'): Promise<boolean> {
  if (jarsCached(layout, set)) return false;
  const log = layout.log('maven');
  if (!tools.mvn) throw new StackStartError('maven', 'the stack jars are not cached and mvn is not installed', log, '');
  const lib = layout.libOf(set);
  const partial = `${lib}.partial`;
  fs.rmSync(partial, { recursive: true, force: true });
  fs.mkdirSync(layout.logs, { recursive: true });
  const logFd = fs.openSync(log, 'w');
  const args = [
    '-B', '--no-transfer-progress',
    '-s', path.join(stackSourceDir(), 'settings.xml'),
    '-f', path.join(stackSourceDir(), SOURCES[set].pom),
    'dependency:copy-dependencies', '-DincludeScope=runtime', `-DoutputDirectory=${partial}`,
  ];
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(tools.mvn!, args, { stdio: ['ignore', logFd, logFd] });
    child.on('error', reject);
    child.on('close', resolve);
  }).finally(() => fs.closeSync(logFd));
  if (code !== 0) {
    throw new StackStartError('maven', `Maven could not resolve the ${set} jars (exit ${code})`, log, tailFile(log));
  }
  await unpackPlugins(partial, log);
  if (set === 'mongo') await compileMongoLauncher(partial, tools.javac, log);
  // A symlinked lib (a test stack borrowing another's jars) is replaced, never followed.
  fs.rmSync(lib, { recursive: true, force: true });
  fs.renameSync(partial, lib);
  fs.writeFileSync(path.join(lib, '.complete'), setHash(set) + '\n');
  return true;
}

/** Connect plugin archives (`*-plugin.tar.gz`) become folders of `plugins/`, Connect's plugin.path. */
async function unpackPlugins(dir: string, log: string): Promise<void> {
  for (const archive of fs.readdirSync(dir).filter((name) => name.endsWith('-plugin.tar.gz'))) {
    const plugins = path.join(dir, 'plugins');
    fs.mkdirSync(plugins, { recursive: true });
    const run = await runTool('tar', ['-xzf', path.join(dir, archive), '-C', plugins], { logFile: log });
    if (run.code !== 0) throw new StackStartError('maven', `could not unpack ${archive} (tar exit ${run.code})`, log, tailFile(log));
    fs.rmSync(path.join(dir, archive));
  }
}

/** mongo-java-server's own mains bind to localhost:27017; ours takes the port and a data file. */
async function compileMongoLauncher(dir: string, javac: string | undefined, log: string): Promise<void> {
  if (!javac) throw new StackStartError('mongo', 'javac (a JDK 17+) is needed once to compile the mongo-java-server launcher', log, '');
  const source = path.join(stackSourceDir(), 'mongo', `${MONGO_LAUNCHER_CLASS}.java`);
  const run = await runTool(javac, ['-nowarn', '-cp', `${dir}/*`, '-d', path.join(dir, 'classes'), source], { logFile: log });
  if (run.code !== 0) throw new StackStartError('mongo', `javac failed (exit ${run.code})`, log, tailFile(log));
}
