/**
 * The Kafka, Connect and Debezium jars, resolved by Maven from stack/pom.xml and copied into
 * `<stack dir>/lib` once. A marker file holds the hash of the pom (and settings): while it
 * matches, no Maven runs at all, so warm starts need no network.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { packageRoot } from '../package-root';
import { StackStartError, tailFile } from './errors';
import type { StackLayout } from './layout';

export function stackSourceDir(): string {
  return path.join(packageRoot(), 'stack');
}

function pomHash(): string {
  const hash = createHash('sha256');
  for (const file of ['pom.xml', 'settings.xml']) hash.update(fs.readFileSync(path.join(stackSourceDir(), file)));
  return hash.digest('hex');
}

export function jarsCached(layout: StackLayout): boolean {
  try {
    return fs.readFileSync(layout.libMarker, 'utf8').trim() === pomHash();
  } catch {
    return false;
  }
}

/** Downloads (or copies from ~/.m2) the jars unless cached. Returns whether Maven ran. */
export async function ensureJars(layout: StackLayout, mvn: string | undefined): Promise<boolean> {
  if (jarsCached(layout)) return false;
  if (!mvn) throw new StackStartError('maven', 'the stack jars are not cached and mvn is not installed', layout.log('maven'), '');
  const partial = `${layout.lib}.partial`;
  fs.rmSync(partial, { recursive: true, force: true });
  fs.mkdirSync(layout.logs, { recursive: true });
  const logFd = fs.openSync(layout.log('maven'), 'w');
  const args = [
    '-B', '--no-transfer-progress',
    '-s', path.join(stackSourceDir(), 'settings.xml'),
    '-f', path.join(stackSourceDir(), 'pom.xml'),
    'dependency:copy-dependencies', '-DincludeScope=runtime', `-DoutputDirectory=${partial}`,
  ];
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(mvn, args, { stdio: ['ignore', logFd, logFd] });
    child.on('error', reject);
    child.on('close', resolve);
  }).finally(() => fs.closeSync(logFd));
  if (code !== 0) {
    throw new StackStartError('maven', `Maven could not resolve the stack jars (exit ${code})`, layout.log('maven'), tailFile(layout.log('maven')));
  }
  fs.rmSync(layout.lib, { recursive: true, force: true });
  fs.renameSync(partial, layout.lib);
  fs.writeFileSync(layout.libMarker, pomHash() + '\n');
  return true;
}
