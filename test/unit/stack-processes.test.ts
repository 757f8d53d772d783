import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { otherClients, registerClient, unregisterClient } from '../../src/stack/clients';
import { tailFile } from '../../src/stack/errors';
import { jarsCached } from '../../src/stack/jars';
import { stackLayout } from '../../src/stack/layout';
import { acquireLock } from '../../src/stack/lock';
import { isAlive, isOurProcess, portOpen, readPid, startDetached, stopProcess, waitUntil } from '../../src/stack/processes';

/** A pid that is certainly not running: a child that already exited. */
async function deadPid(): Promise<number> {
  const { spawn } = await import('node:child_process');
  const child = spawn('true');
  await new Promise((resolve) => child.on('close', resolve));
  return child.pid!;
}

describe('stack processes', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdc-stack-proc-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('a detached process: pid file, log file, identified by its marker, stopped with SIGTERM', async () => {
    const marker = `cdc-marker-${process.pid}`;
    const pidFile = path.join(dir, 'x.pid');
    const logFile = path.join(dir, 'x.log');
    const pid = startDetached('sh', ['-c', `echo started ${marker}; sleep 30`, marker], { logFile, pidFile, cwd: dir });
    expect(readPid(pidFile)).toBe(pid);
    expect(isAlive(pid)).toBe(true);
    // Its output lands in the log file (wait for it: the shell may not have run yet on a busy machine).
    expect(await waitUntil(() => fs.readFileSync(logFile, 'utf8').includes(`started ${marker}`), 10_000, 50)).toBe(true);
    expect(isOurProcess(pid, marker)).toBe(true);
    expect(isOurProcess(pid, 'some-other-stack')).toBe(false);
    expect(await stopProcess(pid, 5_000)).toBe('stopped');
    expect(isAlive(pid)).toBe(false);
  });

  test('a process that ignores SIGTERM is killed after the grace period, with its children', async () => {
    const pid = startDetached('sh', ['-c', 'trap "" TERM; sleep 30 & wait'], { logFile: path.join(dir, 'y.log'), pidFile: path.join(dir, 'y.pid'), cwd: dir });
    await new Promise((r) => setTimeout(r, 200));
    expect(await stopProcess(pid, 300)).toBe('killed');
    expect(isAlive(pid)).toBe(false);
  });

  test('portOpen tells a listening port from a closed one', async () => {
    const server = net.createServer().listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const { port } = server.address() as net.AddressInfo;
    expect(await portOpen(port)).toBe(true);
    await new Promise((r) => server.close(r));
    expect(await portOpen(port)).toBe(false);
  });

  test('tailFile returns the last lines, or nothing for a missing file', () => {
    const file = path.join(dir, 'log');
    fs.writeFileSync(file, Array.from({ length: 100 }, (_, i) => `line ${i + 1}`).join('\n') + '\n');
    expect(tailFile(file, 3)).toBe('line 98\nline 99\nline 100');
    expect(tailFile(path.join(dir, 'missing'))).toBe('');
  });
});

describe('stack lock and test-run clients', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdc-stack-lock-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('one holder at a time; a waiter gives up with a message naming the holder', async () => {
    const file = path.join(dir, 'up.lock');
    const release = await acquireLock(file, 0);
    fs.writeFileSync(file, `${process.ppid}\n`); // held by a live process other than us
    await expect(acquireLock(file, 600)).rejects.toThrow(`pid ${process.ppid}`);
    release();
    const again = await acquireLock(file, 0);
    again();
    expect(fs.existsSync(file)).toBe(false);
  });

  test('a lock left by a dead process is taken over', async () => {
    const file = path.join(dir, 'up.lock');
    fs.writeFileSync(file, `${await deadPid()}\n`);
    const release = await acquireLock(file, 0);
    expect(readPid(file)).toBe(process.pid);
    release();
  });

  test('clients: other live runs are counted, dead ones forgotten', async () => {
    const layout = stackLayout(dir);
    registerClient(layout);
    registerClient(layout, process.ppid);
    const dead = await deadPid();
    registerClient(layout, dead);
    expect(otherClients(layout)).toEqual([process.ppid]);
    expect(fs.existsSync(path.join(layout.run, 'clients', String(dead)))).toBe(false);
    unregisterClient(layout, process.ppid);
    expect(otherClients(layout)).toEqual([]);
    unregisterClient(layout);
  });

  test('jars count as cached only with a marker matching the pom', () => {
    const layout = stackLayout(dir);
    expect(jarsCached(layout)).toBe(false);
    fs.mkdirSync(layout.lib, { recursive: true });
    fs.writeFileSync(layout.libMarker, 'stale-hash\n');
    expect(jarsCached(layout)).toBe(false);
  });
});
