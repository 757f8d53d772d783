/**
 * `cdc pg check` against the stack's PostgreSQL (wal_level=logical): server items, a role without
 * REPLICATION, named tables with the wrong REPLICA IDENTITY or no key, --fix (and what it must not
 * touch), and exit codes. Tables, role and publication are this file's own and dropped at the end.
 */
import { Client } from 'pg';
import { describeResult, runCli, type CliResult } from '../helpers/run-cli';
import { stackUrls } from '../helpers/stack';

const { pgUrl } = stackUrls();
const suffix = `${process.pid}_${Date.now().toString(36)}`;
const schema = `it_pgc_${suffix}`;
const publication = `it_pub_${suffix}`;
const role = `it_pgc_role_${suffix}`;
let client: Client;

interface Item {
  check: string;
  subject?: string;
  status: 'OK' | 'WARN' | 'FAIL';
  detail: string;
  fix?: string;
  fixable?: boolean;
}

function expectExit(result: CliResult, code: number): void {
  if (result.code !== code) throw new Error(`expected exit ${code}, got ${describeResult(result)}`);
}

function check(...args: string[]): Promise<CliResult> {
  return runCli(['pg', 'check', '--pg-url', pgUrl, ...args]);
}

function items(result: CliResult): Item[] {
  try {
    return JSON.parse(result.stdout).items;
  } catch {
    throw new Error(`not JSON: ${describeResult(result)}`);
  }
}

function item(list: Item[], name: string, subject?: string): Item {
  const found = list.find((i) => i.check === name && (subject === undefined || i.subject === subject));
  if (!found) throw new Error(`no item ${name} ${subject ?? ''} in ${JSON.stringify(list, null, 1)}`);
  return found;
}

/** The exit code the report calls for: 6 when anything FAILs (other tests' slots are not ours to judge). */
function exitFor(list: Item[]): number {
  return list.some((i) => i.status === 'FAIL') ? 6 : 0;
}

beforeAll(async () => {
  client = new Client({ connectionString: pgUrl });
  await client.connect();
  await client.query(`CREATE SCHEMA "${schema}"`);
  await client.query(`CREATE TABLE "${schema}".keyed (id int PRIMARY KEY, v text)`);
  await client.query(`CREATE TABLE "${schema}".keyless (id int, v text)`);
  await client.query(`CREATE TABLE "${schema}".canary (id int PRIMARY KEY)`);
  await client.query(`CREATE TABLE "${schema}"."t""; DROP TABLE ${schema}.canary; --" (id int PRIMARY KEY)`);
});

afterAll(async () => {
  await client.query(`DROP PUBLICATION IF EXISTS "${publication}"`);
  await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.query(`DROP ROLE IF EXISTS "${role}"`);
  await client.end();
});

