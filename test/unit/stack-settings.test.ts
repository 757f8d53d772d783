import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runningStack } from '../../src/stack/running';
import { UsageError } from '../../src/errors';
import { DEFAULT_PORTS, defaultStackDir, resolveStackSettings, stackEnv, stackUrls } from '../../src/stack/settings';

describe('stack settings: flag > environment > running stack > default', () => {
  test('defaults', () => {
    const settings = resolveStackSettings({}, { CDC_STACK_DIR: '/tmp/some-stack' });
    expect(settings).toEqual({ dir: '/tmp/some-stack', ports: DEFAULT_PORTS, with: [] });
  });

  test('the default folder is .stack/ in a cdc checkout', () => {
    expect(resolveStackSettings({}, {}).dir).toBe(path.resolve(__dirname, '../../.stack'));
  });

  test('an installed cdc (no sources beside it) keeps its stack in the state folder, never in the install folder', () => {
    const installed = fs.mkdtempSync(path.join(os.tmpdir(), 'cdc-installed-'));
    try {
      expect(defaultStackDir({ HOME: '/home/ann' }, installed, 1000)).toBe('/home/ann/.local/state/cdc/stack');
      expect(defaultStackDir({ HOME: '/home/ann', XDG_STATE_HOME: '/srv/state' }, installed, 1000)).toBe('/srv/state/cdc/stack');
      // XDG: a relative path is invalid and ignored.
      expect(defaultStackDir({ HOME: '/home/ann', XDG_STATE_HOME: 'rel' }, installed, 1000)).toBe('/home/ann/.local/state/cdc/stack');
      // root: the postgres OS user cannot enter /root.
      expect(defaultStackDir({ HOME: '/root' }, installed, 0)).toBe('/var/lib/cdc/stack');
      expect(defaultStackDir({ HOME: '/root', XDG_STATE_HOME: '/srv/state' }, installed, 0)).toBe('/srv/state/cdc/stack');
      expect(defaultStackDir({ CDC_STACK_DIR: 'rel/dir', XDG_STATE_HOME: '/srv/state' }, installed, 1000)).toBe(path.resolve('rel/dir'));
      fs.writeFileSync(path.join(installed, 'tsconfig.json'), '{}');
      expect(defaultStackDir({ HOME: '/home/ann' }, installed, 1000)).toBe(path.join(installed, '.stack'));
    } finally {
      fs.rmSync(installed, { recursive: true, force: true });
    }
  });

  test('environment overrides the ports of a running stack, flags override both', () => {
    const running = { pg: 25432, kafka: 29092, controller: 29093, connect: 28083, s3: 29000, mongo: 27018 };
    const env = { CDC_STACK_PG_PORT: '35432', CDC_STACK_CONNECT_PORT: '38083', CDC_STACK_MONGO_PORT: '37017' };
    expect(resolveStackSettings({ dir: 'x', pg: '45432', s3: '49000' }, env, { ports: running }).ports).toEqual({
      pg: 45432,
      kafka: 29092,
      controller: 29093,
      connect: 38083,
      s3: 49000,
      mongo: 37017,
    });
    expect(resolveStackSettings({ dir: 'x' }, {}, { ports: running }).ports).toEqual(running);
    // A state written before the extras existed has no s3/mongo ports: the defaults fill in.
    const old = { pg: 25432, kafka: 29092, controller: 29093, connect: 28083 };
    expect(resolveStackSettings({ dir: 'x' }, {}, { ports: old }).ports).toEqual({ ...old, s3: DEFAULT_PORTS.s3, mongo: DEFAULT_PORTS.mongo });
  });

  test('extras: --with > CDC_STACK_WITH > the running stack > the config context > none', () => {
    const running = { with: ['mongo' as const] };
    expect(resolveStackSettings({ with: 'mongo,s3', contextWith: 'none' }, { CDC_STACK_WITH: 's3' }, running).with).toEqual(['s3', 'mongo']);
    expect(resolveStackSettings({ contextWith: 'mongo' }, { CDC_STACK_WITH: 's3' }, running).with).toEqual(['s3']);
    expect(resolveStackSettings({ contextWith: 's3' }, {}, running).with).toEqual(['mongo']);
    expect(resolveStackSettings({ contextWith: 's3' }, {}).with).toEqual(['s3']);
    expect(resolveStackSettings({ with: '' }, { CDC_STACK_WITH: 's3' }).with).toEqual([]);
    expect(resolveStackSettings({}, {}).with).toEqual([]);
  });

  test('an unknown extra is a usage error naming where it came from', () => {
    expect(() => resolveStackSettings({ with: 's3,redis' }, {})).toThrow(UsageError);
    expect(() => resolveStackSettings({ with: 's3,redis' }, {})).toThrow(/--with: unknown service 'redis'/);
    expect(() => resolveStackSettings({}, { CDC_STACK_WITH: 'minio' })).toThrow(/CDC_STACK_WITH: unknown service 'minio'/);
  });

  test.each([['0'], ['65536'], ['12ab'], ['-1'], ['1.5']])('rejects the port %s as a usage error', (value) => {
    expect(() => resolveStackSettings({ pg: value }, {})).toThrow(UsageError);
    expect(() => resolveStackSettings({}, { CDC_STACK_KAFKA_PORT: value })).toThrow(/CDC_STACK_KAFKA_PORT must be a port number/);
  });

  test('rejects two services on one port', () => {
    expect(() => resolveStackSettings({ kafka: '15432' }, {})).toThrow(/must differ/);
  });

  test("the default ports keep clear of common services and of docker-compose's ports", () => {
    const taken = [5432, 5433, 5672, 6379, 3306, 4222, 1883, 9092, 8083, 8080, 2181, 9000, 9001, 27017];
    for (const port of Object.values(DEFAULT_PORTS)) expect(taken).not.toContain(port);
  });

  test('URLs: the superuser on 127.0.0.1, and the target database with its own user', () => {
    const ports = { pg: 1, kafka: 2, controller: 3, connect: 4, s3: 5, mongo: 6 };
    const core = {
      pgUrl: 'postgres://postgres:postgres@127.0.0.1:1/postgres',
      brokers: '127.0.0.1:2',
      connectUrl: 'http://127.0.0.1:4',
      targetUrl: 'postgres://analytics:analytics@127.0.0.1:1/analytics',
    };
    expect(stackUrls(ports)).toEqual(core);
    expect(stackUrls(ports, ['s3', 'mongo'])).toEqual({ ...core, s3Url: 'http://127.0.0.1:5', mongoUrl: 'mongodb://127.0.0.1:6' });
  });

  test('the environment of a stack: the AWS variables and CDC_MONGO_URL only with their services', () => {
    const ports = { pg: 1, kafka: 2, controller: 3, connect: 4, s3: 5, mongo: 6 };
    expect(Object.keys(stackEnv(stackUrls(ports)))).toEqual(['CDC_CONNECT_URL', 'CDC_BROKERS', 'DATABASE_URL', 'CDC_TARGET_URL']);
    expect(stackEnv(stackUrls(ports, ['s3', 'mongo']))).toEqual({
      CDC_CONNECT_URL: 'http://127.0.0.1:4',
      CDC_BROKERS: '127.0.0.1:2',
      DATABASE_URL: 'postgres://postgres:postgres@127.0.0.1:1/postgres',
      CDC_TARGET_URL: 'postgres://analytics:analytics@127.0.0.1:1/analytics',
      AWS_ACCESS_KEY_ID: 'minioadmin',
      AWS_SECRET_ACCESS_KEY: 'minioadmin',
      AWS_REGION: 'us-east-1',
      AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:5',
      AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
      AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
      CDC_MONGO_URL: 'mongodb://127.0.0.1:6',
    });
  });
});

