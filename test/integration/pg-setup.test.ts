/**
 * `cdc pg setup` on the stack's real PostgreSQL: --dry-run changes nothing and never shows the
 * password; setup makes a role with only the rights Debezium needs, the publication, the slot and
 * REPLICA IDENTITY FULL; a second run changes nothing; `cdc pg check` as that role is all green;
 * and `cdc connector register` streams with that role, slot and publication on the real worker.
 */
import { Client } from 'pg';
import { describeResult, runCli, type CliResult } from '../helpers/run-cli';
import { stackUrls } from '../helpers/stack';

const urls = stackUrls();
const suffix = `${process.pid.toString(36)}${Date.now().toString(36).slice(-5)}`;
const schema = `it_setup_${suffix}`;
const role = `it_setup_${suffix}`;
const slot = `it_setup_${suffix}`;
const publication = `${slot}_pub`;
const connector = `it-setup-${suffix}`;
const PASSWORD = `Setup'Pw%s-${suffix}`;
const env = { CDC_CONNECT_URL: urls.connectUrl, DATABASE_URL: urls.pgUrl, CDC_CONFIG: '/nonexistent/cdc.json', IT_SETUP_PW: PASSWORD };
const tables = `${schema}.parent,${schema}.child`;
const outputs: CliResult[] = [];
let client: Client;

async function cdc(args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const result = await runCli(args, { env: { ...env, ...extraEnv }, timeoutMs: 110_000 });
  outputs.push(result);
  return result;
}

function expectExit(result: CliResult, code: number): void {
  if (result.code !== code) throw new Error(`expected exit ${code}\n${describeResult(result)}`);
}

