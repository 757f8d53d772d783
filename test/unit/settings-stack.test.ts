/**
 * The running local stack as the default target (issue 13 item 2): read from its state file,
 * below flag, environment and context; a dead stack's state file is ignored; a service that does
 * not answer while a stack runs elsewhere says so; the stack itself not answering says that.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../commands/main';
import { ExitCode } from '../../src/errors';
import { runningStack } from '../../src/stack/running';
import { testContext } from '../helpers/context';

let dir: string;
let closedPort: number;
const URLS = (port: number) => ({
  pgUrl: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`,
  brokers: `127.0.0.1:${port}`,
  connectUrl: `http://127.0.0.1:${port}`,
  targetUrl: `postgres://analytics:analytics@127.0.0.1:${port}/analytics`,
});

/** A port nothing listens on: bound once, then closed. */
async function freeClosedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * A stack folder as `cdc stack up` leaves it: state.json with the ports, and PostgreSQL's
 * postmaster.pid naming a process whose command line names the data folder (as a real postmaster's does).
 */
function writeStack(stackDir: string, port: number, pid: number): void {
  fs.mkdirSync(path.join(stackDir, 'pg', 'data'), { recursive: true });
  fs.writeFileSync(
    path.join(stackDir, 'state.json'),
    JSON.stringify({
      startedAt: new Date().toISOString(),
      owner: 'cli',
      dir: stackDir,
      ports: { pg: port, kafka: port, controller: port, connect: port },
      urls: URLS(port),
      pids: { postgres: pid, kafka: pid, connect: pid },
      versions: {},
      logs: path.join(stackDir, 'logs'),
    }),
  );
  fs.writeFileSync(path.join(stackDir, 'pg', 'data', 'postmaster.pid'), `${pid}\n${path.join(stackDir, 'pg', 'data')}\n`);
}

let postmaster: ChildProcess;
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdc-settings-stack-'));
  closedPort = await freeClosedPort();
  postmaster = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1e9)', path.join(dir, 'live', 'pg', 'data')], { stdio: 'ignore' });
  writeStack(path.join(dir, 'live'), closedPort, postmaster.pid as number);
  writeStack(path.join(dir, 'dead'), closedPort, 2 ** 22 + 12345);
});
afterAll(() => {
  postmaster.kill('SIGKILL');
  fs.rmSync(dir, { recursive: true, force: true });
});

const env = (stack: 'live' | 'dead', more: NodeJS.ProcessEnv = {}) => ({
  CDC_CONFIG: path.join(dir, 'none.json'),
  CDC_STACK_DIR: path.join(dir, stack),
  ...more,
});

async function cdc(args: string[], environment: NodeJS.ProcessEnv) {
  const ctx = testContext({ env: environment });
  const code = await main(['node', 'cdc', ...args], ctx);
  return { code, out: ctx.out(), err: ctx.err() };
}

describe('runningStack', () => {
  it('reads the URLs of a stack whose processes are alive', () => {
    expect(runningStack(env('live'))).toMatchObject({ dir: path.join(dir, 'live'), ...URLS(closedPort) });
    expect(runningStack(env('live'))?.s3).toBeUndefined();
  });
  it('ignores the state file of a stack whose processes are gone (a reboot)', () => {
    expect(runningStack(env('dead'))).toBeUndefined();
  });
  it('is undefined without a state file', () => {
    expect(runningStack({ CDC_STACK_DIR: path.join(dir, 'nothing') })).toBeUndefined();
  });
});

describe('the running stack as the default target', () => {
  it('is used when no flag, environment or context says otherwise, and --verbose says so', async () => {
    const r = await cdc(['--verbose', 'pg', 'slots'], env('live'));
    expect(r.err).toContain(`PostgreSQL: postgres://postgres@127.0.0.1:${closedPort}/postgres (from stack)`);
    // The stack is recorded as running but does not answer: say that, not "start a stack".
    expect(r.code).toBe(ExitCode.RUNTIME);
    expect(r.err).toContain(`the cdc stack in ${path.join(dir, 'live')} is recorded as running but its PostgreSQL did not answer`);
    expect(r.err).not.toContain('postgres:postgres@');
  });

  it('a dead stack is not a target: the default is', async () => {
    const r = await cdc(['--verbose', 'connector', 'list', '--timeout', '2'], env('dead'));
    expect(r.err).toContain('Kafka Connect: http://localhost:8083 (from default)');
  });
});

describe('a service that does not answer while a stack runs elsewhere', () => {
  it('Kafka Connect: the error says where the stack has it, and what chose the other address', async () => {
    const other = await freeClosedPort();
    const r = await cdc(['connector', 'list'], env('live', { CDC_CONNECT_URL: `http://127.0.0.1:${other}` }));
    expect(r.code).toBe(ExitCode.RUNTIME);
    expect(r.err).toContain(
      `a cdc stack is running (${path.join(dir, 'live')}) with Kafka Connect at http://127.0.0.1:${closedPort}; this command used http://127.0.0.1:${other} (from env:CDC_CONNECT_URL)`,
    );
  });

  it('Kafka: the same', async () => {
    const other = await freeClosedPort();
    const r = await cdc(['watch', 'some.topic', '--exit-at-end'], env('live', { CDC_BROKERS: `127.0.0.1:${other}` }));
    expect(r.code).toBe(ExitCode.RUNTIME);
    expect(r.err).toContain(`with Kafka at 127.0.0.1:${closedPort}; this command used 127.0.0.1:${other} (from env:CDC_BROKERS)`);
  }, 30_000);

  it('PostgreSQL: the same, and never a password', async () => {
    const other = await freeClosedPort();
    const r = await cdc(['pg', 'slots'], env('live', { DATABASE_URL: `postgres://u:s3cret-pw@127.0.0.1:${other}/db` }));
    expect(r.code).toBe(ExitCode.RUNTIME);
    expect(r.err).toContain(`with PostgreSQL at postgres://postgres:`);
    expect(r.err).toContain(`this command used postgres://u@127.0.0.1:${other}/db (from env:DATABASE_URL)`);
    expect(r.err).not.toContain('s3cret-pw');
  });
});
