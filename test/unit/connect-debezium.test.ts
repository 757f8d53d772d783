import { buildPostgresConfig, checkPasswordRef, slotNameFor, tablePattern, publicationNameFor } from '../../src/connect/debezium';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { configFromFlags, connectorFromFlags, type RegisterFlags } from '../../src/connect/from-flags';
import { createSettings } from '../../src/settings';
import { loopbackHint, placeholderHint } from '../../src/connect/register';
import { ExitCode } from '../../src/errors';

describe('buildPostgresConfig', () => {
  it('produces a safe Debezium PostgreSQL config', () => {
    const config = buildPostgresConfig({
      name: 'Holding-Prod',
      host: 'db',
      port: '5432',
      user: 'cdc',
      dbname: 'bank',
      password: '${env:PGPASSWORD}',
      tables: ['bank.holding', 'orders'],
      schemas: [],
      snapshotMode: 'initial',
      extra: { 'tasks.max': '1', 'heartbeat.interval.ms': '10000' },
    });
    expect(config).toEqual({
      'connector.class': 'io.debezium.connector.postgresql.PostgresConnector',
      'tasks.max': '1',
      'plugin.name': 'pgoutput',
      'database.hostname': 'db',
      'database.port': '5432',
      'database.user': 'cdc',
      'database.dbname': 'bank',
      'database.password': '${env:PGPASSWORD}',
      'topic.prefix': 'Holding-Prod',
      'slot.name': 'holding_prod',
      'publication.name': 'holding_prod_pub',
      'publication.autocreate.mode': 'filtered',
      'custom.metric.tags': 'connector=Holding-Prod',
      'table.include.list': 'bank\\.holding,public\\.orders',
      'snapshot.mode': 'initial',
      'heartbeat.interval.ms': '10000',
    });
  });

  it('tags its metrics with the connector name, so two connectors with one topic prefix do not wait on each other', () => {
    const base = { host: 'h', port: '1', user: 'u', dbname: 'd', tables: ['bank.holding'], schemas: [], topicPrefix: 'dbserver1', extra: {} };
    const holding = buildPostgresConfig({ ...base, name: 'holding' });
    const finance = buildPostgresConfig({ ...base, name: 'finance' });
    expect([holding['topic.prefix'], finance['topic.prefix']]).toEqual(['dbserver1', 'dbserver1']);
    expect([holding['custom.metric.tags'], finance['custom.metric.tags']]).toEqual(['connector=holding', 'connector=finance']);
    // An ObjectName value and Debezium's k=v,k=v list cannot hold these characters.
    expect(buildPostgresConfig({ ...base, name: 'a,b=c:d' })['custom.metric.tags']).toBe('connector=a_b_c_d');
    // Given explicitly (--set), the user's tags win.
    expect(buildPostgresConfig({ ...base, name: 'x', extra: { 'custom.metric.tags': 'env=prod' } })['custom.metric.tags']).toBe('env=prod');
  });

  it('refuses to capture nothing in particular', () => {
    expect(() => buildPostgresConfig({ name: 'x', host: 'h', port: '1', user: 'u', dbname: 'd', tables: [], schemas: [], extra: {} })).toThrow(/--table/);
  });

  it('derives valid slot and publication names', () => {
    expect(slotNameFor('Holding.Prod-2')).toBe('holding_prod_2');
    expect(slotNameFor('---')).toBe('cdc');
    expect(slotNameFor('a'.repeat(100))).toHaveLength(63);
    expect(publicationNameFor('a'.repeat(100))).toHaveLength(63);
    expect(tablePattern('bank\\.holding')).toBe('bank\\.holding');
  });

  it('accepts only config-provider placeholders as --password-ref', () => {
    expect(checkPasswordRef('${env:PGPASSWORD}')).toBe('${env:PGPASSWORD}');
    expect(checkPasswordRef('${file:/etc/kafka/pg.properties:password}')).toBe('${file:/etc/kafka/pg.properties:password}');
    expect(() => checkPasswordRef('hunter22')).toThrow(/placeholder/);
  });
});

