import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../commands/main';
import { ExitCode } from '../../src/errors';
import { testContext } from '../helpers/context';

/** Ports nothing listens on (a stack that is not running). */
const idlePorts = { CDC_STACK_PG_PORT: '45401', CDC_STACK_KAFKA_PORT: '45402', CDC_STACK_CONTROLLER_PORT: '45403', CDC_STACK_CONNECT_PORT: '45404' };

describe('cdc stack (command layer)', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdc-stack-cmd-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function run(args: string[], env: NodeJS.ProcessEnv = {}) {
    const ctx = testContext({ env: { CDC_STACK_DIR: dir, ...idlePorts, ...env } });
    const code = await main(['node', 'cdc', 'stack', ...args], ctx);
    return { code, out: ctx.out(), err: ctx.err() };
  }

  test.each([[[]], [['up']], [['down']], [['status']], [['logs']], [['env']]])('help of `stack %s` shows examples', async (args) => {
    const result = await run([...args, '--help']);
    expect(result.code).toBe(ExitCode.OK);
    expect(result.out).toContain('Examples:');
  });

  test.each([
    [['logs', 'zookeeper'], "unknown service 'zookeeper'"],
    [['logs', '-n', '0'], '--lines must be a whole number above 0'],
    [['up', '--timeout', 'soon'], '--timeout must be a number above 0'],
    [['status', '--pg-port', '99999'], '--pg-port must be a port number'],
    [['status', '--kafka-port', '45401'], 'must differ'],
    [['up', '--with', 's3,redis'], "--with: unknown service 'redis'"],
    [['status', '--mongo-port', 'x'], '--mongo-port must be a port number'],
  ])('`stack %j` is a usage error', async (args, message) => {
    const result = await run(args);
    expect(result).toEqual({ code: ExitCode.USAGE, out: '', err: expect.stringContaining(message) });
  });

  test('env prints the exports for eval on stdout and warns on stderr when no stack runs', async () => {
    const result = await run(['env']);
    expect(result.code).toBe(ExitCode.OK);
    expect(result.out).toBe(
      'export CDC_CONNECT_URL=http://127.0.0.1:45404 CDC_BROKERS=127.0.0.1:45402 DATABASE_URL=postgres://postgres:postgres@127.0.0.1:45401/postgres CDC_TARGET_URL=postgres://analytics:analytics@127.0.0.1:45401/analytics\n',
    );
    expect(result.err).toContain('no stack recorded as running');
  });

  test('status of a stack that is not running: every service down, exit 1, password masked', async () => {
    const result = await run(['status', '--json']);
    expect({ code: result.code, err: result.err }).toEqual({ code: ExitCode.RUNTIME, err: '' });
    const status = JSON.parse(result.out);
    expect(status.state).toBe('stopped');
    expect(status.services.map((s: { service: string; healthy: boolean; pid: number | null }) => [s.service, s.healthy, s.pid])).toEqual([
      ['postgres', false, null],
      ['kafka', false, null],
      ['connect', false, null],
    ]);
    expect(status.urls.pgUrl).toBe('postgres://postgres:********@127.0.0.1:45401/postgres');
  });

  test('status, env and down find the ports of the running stack in state.json', async () => {
    fs.writeFileSync(path.join(dir, 'state.json'), JSON.stringify({ ports: { pg: 45411, kafka: 45412, controller: 45413, connect: 45414 } }));
    const ctx = testContext({ env: { CDC_STACK_DIR: dir } });
    expect(await main(['node', 'cdc', 'stack', 'env'], ctx)).toBe(ExitCode.OK);
    expect(ctx.out()).toContain('CDC_BROKERS=127.0.0.1:45412 ');
    expect(ctx.err()).toBe('');
  });

  test('logs prints the end of each log, or their paths', async () => {
    fs.mkdirSync(path.join(dir, 'logs'));
    fs.writeFileSync(path.join(dir, 'logs', 'kafka.log'), 'one\ntwo\nthree\n');
    fs.writeFileSync(path.join(dir, 'logs', 'connect.log'), 'Connect started \u001b[31mred\n');
    const one = await run(['logs', 'kafka', '-n', '2']);
    expect(one).toEqual({ code: 0, out: 'two\nthree\n', err: '' });
    const all = await run(['logs']);
    expect(all.out).toContain(`==> ${path.join(dir, 'logs', 'kafka.log')} <==\none\ntwo\nthree\n`);
    expect(all.out).toContain('Connect started \\u001b[31mred'); // control characters escaped
    const paths = await run(['logs', '--path']);
    expect(paths.out).toBe(`${path.join(dir, 'logs', 'kafka.log')}\n${path.join(dir, 'logs', 'connect.log')}\n`);
  });

  test('down with nothing running stops nothing and exits 0', async () => {
    const result = await run(['down', '--json']);
    expect(result.code).toBe(ExitCode.OK);
    expect(JSON.parse(result.out)).toEqual({
      stopped: [
        { service: 'connect', pid: null, outcome: 'not running' },
        { service: 'kafka', pid: null, outcome: 'not running' },
        { service: 'postgres', pid: null, outcome: 'not running' },
      ],
      portsInUse: [],
      purged: [],
    });
    expect(result.err).toBe('');
    const text = await run(['down']);
    expect(text.err).toContain(`data kept in ${dir} for the next 'cdc stack up' (wipe it with: cdc stack down --purge)`);
  });

  test('down --purge wipes the data folders of every service and keeps jars, configs and logs', async () => {
    for (const folder of ['pg/data', 'kafka', 's3/cdc', 'mongo', 'lib', 'conf', 'logs']) fs.mkdirSync(path.join(dir, folder), { recursive: true });
    fs.writeFileSync(path.join(dir, 'mongo', 'data.mv'), 'x');
    const result = await run(['down', '--purge', '--json']);
    expect(result.code).toBe(ExitCode.OK);
    expect(JSON.parse(result.out).purged).toEqual(['pg', 'kafka', 's3', 'mongo'].map((f) => path.join(dir, f)));
    expect(fs.readdirSync(dir).sort()).toEqual(['conf', 'lib', 'logs']);
    const again = await run(['down', '--purge']);
    expect(again.err).toContain('no data to wipe');
  });

  test('env of a stack recorded with s3 and mongo exports the AWS variables and CDC_MONGO_URL', async () => {
    const ports = { pg: 45401, kafka: 45402, controller: 45403, connect: 45404, s3: 45405, mongo: 45406 };
    fs.writeFileSync(
      path.join(dir, 'state.json'),
      JSON.stringify({ startedAt: 'x', owner: 'cli', dir, ports, with: ['s3', 'mongo'], urls: {}, pids: {}, versions: {}, logs: '' }),
    );
    const result = await run(['env'], { CDC_STACK_PG_PORT: '', CDC_STACK_KAFKA_PORT: '', CDC_STACK_CONTROLLER_PORT: '', CDC_STACK_CONNECT_PORT: '' });
    expect(result.code).toBe(ExitCode.OK);
    expect(result.out).toBe(
      'export CDC_CONNECT_URL=http://127.0.0.1:45404 CDC_BROKERS=127.0.0.1:45402 DATABASE_URL=postgres://postgres:postgres@127.0.0.1:45401/postgres ' +
        'CDC_TARGET_URL=postgres://analytics:analytics@127.0.0.1:45401/analytics AWS_ACCESS_KEY_ID=minioadmin AWS_SECRET_ACCESS_KEY=minioadmin AWS_REGION=us-east-1 ' +
        'AWS_ENDPOINT_URL_S3=http://127.0.0.1:45405 AWS_REQUEST_CHECKSUM_CALCULATION=WHEN_REQUIRED AWS_RESPONSE_CHECKSUM_VALIDATION=WHEN_REQUIRED CDC_MONGO_URL=mongodb://127.0.0.1:45406\n',
    );
    // An explicit --with wins over what the state recorded.
    expect((await run(['env', '--with', 'none'])).out).not.toContain('AWS_');
  });
});