function setup(...extra: string[]): Promise<CliResult> {
  return cdc([
    'pg',
    'setup',
    '--slot',
    slot,
    '--publication',
    publication,
    '--tables',
    tables,
    '--user',
    role,
    '--password-env',
    'IT_SETUP_PW',
    '--replica-identity-full',
    ...extra,
  ]);
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

beforeAll(async () => {
  client = new Client({ connectionString: urls.pgUrl });
  await client.connect();
  await client.query(`CREATE SCHEMA ${schema}; CREATE TABLE ${schema}.parent (id int PRIMARY KEY, name text);
    CREATE TABLE ${schema}.child (id int PRIMARY KEY, parent_id int REFERENCES ${schema}.parent, qty int)`);
});

afterAll(async () => {
  await runCli(['connector', 'delete', connector, '--yes'], { env });
  await until('the slot to be released', async () => {
    const { rows } = await client.query('SELECT active FROM pg_replication_slots WHERE slot_name = $1', [slot]);
    return rows.length === 0 || !rows[0].active ? true : undefined;
  }).catch(() => undefined);
  await client.query('SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1', [slot]).catch(() => undefined);
  await client.query(`DROP PUBLICATION IF EXISTS ${publication}`);
  await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await client.query(`DROP OWNED BY ${role}`).catch(() => undefined);
  await client.query(`DROP ROLE IF EXISTS ${role}`);
  await client.end();
  // Whatever happened, the password never reached an output.
  for (const result of outputs) expect(`${result.stdout}${result.stderr}`).not.toContain(PASSWORD);
}, 120_000);

describe('cdc pg setup', () => {
  it('--dry-run prints the SQL with the password masked and changes nothing', async () => {
    const result = await setup('--dry-run');
    expectExit(result, 0);
    expect(result.stdout).toContain(`CREATE ROLE "${role}" WITH LOGIN REPLICATION PASSWORD '********';`);
    expect(result.stdout).toContain(`CREATE PUBLICATION "${publication}" FOR TABLE "${schema}"."parent", "${schema}"."child";`);
    expect(result.stdout).toContain(`SELECT pg_create_logical_replication_slot('${slot}', 'pgoutput');`);
    expect(result.stdout).toContain(`ALTER TABLE "${schema}"."child" REPLICA IDENTITY FULL;`);
    const { rows } = await client.query(
      `SELECT (SELECT count(*) FROM pg_roles WHERE rolname = $1)::int AS roles, (SELECT count(*) FROM pg_publication WHERE pubname = $2)::int AS pubs,
      (SELECT count(*) FROM pg_replication_slots WHERE slot_name = $3)::int AS slots`,
      [role, publication, slot],
    );
    expect(rows[0]).toEqual({ roles: 0, pubs: 0, slots: 0 });
  });

  it('makes the role with only what Debezium needs, the publication, the slot and the identity; a second run changes nothing', async () => {
    const first = await setup('--json');
    expectExit(first, 0);
    const report = JSON.parse(first.stdout);
    expect(report).toMatchObject({ user: role, slot, publication, dryRun: false, tables: [`${schema}.parent`, `${schema}.child`] });
    expect(report.statements.map((s: { sql: string }) => s.sql)).toContain(`CREATE ROLE "${role}" WITH LOGIN REPLICATION PASSWORD '********'`);

    const { rows } = await client.query(
      `SELECT r.rolcanlogin, r.rolreplication, r.rolsuper, r.rolcreatedb, r.rolcreaterole,
        has_table_privilege($1, '${schema}.child', 'SELECT') AS can_select, has_table_privilege($1, '${schema}.child', 'INSERT') AS can_insert,
        has_database_privilege($1, current_database(), 'CREATE') AS can_create, pg_has_role($1, (SELECT relowner FROM pg_class WHERE oid = '${schema}.child'::regclass), 'USAGE') AS owns,
        (SELECT array_agg(tablename::text ORDER BY tablename) FROM pg_publication_tables WHERE pubname = $2) AS published,
        (SELECT plugin FROM pg_replication_slots WHERE slot_name = $3) AS plugin,
        (SELECT array_agg(relreplident::text) FROM pg_class WHERE oid IN ('${schema}.parent'::regclass, '${schema}.child'::regclass)) AS identities
      FROM pg_roles r WHERE r.rolname = $1`,
      [role, publication, slot],
    );
    expect(rows[0]).toEqual({
      rolcanlogin: true,
      rolreplication: true,
      rolsuper: false,
      rolcreatedb: false,
      rolcreaterole: false,
      can_select: true,
      can_insert: false,
      can_create: false,
      owns: false,
      published: ['child', 'parent'],
      plugin: 'pgoutput',
      identities: ['f', 'f'],
    });

    // The password went as its SCRAM verifier: the statement never carried it.
    const stored = await client.query('SELECT rolpassword FROM pg_authid WHERE rolname = $1', [role]);
    expect(stored.rows[0].rolpassword).toMatch(/^SCRAM-SHA-256\$4096:/);
    const login = new Client({ connectionString: urls.pgUrl, user: role, password: PASSWORD });
    await login.connect();
    await login.end();

    const again = await setup('--json');
    expectExit(again, 0);
    expect(JSON.parse(again.stdout).statements).toEqual([]);
  });

  it('then `cdc pg check` as that role is all green', async () => {
    const url = new URL(urls.pgUrl);
    url.username = role;
    url.password = '';
    const result = await cdc(
      ['pg', 'check', '--pg-url', url.toString(), '--slot', slot, '--publication', publication, '--table', `${schema}.parent`, `${schema}.child`, '--json'],
      { PGPASSWORD: PASSWORD, DATABASE_URL: '' },
    );
    expectExit(result, 0);
    const report = JSON.parse(result.stdout);
    expect(report.items.filter((i: { status: string }) => i.status !== 'OK')).toEqual([]);
    expect(report.counts).toEqual({ OK: report.items.length, WARN: 0, FAIL: 0 });
    expect(report.items.find((i: { check: string }) => i.check === 'role')).toMatchObject({ subject: role, detail: 'LOGIN and REPLICATION' });
  });

  it('`connector register` streams with that role, slot and publication', async () => {
    const result = await cdc([
      'connector',
      'register',
      connector,
      '--table',
      `${schema}.parent`,
      '--table',
      `${schema}.child`,
      '--host',
      '127.0.0.1',
      '--port',
      new URL(urls.pgUrl).port,
      '--database',
      new URL(urls.pgUrl).pathname.slice(1) || 'postgres',
      '--user',
      role,
      '--password-env',
      'IT_SETUP_PW',
      '--slot',
      slot,
      '--publication',
      publication,
      '--wait',
      '--json',
    ]);
    expectExit(result, 0);
    const described = await cdc(['connector', 'describe', connector, '--json']);
    expectExit(described, 0);
    expect(JSON.parse(described.stdout).config).toMatchObject({
      'slot.name': slot,
      'publication.name': publication,
      'publication.autocreate.mode': 'disabled',
      'database.user': role,
    });
    await client.query(`INSERT INTO ${schema}.parent VALUES (1, 'one')`);
    await until('the connector to read the slot', async () => {
      const { rows } = await client.query('SELECT active FROM pg_replication_slots WHERE slot_name = $1', [slot]);
      return rows[0]?.active ? true : undefined;
    });
    const status = await cdc(['connector', 'status', connector, '--check-db', '--json'], { PGPASSWORD: PASSWORD });
    expectExit(status, 0);
    expect(JSON.parse(status.stdout)[0]).toMatchObject({ health: 'RUNNING', database: { checked: true, slot: { name: slot, exists: true, active: true } } });
  });

  it('sets a non-ASCII password through the server, and it logs in', async () => {
    const other = `${role}_u`;
    const password = `Pässwörd-ü-${suffix}`;
    try {
      const result = await cdc(
        [
          'pg',
          'setup',
          '--slot',
          `${slot}_u`,
          '--publication',
          `${publication}_u`,
          '--tables',
          `${schema}.parent`,
          '--user',
          other,
          '--password-env',
          'IT_U_PW',
        ],
        { IT_U_PW: password },
      );
      expectExit(result, 0);
      expect(`${result.stdout}${result.stderr}`).not.toContain(password);
      const login = new Client({ connectionString: urls.pgUrl, user: other, password });
      await login.connect();
      await login.end();
    } finally {
      await client.query(`SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1`, [`${slot}_u`]);
      await client.query(`DROP PUBLICATION IF EXISTS ${publication}_u`);
      await client.query(`DROP OWNED BY ${other}`).catch(() => undefined);
      await client.query(`DROP ROLE IF EXISTS ${other}`);
    }
  });

  it('refuses bad flags before connecting, and a missing table before changing anything', async () => {
    const base = ['pg', 'setup', '--pg-url', 'postgres://nobody@127.0.0.1:9/x'];
    for (const [args, message] of [
      [['--name', 'x'], /name the tables to capture with --tables/],
      [['--tables', 'a.b'], /name the slot and publication: --name CONNECTOR/],
      [['--tables', 'a.b', '--slot', 'Bad-Slot', '--publication', 'p'], /bad --slot name "Bad-Slot"/],
      [['--tables', 'a.b', '--name', 'x', '--password-env', 'IT_SETUP_PW'], /--password-env sets the password of --user/],
      [
        ['--tables', 'a.b', '--name', 'x', '--user', 'u', '--password-env', 'IT_UNSET_VAR'],
        /--password-env IT_UNSET_VAR: that environment variable is not set/,
      ],
      [['--tables', '', '--name', 'x'], /bad table name: an empty name/],
    ] as [string[], RegExp][]) {
      const result = await cdc([...base, ...args]);
      expect([args, result.code, result.stderr]).toEqual([args, 2, expect.stringMatching(message)]);
    }
    const missing = await cdc([
      'pg',
      'setup',
      '--name',
      `${connector}-x`,
      '--tables',
      `${schema}.parent,${schema}.nope`,
      '--user',
      `${role}_x`,
      '--password-env',
      'IT_SETUP_PW',
    ]);
    expectExit(missing, 4);
    expect(missing.stderr).toMatch(new RegExp(`no table ${schema}\\.nope: nothing was changed`));
    const { rows } = await client.query('SELECT count(*)::int AS n FROM pg_roles WHERE rolname = $1', [`${role}_x`]);
    expect(rows[0].n).toBe(0);
  });
});
