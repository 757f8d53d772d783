import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { connectPg, parsePgUrl } from '../../src/pg/connection';
import { ServiceError, UsageError } from '../../src/errors';
import { createSettings } from '../../src/settings';

/** The resolver as `cdc pg` uses it: --pg-url and --database, the environment, --context. */
async function resolvePgTarget(env: NodeJS.ProcessEnv, flags: { pgUrl?: string; database?: string }, contextName?: string) {
  return createSettings({ env, flags: { pg: { url: flags.pgUrl, database: flags.database } }, contextName }).pg;
}

describe('PostgreSQL connection resolution', () => {
  let dir: string;
  let configFile: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdc-pg-'));
    configFile = path.join(dir, 'config.json');
    fs.writeFileSync(
      configFile,
      JSON.stringify({
        currentContext: 'dev',
        contexts: { dev: { pgUrl: 'postgres://ctxuser:ctxpw@ctxhost:6543/ctxdb' }, prod: { pgUrl: 'postgresql://p@prodhost/proddb?sslmode=require' } },
      }),
    );
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('defaults to the docker-compose database', async () => {
    const t = await resolvePgTarget({ CDC_CONFIG: path.join(dir, 'none.json') }, {});
    expect(t).toMatchObject({ host: 'localhost', port: 5432, user: 'postgres', password: 'postgres', database: 'postgres', source: 'default' });
    expect(t.display).toBe('postgres://postgres@localhost:5432/postgres');
  });

  it('takes the config context next, and --context picks another one', async () => {
    const t = await resolvePgTarget({ CDC_CONFIG: configFile }, {});
    expect(t).toMatchObject({ host: 'ctxhost', port: 6543, user: 'ctxuser', password: 'ctxpw', database: 'ctxdb', source: 'context:dev' });
    const prod = await resolvePgTarget({ CDC_CONFIG: configFile }, {}, 'prod');
    expect(prod).toMatchObject({ host: 'prodhost', user: 'p', database: 'proddb', ssl: { rejectUnauthorized: false }, source: 'context:prod' });
  });

  it('lets PG* variables override fields of the context', async () => {
    const t = await resolvePgTarget({ CDC_CONFIG: configFile, PGPORT: '7777', PGPASSWORD: 'envpw' }, {});
    expect(t).toMatchObject({ host: 'ctxhost', port: 7777, user: 'ctxuser', password: 'envpw', source: 'env:PGPORT,PGPASSWORD' });
  });

  it('prefers DATABASE_URL to PG* and the context, filling what the URL leaves out from PG*', async () => {
    const t = await resolvePgTarget({ CDC_CONFIG: configFile, DATABASE_URL: 'postgres://u@h:1/d', PGPASSWORD: 'envpw', PGHOST: 'ignored' }, {});
    expect(t).toMatchObject({ host: 'h', port: 1, user: 'u', password: 'envpw', database: 'd', source: 'env:DATABASE_URL' });
  });

  it('prefers --pg-url to everything, and --database overrides the database', async () => {
    const env = { CDC_CONFIG: configFile, DATABASE_URL: 'postgres://u@h:1/d' };
    const t = await resolvePgTarget(env, { pgUrl: 'postgres://a:b%40c@flag:2/f', database: 'other' });
    expect(t).toMatchObject({ host: 'flag', port: 2, user: 'a', password: 'b@c', database: 'other', source: 'flag' });
  });

  it('never puts the password in the display form', async () => {
    const t = await resolvePgTarget({}, { pgUrl: 'postgres://u:s3cretpw@h:5/d' });
    expect(t.display).not.toContain('s3cretpw');
  });

  it('brackets IPv6 hosts and socket directories in the display form', async () => {
    expect((await resolvePgTarget({}, { pgUrl: 'postgres://u@[::1]:5433/d' })).display).toBe('postgres://u@[::1]:5433/d');
    expect((await resolvePgTarget({}, { pgUrl: 'postgres:///d?host=/run/pg' })).display).toBe('postgres://postgres@[/run/pg]:5432/d');
  });

  it('understands a socket directory in ?host=', () => {
    expect(parsePgUrl('postgres:///db?host=/var/run/postgresql', 'x')).toMatchObject({ host: '/var/run/postgresql', database: 'db' });
  });

  it.each(['not a url', 'mysql://u@h/d'])('refuses %j', async (url) => {
    await expect(resolvePgTarget({}, { pgUrl: url })).rejects.toThrow(UsageError);
  });

  it('refuses an unknown sslmode', async () => {
    await expect(resolvePgTarget({}, { pgUrl: 'postgres://h/d?sslmode=bogus' })).rejects.toThrow(/sslmode/);
  });
});

describe('loadPg', () => {
  // In a fresh process: jest itself may have loaded fetch already.
  it("loads pg without loading Node's fetch implementation, and leaves no navigator behind", () => {
    const script = `
      const hadNavigator = typeof navigator !== 'undefined';
      require(${JSON.stringify(path.resolve(__dirname, '../../dist/src/pg/connection.js'))}).loadPg().then((pg) => {
        console.log(JSON.stringify({
          client: typeof pg.Client,
          undici: process.moduleLoadList.some((m) => m.includes('undici')),
          navigatorUnchanged: (typeof navigator !== 'undefined') === hadNavigator,
        }));
      });`;
    const out = JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' }));
    expect(out).toEqual({ client: 'function', undici: false, navigatorUnchanged: true });
  });
});

describe('connectPg', () => {
  // Port 9 (discard) on loopback: nothing listens, so the refusal is immediate and real.
  const base = {
    host: '127.0.0.1',
    port: 9,
    user: 'app',
    password: 'pw-in-clear-9',
    database: 'shop',
    source: 'test',
    display: 'postgres://app@127.0.0.1:9/shop',
  };

  it('translates a refused connection into a message that says what to do', async () => {
    const err = await connectPg(base).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServiceError);
    expect((err as ServiceError).message).toBe('cannot reach PostgreSQL at postgres://app@127.0.0.1:9/shop: connection refused');
    expect((err as ServiceError).hint).toMatch(/is PostgreSQL running on 127\.0\.0\.1:9/);
  });

  it('tries the `via` address when the host cannot be reached, and says both failed', async () => {
    const err = await connectPg(
      { ...base, host: 'db.invalid', display: 'postgres://app@db.invalid:9/shop', via: { host: '127.0.0.1', port: 9 } },
      { connectTimeoutMs: 3000 },
    ).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(
      /^cannot reach PostgreSQL at postgres:\/\/app@db\.invalid:9\/shop: host db\.invalid not found; nor at 127\.0\.0\.1:9, where cdc reaches PostgreSQL: cannot reach PostgreSQL at postgres:\/\/app@127\.0\.0\.1:9\/shop: connection refused$/,
    );
    expect(JSON.stringify({ m: (err as Error).message, h: (err as ServiceError).hint })).not.toContain('pw-in-clear-9');
  });
});