describe('configFromFlags', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdc-from-flags-'));
  const noConfig = path.join(dir, 'none.json');
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  /** cdc's own source database as the resolver chooses it for these flags and this environment. */
  const pgOf = (env: NodeJS.ProcessEnv, flags: { pgUrl?: string; database?: string } = {}) =>
    createSettings({ env: { CDC_CONFIG: noConfig, ...env }, flags: { pg: { url: flags.pgUrl, database: flags.database } } }).pg;
  const fromFlags = (name: string, flags: RegisterFlags, env: NodeJS.ProcessEnv) => connectorFromFlags(name, flags, env, pgOf(env, flags));
  const configOf = (name: string, flags: RegisterFlags, env: NodeJS.ProcessEnv) => configFromFlags(name, flags, env, pgOf(env, flags));
  it('takes host, port, user and database from DATABASE_URL; the password is ${env:PGPASSWORD}, PGPASSWORD the fallback', () => {
    const { config, passwordFallback } = fromFlags(
      'holding',
      { table: ['bank.holding'] },
      { DATABASE_URL: 'postgres://app@db.internal:6543/bank', PGPASSWORD: 'from-env-pw' },
    );
    expect(config).toMatchObject({
      'database.hostname': 'db.internal',
      'database.port': '6543',
      'database.user': 'app',
      'database.dbname': 'bank',
      'database.password': '${env:PGPASSWORD}',
    });
    expect(passwordFallback).toEqual({ value: 'from-env-pw', from: 'PGPASSWORD' });
  });

  it('lets flags override the URL, and --password-env / --password-ref choose the password', () => {
    const env = { DATABASE_URL: 'postgres://app:url-pw@db/bank', OTHER_PW: 'other-pw' };
    expect(fromFlags('h', { table: ['t'], host: 'h2', database: 'd2' }, env)).toMatchObject({
      config: { 'database.hostname': 'h2', 'database.dbname': 'd2', 'database.password': '${env:PGPASSWORD}' },
      passwordFallback: { value: 'url-pw', from: 'the PostgreSQL URL (env:DATABASE_URL)' },
    });
    expect(fromFlags('h', { table: ['t'], passwordEnv: 'OTHER_PW' }, env).passwordFallback).toBeUndefined();
    expect(configOf('h', { table: ['t'], passwordEnv: 'OTHER_PW' }, env)['database.password']).toBe('other-pw');
    expect(configOf('h', { table: ['t'], passwordRef: '${env:PGPASSWORD}' }, env)['database.password']).toBe('${env:PGPASSWORD}');
  });

  it('uses the config context pg URL when no flag or environment gives one', () => {
    const config = path.join(dir, 'config.json');
    fs.writeFileSync(config, JSON.stringify({ currentContext: 'c', contexts: { c: { pgUrl: 'postgres://ctx@ctxhost:5433/ctxdb' } } }));
    expect(configOf('h', { table: ['t'] }, { CDC_CONFIG: config })).toMatchObject({
      'database.hostname': 'ctxhost',
      'database.port': '5433',
      'database.dbname': 'ctxdb',
    });
  });

  it('honours the PG* variables as every other command does (issue 13 item 11)', () => {
    expect(configOf('h', { table: ['t'] }, { PGHOST: 'pghost', PGPORT: '6000', PGUSER: 'pguser', PGDATABASE: 'pgdb' })).toMatchObject({
      'database.hostname': 'pghost',
      'database.port': '6000',
      'database.user': 'pguser',
      'database.dbname': 'pgdb',
    });
  });

  it('never takes a password from the command line', () => {
    const attempt = (flags: object) => {
      try {
        configOf('h', { table: ['t'], ...flags }, {});
      } catch (err) {
        return err as { exitCode: number; message: string };
      }
      throw new Error('expected a usage error');
    };
    expect(attempt({ pgUrl: 'postgres://u:secret@h/d' })).toMatchObject({ exitCode: ExitCode.USAGE });
    expect(attempt({ set: ['database.password=secret'] })).toMatchObject({ exitCode: ExitCode.USAGE });
    expect(attempt({ passwordRef: 'secret' })).toMatchObject({ exitCode: ExitCode.USAGE });
    expect(attempt({ passwordEnv: 'NOT_SET_ANYWHERE' }).message).toContain('not set');
  });
});

describe('loopbackHint', () => {
  const refused = [
    {
      field: 'database.hostname',
      errors: ['Error while validating connector config: Connection to localhost:5432 refused. Check that the hostname and port are correct'],
    },
  ];
  it('says that the worker connects, and how to name the host under docker compose', () => {
    expect(loopbackHint({ 'database.hostname': 'localhost' }, refused)).toContain('`--host postgres`');
    expect(loopbackHint({ 'database.hostname': '127.0.0.1' }, refused)).toContain("127.0.0.1 is the worker's own host");
  });
  it('stays quiet for other hosts and other errors', () => {
    expect(loopbackHint({ 'database.hostname': 'db.internal' }, refused)).toBeUndefined();
    expect(
      loopbackHint({ 'database.hostname': 'localhost' }, [{ field: 'database.hostname', errors: ['FATAL: database "x" does not exist'] }]),
    ).toBeUndefined();
  });
});

describe('placeholderHint', () => {
  const failed = [{ field: 'database.hostname', errors: ['Error while validating connector config: FATAL: password authentication failed for user "app"'] }];
  it('explains a placeholder the worker did not resolve, only for a failed login', () => {
    expect(placeholderHint({ 'database.password': '${env:PGPASSWORD}' }, failed)).toContain("on the worker, ${env:PGPASSWORD} is not this user's password");
    expect(placeholderHint({ 'database.password': 'clear' }, failed)).toBeUndefined();
    expect(placeholderHint({ 'database.password': '${env:PGPASSWORD}' }, [{ field: 'x', errors: ['other'] }])).toBeUndefined();
  });
});