describe('cdc pg check', () => {
  it('passes the server items on the stack and exits by what it found', async () => {
    const result = await check('--json');
    const list = items(result);
    expectExit(result, exitFor(list));
    expect(item(list, 'wal_level')).toMatchObject({ status: 'OK', detail: 'logical' });
    expect(item(list, 'role', 'postgres')).toMatchObject({ status: 'OK' });
    expect(item(list, 'max_replication_slots').status).toBe('OK');
    expect(item(list, 'max_wal_senders').status).toBe('OK');
    expect(JSON.parse(result.stdout).target).toMatch(/^postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres$/);
  });

  it('judges named tables: WARN for DEFAULT identity, FAIL without key or identity, FAIL when missing; exit 6', async () => {
    const result = await check('--json', '--publication', publication, '--table', `${schema}.keyed`, `${schema}.keyless`, '--table', `${schema}.missing`);
    expectExit(result, 6);
    const list = items(result);
    expect(item(list, 'replica_identity', `${schema}.keyed`)).toMatchObject({
      status: 'WARN',
      fixable: true,
      fix: `ALTER TABLE "${schema}"."keyed" REPLICA IDENTITY FULL`,
    });
    expect(item(list, 'replica_identity', `${schema}.keyless`)).toMatchObject({ status: 'FAIL', fixable: true });
    expect(item(list, 'primary_key', `${schema}.keyless`).status).toBe('WARN');
    expect(item(list, 'published', `${schema}.keyed`)).toMatchObject({
      status: 'WARN',
      fix: `CREATE PUBLICATION "${publication}" FOR TABLE "${schema}"."keyed"`,
    });
    expect(item(list, 'table', `${schema}.missing`)).toMatchObject({ status: 'FAIL', detail: 'does not exist' });
  });

  it('prints one tab-separated line per item when piped', async () => {
    const result = await check('--table', `${schema}.keyed`);
    const lines = result.stdout.trim().split('\n');
    expect(lines.find((l) => l.startsWith('WARN\treplica_identity\t'))).toBe(
      `WARN\treplica_identity\t${schema}.keyed\tDEFAULT: "before" holds only the primary key; old values of other columns are lost\tALTER TABLE "${schema}"."keyed" REPLICA IDENTITY FULL`,
    );
    expect(result.stderr).toMatch(/\d+ OK, \d+ WARN, \d+ FAIL/);
  });

  it('--fix applies the safe fixes (identity, publication), also on a hostile table name, and checks again', async () => {
    const hostile = `"${schema}"."t""; DROP TABLE ${schema}.canary; --"`;
    const result = await check('--json', '--fix', '--publication', publication, '--table', `${schema}.keyed`, `${schema}.keyless`, hostile);
    const report = JSON.parse(result.stdout);
    expectExit(result, exitFor(report.items));
    expect(report.fixes.every((f: { ok: boolean }) => f.ok)).toBe(true);
    expect(report.fixes.map((f: { sql: string }) => f.sql)).toContain(
      `CREATE PUBLICATION "${publication}" FOR TABLE "${schema}"."keyed", "${schema}"."keyless", "${schema}"."t""; DROP TABLE ${schema}.canary; --"`,
    );
    for (const table of ['keyed', 'keyless', `t"; DROP TABLE ${schema}.canary; --`]) {
      const identity = await client.query(
        `SELECT relreplident FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2`,
        [schema, table],
      );
      expect(identity.rows[0].relreplident).toBe('f');
    }
    const published = await client.query(`SELECT tablename::text FROM pg_publication_tables WHERE pubname = $1 ORDER BY 1`, [publication]);
    expect(published.rows.map((r) => r.tablename)).toEqual(['keyed', 'keyless', `t"; DROP TABLE ${schema}.canary; --`]);
    expect((await client.query(`SELECT to_regclass('"${schema}".canary') IS NOT NULL AS present`)).rows[0].present).toBe(true);
    // After the fixes, only the missing key is left to a person.
    expect(item(report.items, 'replica_identity', `${schema}.keyless`).status).toBe('OK');
    expect(item(report.items, 'published', `${schema}.keyless`).status).toBe('OK');
    expect(item(report.items, 'primary_key', `${schema}.keyless`).status).toBe('WARN');
  });

  it('FAILs a table the connecting role cannot publish, and says who can', async () => {
    const owner = `${role}_owner`;
    await client.query(`CREATE ROLE "${owner}" LOGIN REPLICATION PASSWORD 'Owner-Pass-321'`);
    try {
      await client.query(`CREATE TABLE "${schema}".foreign_owned (id int PRIMARY KEY)`);
      await client.query(`ALTER TABLE "${schema}".foreign_owned REPLICA IDENTITY FULL`);
      await client.query(
        `GRANT USAGE ON SCHEMA "${schema}" TO "${owner}"; GRANT SELECT ON "${schema}".foreign_owned TO "${owner}"; GRANT CREATE ON DATABASE postgres TO "${owner}"`,
      );
      const url = new URL(pgUrl);
      url.username = owner;
      url.password = 'Owner-Pass-321';
      const result = await runCli([
        'pg',
        'check',
        '--pg-url',
        url.toString(),
        '--json',
        '--publication',
        `${publication}_x`,
        '--table',
        `${schema}.foreign_owned`,
      ]);
      expectExit(result, 6);
      const list = items(result);
      expect(list.some((i) => i.check === 'select_privilege')).toBe(false);
      expect(item(list, 'published', `${schema}.foreign_owned`)).toMatchObject({
        status: 'FAIL',
        detail: expect.stringContaining('does not own it (postgres does)'),
        fix: `as postgres or a superuser: CREATE PUBLICATION "${publication}_x" FOR TABLE "${schema}"."foreign_owned"`,
      });
    } finally {
      await client.query(`REVOKE CREATE ON DATABASE postgres FROM "${owner}"`).catch(() => {});
      await client.query(`DROP OWNED BY "${owner}"`).catch(() => {});
      await client.query(`DROP ROLE IF EXISTS "${owner}"`);
    }
  });

  it('FAILs a role without REPLICATION, with the fix, and --fix never grants it', async () => {
    await client.query(`CREATE ROLE "${role}" LOGIN PASSWORD 'Pgc-Pass-789'`);
    const url = new URL(pgUrl);
    url.username = role;
    url.password = 'Pgc-Pass-789';
    const result = await runCli(['pg', 'check', '--pg-url', url.toString(), '--json', '--fix', '--publication', publication, '--table', `${schema}.keyed`]);
    expectExit(result, 6);
    const list = items(result);
    expect(item(list, 'role', role)).toMatchObject({
      status: 'FAIL',
      fix: `as a superuser: ALTER ROLE "${role}" WITH REPLICATION`,
    });
    // It cannot read a table it was granted nothing on, nor change or publish one it does not own.
    expect(item(list, 'select_privilege', `${schema}.keyed`)).toMatchObject({
      status: 'FAIL',
      fix: `as postgres or a superuser: GRANT SELECT ON "${schema}"."keyed" TO "${role}"`,
    });
    expect(JSON.parse(result.stdout).fixes.every((f: { ok: boolean }) => !f.ok)).toBe(true);
    expect(`${result.stdout}${result.stderr}`).not.toContain('Pgc-Pass-789');
    const rights = await client.query('SELECT rolreplication FROM pg_roles WHERE rolname = $1', [role]);
    expect(rights.rows[0].rolreplication).toBe(false);
  });
});