describe('runningStack: the URLs of the stack running from the default folder', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdc-running-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const ports = { pg: 1, kafka: 2, controller: 3, connect: 4, s3: 5, mongo: 6 };
  function writeState(postmasterPid: number | undefined): void {
    fs.writeFileSync(path.join(dir, 'state.json'), JSON.stringify({ ports, with: ['mongo'], urls: {} }));
    fs.mkdirSync(path.join(dir, 'pg', 'data'), { recursive: true });
    if (postmasterPid !== undefined) fs.writeFileSync(path.join(dir, 'pg', 'data', 'postmaster.pid'), `${postmasterPid}\n`);
  }

  test('none without a state file, or when the recorded PostgreSQL is not running', () => {
    expect(runningStack({ CDC_STACK_DIR: dir })).toBeUndefined();
    writeState(undefined);
    expect(runningStack({ CDC_STACK_DIR: dir })).toBeUndefined();
    // A live pid that is not this stack's postmaster (pids get reused after a reboot).
    writeState(process.pid);
    expect(runningStack({ CDC_STACK_DIR: dir })).toBeUndefined();
  });

  test("a live postmaster of the stack's cluster: its URLs, with the extras it runs", () => {
    // A process whose command line names the cluster folder, as the postmaster's does.
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)', path.join(dir, 'pg', 'data')], { stdio: 'ignore' });
    try {
      writeState(child.pid);
      const urls = stackUrls(ports);
      expect(runningStack({ CDC_STACK_DIR: dir })).toEqual({
        dir,
        pgUrl: urls.pgUrl,
        brokers: urls.brokers,
        connectUrl: urls.connectUrl,
        targetUrl: urls.targetUrl,
        mongoUrl: 'mongodb://127.0.0.1:6',
      });
      fs.writeFileSync(path.join(dir, 'state.json'), JSON.stringify({ ports, with: ['s3'], urls: {} }));
      expect(runningStack({ CDC_STACK_DIR: dir })).toEqual(
        expect.objectContaining({
          s3: { endpoint: 'http://127.0.0.1:5', region: 'us-east-1', accessKeyId: 'minioadmin', secretAccessKey: 'minioadmin' },
        }),
      );
      expect(runningStack({ CDC_STACK_DIR: dir })?.mongoUrl).toBeUndefined();
    } finally {
      child.kill();
    }
  });
});
