/**
 * Background processes of the stack: started detached (own process group, output into a log
 * file) so they outlive `cdc stack up`, tracked by pid files, and stopped by pid after checking
 * that the pid still belongs to this stack (pids get reused).
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !isZombie(pid);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function isZombie(pid: number): boolean {
  try {
    return /\)\s+Z\s/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** The process's command line (Linux /proc), '' when unknown. */
export function commandLine(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
}

/** True when the pid is alive and (where /proc exists) its command line mentions `marker`. */
export function isOurProcess(pid: number, marker: string): boolean {
  if (!isAlive(pid)) return false;
  const cmd = commandLine(pid);
  return cmd === '' ? !fs.existsSync('/proc') : cmd.includes(marker);
}

export function readPid(file: string): number | undefined {
  try {
    const pid = Number(fs.readFileSync(file, 'utf8').trim().split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

export function startDetached(command: string, args: string[], options: { logFile: string; pidFile: string; cwd: string; env?: NodeJS.ProcessEnv }): number {
  const logFd = fs.openSync(options.logFile, 'a');
  try {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, detached: true, stdio: ['ignore', logFd, logFd] });
    if (child.pid === undefined) throw new Error(`could not start ${command}`);
    child.on('error', () => {}); // reported through the liveness checks instead
    child.unref();
    fs.writeFileSync(options.pidFile, `${child.pid}\n`);
    return child.pid;
  } finally {
    fs.closeSync(logFd);
  }
}

/** SIGTERM to the process group, then SIGKILL after `graceMs`. Resolves when the pid is gone. */
export async function stopProcess(pid: number, graceMs: number): Promise<'stopped' | 'killed'> {
  const signal = (sig: NodeJS.Signals): void => {
    try {
      process.kill(-pid, sig);
    } catch {
      try { process.kill(pid, sig); } catch { /* already gone */ }
    }
  };
  signal('SIGTERM');
  if (await waitUntil(() => !isAlive(pid), graceMs, 100)) return 'stopped';
  signal('SIGKILL');
  await waitUntil(() => !isAlive(pid), 5_000, 100);
  return 'killed';
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` until it returns true or the time is up; returns the last result. */
export async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs: number, intervalMs = 250): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(intervalMs);
  }
}

/** Whether something accepts TCP connections on 127.0.0.1:port. */
export function portOpen(port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const done = (open: boolean): void => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
