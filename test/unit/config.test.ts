import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../commands/main';
import { ExitCode } from '../../src/errors';
import { testContext } from '../helpers/context';
import { FakeConnect, recorded } from './connect-fake-server';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdc-config-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

let n = 0;
function freshEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { CDC_CONFIG: path.join(dir, `c${++n}`, 'config.json'), ...extra };
}

async function cdc(args: string[], env: NodeJS.ProcessEnv) {
  const ctx = testContext({ env });
  const code = await main(['node', 'cdc', ...args], ctx);
  return { code, out: ctx.out(), err: ctx.err() };
}

describe('cdc config', () => {
  it('creates contexts in a 0600 file, the first one current', async () => {
    const env = freshEnv();
    const r = await cdc(['config', 'set-context', 'local', '--connect-url', 'http://localhost:8083', '--brokers', 'localhost:9092'], env);
    expect(r.code).toBe(0);
    expect(r.err).toContain('created context local');
    expect(fs.statSync(env.CDC_CONFIG!).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(env.CDC_CONFIG!)).mode & 0o777).toBe(0o700);
    expect((await cdc(['config', 'current-context'], env)).out).toBe('local\n');
    await cdc(
      [
        'config',
        'set-context',
        'prod',
        '--connect-url',
        'https://connect.prod:8443',
        '--connect-user',
        'ops',
        '--connect-password-env',
        'PROD_PW',
        '--ca-file',
        '/etc/ca.pem',
      ],
      env,
    );
    expect((await cdc(['config', 'current-context'], env)).out).toBe('local\n');
    expect((await cdc(['config', 'get-contexts'], env)).out).toBe('*\tlocal\thttp://localhost:8083\tlocalhost:9092\t\n\tprod\thttps://connect.prod:8443\t\t\n');
    expect(JSON.parse(fs.readFileSync(env.CDC_CONFIG!, 'utf8'))).toEqual({
      currentContext: 'local',
      contexts: {
        local: { connectUrl: 'http://localhost:8083', brokers: 'localhost:9092' },
        prod: { connectUrl: 'https://connect.prod:8443', connectUsername: 'ops', connectPasswordEnv: 'PROD_PW', connectCaFile: '/etc/ca.pem' },
      },
    });
  });

  it('switches, updates, unsets and deletes contexts', async () => {
    const env = freshEnv();
    await cdc(['config', 'set-context', 'a', '--connect-url', 'http://a:8083'], env);
    await cdc(['config', 'set-context', 'b', '--connect-url', 'http://b:8083', '--brokers', 'b:9092'], env);
    expect((await cdc(['config', 'use-context', 'b'], env)).code).toBe(0);
    expect((await cdc(['config', 'view', '--json'], env)).out).toBe('{"name":"b","current":true,"connectUrl":"http://b:8083","brokers":"b:9092"}\n');
    await cdc(['config', 'set-context', 'b', '--unset', 'brokers'], env);
    expect((await cdc(['config', 'view'], env)).out).toBe('connectUrl=http://b:8083\n');
    const deleted = await cdc(['config', 'delete-context', 'b'], env);
    expect(deleted.err).toContain('no current context now');
    const missing = await cdc(['config', 'use-context', 'b'], env);
    expect(missing.code).toBe(ExitCode.NOT_FOUND);
    expect(missing.err).toContain('known contexts: a');
  });

  it('refuses passwords on the command line and masks stored ones', async () => {
    const env = freshEnv();
    const r = await cdc(['config', 'set-context', 'x', '--pg-url', 'postgres://u:secret-pw@h/d'], env);
    expect(r.code).toBe(ExitCode.USAGE);
    expect(r.err).not.toContain('secret-pw');
    fs.mkdirSync(path.dirname(env.CDC_CONFIG!), { recursive: true });
    fs.writeFileSync(
      env.CDC_CONFIG!,
      JSON.stringify({ currentContext: 'x', contexts: { x: { connectUrl: 'http://u:url-pw@h:8083', connectPassword: 'stored-pw' } } }),
      { mode: 0o644 },
    );
    const view = await cdc(['config', 'view'], env);
    expect(view.out).toBe('connectPassword=********\nconnectUrl=http://u:********@h:8083\n');
    const list = await cdc(['config', 'get-contexts'], env);
    expect(list.err).toContain('mode 644');
    expect(`${view.out}${view.err}${list.out}${list.err}`).not.toMatch(/stored-pw|url-pw/);
    expect((await cdc(['config', 'view', '--show-secrets'], env)).out).toContain('connectPassword=stored-pw');
  });

  it('drives the Connect URL of connector commands: --context > current context; flag and env win', async () => {
    const fakes = [new FakeConnect(), new FakeConnect()];
    const [a, b] = await Promise.all(fakes.map((f) => f.start()));
    try {
      for (const f of fakes) f.on('GET', '/connector-plugins', { status: 200, body: recorded('plugins') });
      const env = freshEnv();
      await cdc(['config', 'set-context', 'a', '--connect-url', a], env);
      await cdc(['config', 'set-context', 'b', '--connect-url', b], env);
      const hits = () => fakes.map((f) => f.requests.length);
      expect((await cdc(['connector', 'plugins'], env)).code).toBe(0);
      expect(hits()).toEqual([1, 0]);
      await cdc(['--context', 'b', 'connector', 'plugins'], env);
      expect(hits()).toEqual([1, 1]);
      await cdc(['connector', 'plugins'], { ...env, CDC_CONNECT_URL: b });
      expect(hits()).toEqual([1, 2]);
      await cdc(['connector', 'plugins', '--connect-url', a], { ...env, CDC_CONNECT_URL: b });
      expect(hits()).toEqual([2, 2]);
      const unknown = await cdc(['--context', 'nope', 'connector', 'plugins'], env);
      expect(unknown.code).toBe(ExitCode.USAGE);
      expect(unknown.err).toContain("no context named 'nope'");
    } finally {
      await Promise.all(fakes.map((f) => f.stop()));
    }
  });
});
