/**
 * The stack's throwaway PostgreSQL cluster: initdb + pg_ctl from the local server binaries, run as
 * the `postgres` OS user when we are root (initdb refuses root). Local socket connections are
 * trusted; TCP connections need the password (scram-sha-256), so wrong credentials fail as they
 * would against a real server.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { StackStartError, tailFile } from './errors';
import type { StackLayout } from './layout';
import { readPid } from './processes';
import { runTool } from './run-tool';
import { PG_PASSWORD, PG_USER } from './settings';

interface OsUser {
  name: string;
  uid: number;
  gid: number;
}

/** The OS user that owns the cluster: `postgres` when running as root, else ourselves. */
function clusterOwner(): OsUser | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const line = fs.readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('postgres:'));
  if (!line) throw new StackStartError('postgres', 'running as root needs an OS user `postgres` to own the cluster (initdb refuses root)', '', '');
  const [, , uid, gid] = line.split(':');
  return { name: 'postgres', uid: Number(uid), gid: Number(gid) };
}

function asOwner(owner: OsUser | undefined, bin: string, args: string[]): [string, string[]] {
  return owner ? ['runuser', ['-u', owner.name, '--', bin, ...args]] : [bin, args];
}

function chown(owner: OsUser | undefined, ...paths: string[]): void {
  if (owner) for (const p of paths) fs.chownSync(p, owner.uid, owner.gid);
}

function fail(layout: StackLayout, message: string): never {
  throw new StackStartError('postgres', message, layout.log('postgres'), tailFile(layout.log('postgres')));
}

/** Creates the cluster unless `keep` and one exists. */
export async function initCluster(layout: StackLayout, pgBin: string, keep: boolean): Promise<void> {
  const owner = clusterOwner();
  const log = layout.log('postgres');
  fs.writeFileSync(log, '');
  chown(owner, log);
  if (keep && fs.existsSync(path.join(layout.pgData, 'PG_VERSION'))) return;
  fs.rmSync(layout.pgRoot, { recursive: true, force: true });
  fs.mkdirSync(layout.pgSocket, { recursive: true, mode: 0o700 });
  fs.chmodSync(layout.pgRoot, 0o700);
  chown(owner, layout.pgRoot, layout.pgSocket);
  const pwFile = path.join(layout.pgRoot, 'pwfile');
  fs.writeFileSync(pwFile, `${PG_PASSWORD}\n`, { mode: 0o600 });
  chown(owner, pwFile);
  try {
    const [cmd, args] = asOwner(owner, path.join(pgBin, 'initdb'), [
      '-D', layout.pgData, '-U', PG_USER, `--pwfile=${pwFile}`,
      '--auth-local=trust', '--auth-host=scram-sha-256', '-E', 'UTF8', '--locale=C', '--no-sync',
    ]);
    const run = await runTool(cmd, args, { logFile: log, cwd: layout.pgRoot });
    if (run.code !== 0) {
      const hint = /permission denied/i.test(run.output) ? ` (can the OS user ${owner?.name ?? 'running cdc'} reach ${layout.dir}? set CDC_STACK_DIR to a folder it can)` : '';
      fail(layout, `initdb failed (exit ${run.code})${hint}`);
    }
  } finally {
    fs.rmSync(pwFile, { force: true });
  }
  // Our settings live in a file we re-render on every start; the cluster's own file includes it.
  fs.appendFileSync(path.join(layout.pgData, 'postgresql.conf'), `\ninclude '${path.join(layout.conf, 'postgresql.conf')}'\n`);
}

export async function startPostgres(layout: StackLayout, pgBin: string, port: number): Promise<number> {
  const owner = clusterOwner();
  const [cmd, args] = asOwner(owner, path.join(pgBin, 'pg_ctl'), [
    '-D', layout.pgData, '-l', layout.log('postgres'), '-w', '-t', '60',
    '-o', `-p ${port} -k ${layout.pgSocket}`, 'start',
  ]);
  const run = await runTool(cmd, args, { logFile: layout.log('postgres'), cwd: layout.pgRoot });
  const pid = postmasterPid(layout);
  if (pid !== undefined) fs.writeFileSync(layout.pidFile('postgres'), `${pid}\n`);
  if (run.code !== 0 || pid === undefined) fail(layout, `pg_ctl start failed (exit ${run.code})`);
  return pid;
}

export function postmasterPid(layout: StackLayout): number | undefined {
  return readPid(path.join(layout.pgData, 'postmaster.pid'));
}

/** Fast shutdown (disconnects clients, no waiting for them). Returns false when pg_ctl failed. */
export async function stopPostgres(layout: StackLayout, pgBin: string): Promise<boolean> {
  if (!fs.existsSync(path.join(layout.pgData, 'postmaster.pid'))) return true;
  const owner = clusterOwner();
  fs.mkdirSync(layout.logs, { recursive: true });
  const [cmd, args] = asOwner(owner, path.join(pgBin, 'pg_ctl'), ['-D', layout.pgData, '-m', 'fast', '-w', '-t', '30', 'stop']);
  const run = await runTool(cmd, args, { logFile: path.join(layout.logs, 'stack.log'), cwd: layout.pgRoot });
  return run.code === 0;
}

export async function postgresVersion(pgBin: string, logFile: string): Promise<string> {
  const run = await runTool(path.join(pgBin, 'postgres'), ['--version'], { logFile });
  return /(\d+(?:\.\d+)*)/.exec(run.output)?.[1] ?? 'unknown';
}
