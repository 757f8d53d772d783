/**
 * `cdc connector` against the real Kafka Connect worker with Debezium, as subprocesses of the
 * built binary. The connectors log in as a role of their own with a known password, and every
 * output of every run is checked for it at the end.
 */
import { Client } from 'pg';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describeResult, runCli, type CliResult } from '../helpers/run-cli';
import { stackUrls } from '../helpers/stack';

const urls = stackUrls();
const suffix = `${process.pid.toString(36)}${Date.now().toString(36).slice(-5)}`;
const schema = `cit_conn_${suffix}`;
const role = `cit_conn_${suffix}`;
const PASSWORD = `It-Pw-${suffix}-Zq9`;
const names = {
  flags: `cit-flags-${suffix}`,
  placeholder: `cit-ph-${suffix}`,
  file: `cit-file-${suffix}`,
  failing: `cit-fail-${suffix}`,
  wrong: `cit-wrong-${suffix}`,
  rotated: `cit-rot-${suffix}`,
};
/** A second role whose password a test changes under a running connector. */
const rotRole = `${role}_rot`;
const ROT_PASSWORD = `Rot-Pw-${suffix}-Xk7`;
const pg = new URL(urls.pgUrl);
const database = pg.pathname.slice(1) || 'postgres';
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdc-connector-it-'));
const env = {
  CDC_CONNECT_URL: urls.connectUrl,
  CDC_CONFIG: path.join(dir, 'no-config.json'),
  DATABASE_URL: `postgres://${role}@${pg.hostname}:${pg.port}/${pg.pathname.slice(1) || 'postgres'}`,
  PGPASSWORD: PASSWORD,
};
const outputs: { args: string[]; result: CliResult }[] = [];

async function cdc(args: string[], options: { input?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
  const result = await runCli(['connector', ...args], { env: { ...env, ...options.env }, timeoutMs: 110_000, input: options.input });
  outputs.push({ args, result });
  return result;
}

function expectExit(result: CliResult, code: number): void {
  if (result.code !== code) throw new Error(`expected exit ${code}\n${describeResult(result)}`);
}

async function sql<T extends Record<string, unknown>>(text: string, params: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: urls.pgUrl });
  await client.connect();
  try {
    return (await client.query(text, params)).rows as T[];
  } finally {
    await client.end();
  }
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

function slotOf(name: string): string {
  return name.replace(/-/g, '_');
}

function fileConfig(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    'connector.class': 'io.debezium.connector.postgresql.PostgresConnector',
    'plugin.name': 'pgoutput',
    'database.hostname': pg.hostname,
    'database.port': pg.port,
    'database.user': role,
    'database.password': PASSWORD,
    'database.dbname': pg.pathname.slice(1) || 'postgres',
    'topic.prefix': names.file,
    'slot.name': slotOf(names.file),
    'publication.name': `${slotOf(names.file)}_pub`,
    'publication.autocreate.mode': 'filtered',
    'table.include.list': `${schema}\\.orders`,
    ...overrides,
  };
}

function writeFile(file: string, doc: unknown): string {
  const full = path.join(dir, file);
  fs.writeFileSync(full, JSON.stringify(doc, null, 2));
  return full;
}

beforeAll(async () => {
  await sql(`CREATE ROLE ${role} LOGIN REPLICATION PASSWORD '${PASSWORD}'`);
  await sql(`GRANT CREATE ON DATABASE ${pg.pathname.slice(1) || 'postgres'} TO ${role}`);
  await sql(`CREATE SCHEMA ${schema} AUTHORIZATION ${role}`);
  await sql(`CREATE TABLE ${schema}.holding (id int PRIMARY KEY, v text)`);
  await sql(`CREATE TABLE ${schema}.orders (id int PRIMARY KEY, v text)`);
  await sql(`CREATE TABLE ${schema}.placeholder (id int PRIMARY KEY)`);
  await sql(`ALTER TABLE ${schema}.holding OWNER TO ${role}`);
  await sql(`ALTER TABLE ${schema}.orders OWNER TO ${role}`);
  await sql(`CREATE ROLE ${rotRole} LOGIN REPLICATION PASSWORD '${ROT_PASSWORD}'`);
  await sql(`GRANT CREATE ON DATABASE ${database} TO ${rotRole}`);
  await sql(`GRANT USAGE ON SCHEMA ${schema} TO ${rotRole}`);
  await sql(`CREATE TABLE ${schema}.rotated (id int PRIMARY KEY)`);
  await sql(`ALTER TABLE ${schema}.rotated OWNER TO ${rotRole}`);
});

afterAll(async () => {
  for (const name of Object.values(names)) {
    await fetch(`${urls.connectUrl}/connectors/${name}`, { method: 'DELETE' }).catch(() => undefined);
  }
  const slots = Object.values(names).map(slotOf);
  await until(
    'slots to be released',
    async () => {
      const rows = await sql<{ active: boolean }>('SELECT active FROM pg_replication_slots WHERE slot_name = ANY($1) AND active', [slots]);
      return rows.length === 0 ? true : undefined;
    },
    30_000,
  ).catch(() => undefined);
  await sql('SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = ANY($1) AND NOT active', [slots]);
  for (const slot of slots) await sql(`DROP PUBLICATION IF EXISTS ${slot}_pub`);
  await sql(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  for (const r of [role, rotRole]) {
    await sql(`REVOKE CREATE ON DATABASE ${database} FROM ${r}`);
    await sql(`DROP ROLE IF EXISTS ${r}`);
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('cdc connector against the real worker', () => {
  it('registers from flags a safe Debezium config and waits until RUNNING', async () => {
    const result = await cdc(['register', names.flags, '--table', `${schema}.holding`, '--wait', '--wait-timeout', '90']);
    expectExit(result, 0);
    expect(result.stderr).toContain(`created ${names.flags}`);
    expect(result.stderr).toContain(`${names.flags} RUNNING (1/1 tasks)`);
    // The worker's PGPASSWORD is the stack's, not this role's: the placeholder cannot work, so the
    // password from PGPASSWORD is stored, with a warning.
    expect(result.stderr).toContain(`${names.flags}: \${env:PGPASSWORD} does not log in from this worker`);
    expect(result.stderr).toContain('plaintext-password');
    const config = (await (await fetch(`${urls.connectUrl}/connectors/${names.flags}/config`)).json()) as Record<string, string>;
    expect(config).toMatchObject({
      'plugin.name': 'pgoutput',
      'publication.autocreate.mode': 'filtered',
      'slot.name': slotOf(names.flags),
      'table.include.list': `${schema}\\.holding`,
      'database.user': role,
      'database.password': PASSWORD,
    });
    const slot = await sql('SELECT 1 FROM pg_replication_slots WHERE slot_name = $1', [slotOf(names.flags)]);
    expect(slot).toHaveLength(1);
  });

  it('registers from flags with ${env:PGPASSWORD} when the worker resolves it: no clear-text password, and RUNNING', async () => {
    // The stack's superuser, whose password the worker has as PGPASSWORD; cdc itself has it only in its URL.
    const superuser = { DATABASE_URL: urls.pgUrl, PGPASSWORD: '' };
    const result = await cdc(['register', names.placeholder, '--table', `${schema}.placeholder`, '--wait', '--wait-timeout', '90'], { env: superuser });
    expectExit(result, 0);
    expect(result.stderr).toContain(`${names.placeholder}: database.password=\${env:PGPASSWORD}, resolved by the worker`);
    expect(result.stderr).not.toContain('plaintext-password');
    const config = (await (await fetch(`${urls.connectUrl}/connectors/${names.placeholder}/config`)).json()) as Record<string, string>;
    expect(config['database.password']).toBe('${env:PGPASSWORD}');
    // cdc logs in as the connector with its own URL's password when PGPASSWORD is not set here.
    expectExit(await cdc(['status', names.placeholder, '--check-db'], { env: superuser }), 0);
    expectExit(await cdc(['delete', names.placeholder, '--yes', '--drop-slot', '--drop-publication'], { env: superuser }), 0);
  });

  it('lists connectors as TSV when piped and as JSON', async () => {
    const tsv = await cdc(['list']);
    expectExit(tsv, 0);
    expect(tsv.stdout.split('\n')).toContain(`${names.flags}\tsource\tRUNNING\t1/1`);
    const json = JSON.parse((await cdc(['list', '--json'])).stdout) as { name: string; health: string }[];
    expect(json.find((c) => c.name === names.flags)).toMatchObject({ health: 'RUNNING', class: 'io.debezium.connector.postgresql.PostgresConnector' });
  });

  it('describes with the password masked, and shows it only with --show-secrets', async () => {
    const masked = await cdc(['describe', names.flags]);
    expectExit(masked, 0);
    expect(masked.stdout).toContain('database.password = ********');
    const json = JSON.parse((await cdc(['describe', names.flags, '--json'])).stdout);
    expect(json).toMatchObject({ name: names.flags, health: 'RUNNING', config: { 'database.password': '********' } });
    const shown = await runCli(['connector', 'describe', names.flags, '--show-secrets'], { env });
    expect(shown.stdout).toContain(`database.password = ${PASSWORD}`);
  });

  it('stores offsets once changes stream, and shows them', async () => {
    await sql(`INSERT INTO ${schema}.holding VALUES (1, 'a'), (2, 'b')`);
    const offsets = await until('stored offsets', async () => {
      const result = await cdc(['offsets', names.flags, '--json']);
      expectExit(result, 0);
      const doc = JSON.parse(result.stdout) as { offsets: { offset: { lsn?: number } }[] };
      return doc.offsets.length && doc.offsets[0].offset?.lsn ? doc.offsets : undefined;
    });
    const [{ lsn }] = await sql<{ lsn: string }>("SELECT (pg_current_wal_lsn() - '0/0')::text AS lsn");
    expect(BigInt(offsets[0].offset.lsn!)).toBeLessThanOrEqual(BigInt(lsn));
  });

  it('status --check-db confirms that the slot is in use', async () => {
    const result = await cdc(['status', names.flags, '--check-db', '--json']);
    expectExit(result, 0);
    expect(JSON.parse(result.stdout)[0]).toMatchObject({
      health: 'RUNNING',
      database: { checked: true, problem: null, slot: { name: slotOf(names.flags), exists: true, active: true } },
    });
  });

  it("looks at the slot from where cdc reaches PostgreSQL when the worker's host name does not resolve here (docker compose)", async () => {
    const [{ withPg, displayOf }, { lookupSlot }, { lookupPublication }] = await Promise.all([
      import('../../src/pg/connection'),
      import('../../src/pg/slots'),
      import('../../src/pg/publications'),
    ]);
    const where = { host: 'postgres.invalid', port: 5432, user: role, database };
    const target = { ...where, password: PASSWORD, source: 'test', display: displayOf(where), via: { host: pg.hostname, port: Number(pg.port) } };
    const found = await withPg(target, async (db) => ({
      slot: await lookupSlot(db, slotOf(names.flags)),
      publication: await lookupPublication(db, `${slotOf(names.flags)}_pub`),
    }));
    expect(found).toMatchObject({ slot: { exists: true, active: true }, publication: { exists: true } });
    const unreachable = await withPg({ ...target, via: { host: '127.0.0.1', port: 9 } }, (db) => lookupSlot(db, 'x')).catch((e: Error) => e);
    expect((unreachable as Error).message).toMatch(
      /^cannot reach PostgreSQL at postgres:\/\/[^@]+@postgres\.invalid:5432\/[^:]*: host postgres\.invalid not found; nor at 127\.0\.0\.1:9, where cdc reaches PostgreSQL: cannot reach .*connection refused/,
    );
  });

  it('pauses, stops and resumes with the status exit codes following', async () => {
    expectExit(await cdc(['status', names.flags]), 0);
    expectExit(await cdc(['pause', names.flags]), 0);
    const paused = await until('PAUSED', async () => {
      const r = await cdc(['status', names.flags]);
      return r.stdout.includes('\tPAUSED\t') ? r : undefined;
    });
    expectExit(paused, 5);
    expectExit(await cdc(['resume', names.flags, '--wait']), 0);
    expectExit(await cdc(['stop', names.flags]), 0);
    const stopped = await until('STOPPED', async () => {
      const r = await cdc(['status', names.flags, '--json']);
      return JSON.parse(r.stdout)[0].state === 'STOPPED' ? r : undefined;
    });
    expectExit(stopped, 5);
    expectExit(await cdc(['resume', names.flags, '--wait', '--wait-timeout', '90']), 0);
    expectExit(await cdc(['restart', names.flags, '--include-tasks', '--wait', '--wait-timeout', '90']), 0);
    expectExit(await cdc(['status', names.flags]), 0);
  });

  it('dry-run validates on the server and diffs against the live config without writing', async () => {
    const result = await cdc([
      'register',
      names.flags,
      '--table',
      `${schema}.holding`,
      '--table',
      `${schema}.orders`,
      '--snapshot-mode',
      'no_data',
      '--dry-run',
    ]);
    expectExit(result, 0);
    expect(result.stdout).toBe(
      `~ ${names.flags} (2 keys change)\n  + snapshot.mode: no_data\n  ~ table.include.list: ${schema}\\.holding → ${schema}\\.holding,${schema}\\.orders\n`,
    );
    const live = (await (await fetch(`${urls.connectUrl}/connectors/${names.flags}/config`)).json()) as Record<string, string>;
    expect(live['snapshot.mode']).toBeUndefined();
  });

  it('refuses a slot already used by another connector, naming the replacement', async () => {
    const file = writeFile('clash.json', { name: names.file, config: fileConfig({ 'slot.name': slotOf(names.flags) }) });
    const result = await cdc(['register', file]);
    expectExit(result, 3);
    expect(result.stderr).toContain(`connector '${names.flags}' already uses replication slot '${slotOf(names.flags)}'`);
    expect(result.stderr).toContain(`use: slot.name=${slotOf(names.file)}`);
  });

  it('registers from a file (upsert: created, then unchanged, then updated)', async () => {
    const file = writeFile(`${names.file}.json`, fileConfig());
    const created = await cdc(['register', file, '--wait', '--wait-timeout', '90']);
    expectExit(created, 0);
    expect(created.stderr).toContain(`created ${names.file}`);
    const again = await cdc(['register', file]);
    expectExit(again, 0);
    expect(again.stderr).toContain(`unchanged ${names.file}`);
    const viaStdin = await cdc(['register', '-', '--json'], {
      input: JSON.stringify({ name: names.file, config: fileConfig({ 'heartbeat.interval.ms': '5000' }) }),
    });
    expectExit(viaStdin, 0);
    expect(JSON.parse(viaStdin.stdout)).toEqual([{ name: names.file, action: 'updated', changedKeys: ['heartbeat.interval.ms'], health: null }]);
  });

  it("validate reports Connect's errors field by field (wrong database, wrong password) and exits 3", async () => {
    const wrongDb = writeFile('wrong-db.json', {
      name: names.wrong,
      config: fileConfig({ 'database.dbname': `nosuchdb_${suffix}`, 'slot.name': slotOf(names.wrong) }),
    });
    const result = await cdc(['validate', wrongDb]);
    expectExit(result, 3);
    expect(result.stdout).toContain(`${names.wrong} (${wrongDb}): invalid`);
    expect(result.stdout).toMatch(new RegExp(`database\\.hostname: .*database "nosuchdb_${suffix}" does not exist`));
    const wrongPw = writeFile('wrong-pw.json', {
      name: names.wrong,
      config: fileConfig({ 'database.password': 'not-the-password', 'slot.name': slotOf(names.wrong) }),
    });
    const pw = await cdc(['validate', wrongPw, '--json']);
    expectExit(pw, 3);
    const [report] = JSON.parse(pw.stdout);
    expect(report.errors[0].errors[0]).toContain('password authentication failed');
    const register = await cdc(['register', wrongDb]);
    expectExit(register, 3);
    expect(register.stderr).toContain('Kafka Connect rejected the configuration');
    expect(register.stderr).toMatch(/database\.hostname: /);
  });

  it('reports a FAILED task with its root cause: register --wait and status exit 6', async () => {
    const file = writeFile('failing.json', {
      name: names.failing,
      config: fileConfig({
        'plugin.name': 'decoderbufs',
        'slot.name': slotOf(names.failing),
        'topic.prefix': names.failing,
        'publication.name': `${slotOf(names.failing)}_pub`,
      }),
    });
    const refused = await cdc(['register', file]);
    expectExit(refused, 3);
    expect(refused.stderr).toContain('use: plugin.name=pgoutput');
    const failed = await cdc(['register', file, '--ignore-lint', 'plugin-name', '--wait', '--wait-timeout', '90']);
    expectExit(failed, 6);
    expect(failed.stderr).toMatch(new RegExp(`connector '${names.failing}' FAILED \\(task 0\\): PSQLException: .*decoderbufs`));
    const status = await cdc(['status', names.failing]);
    expectExit(status, 6);
    expect(status.stdout).toMatch(/FAILED\tRUNNING\t0\/1\tPSQLException/);
    const all = await cdc(['status']);
    expectExit(all, 6);
    const restarted = await cdc(['restart', names.failing, '--include-tasks', '--failed-only']);
    expectExit(restarted, 0);
    // --wait reports the outcome of the restart (the task fails again), not the FAILED from before it.
    const waited = await cdc(['restart', names.failing, '--include-tasks', '--failed-only', '--wait', '--wait-timeout', '90']);
    expectExit(waited, 6);
    expect(waited.stderr).toMatch(new RegExp(`connector '${names.failing}' FAILED \\(task 0\\): PSQLException: .*decoderbufs`));
  });

  it('status --check-db finds a connector that Connect calls RUNNING but cannot log in after a password change', async () => {
    const file = writeFile('rotated.json', {
      name: names.rotated,
      config: fileConfig({
        'database.user': rotRole,
        'database.password': ROT_PASSWORD,
        'slot.name': slotOf(names.rotated),
        'publication.name': `${slotOf(names.rotated)}_pub`,
        'topic.prefix': names.rotated,
        'table.include.list': `${schema}\\.rotated`,
      }),
    });
    expectExit(await cdc(['register', file, '--wait', '--wait-timeout', '90']), 0);
    await sql(`ALTER ROLE ${rotRole} PASSWORD 'rotated-${suffix}'`);
    expectExit(await cdc(['restart', names.rotated, '--include-tasks']), 0);
    // Debezium treats the failed login as retriable: Connect keeps reporting RUNNING.
    await until(
      'Connect to report the restarted task RUNNING',
      async () => {
        const r = await cdc(['status', names.rotated]);
        return r.code === 0 ? r : undefined;
      },
      30_000,
    );
    const checked = await cdc(['status', names.rotated, '--check-db']);
    expectExit(checked, 5);
    expect(checked.stdout).toMatch(
      new RegExp(`^${names.rotated}\\tDEGRADED\\tRUNNING\\t1/1\\t.*password authentication failed for user ${rotRole} at PostgreSQL at postgres://${rotRole}@`),
    );
    expectExit(await cdc(['delete', names.rotated, '--yes']), 0);
  });

  it('resets offsets: stop, then delete them; the connector stays STOPPED', async () => {
    const result = await cdc(['offsets', names.flags, '--reset', '--yes']);
    expectExit(result, 0);
    expect(result.stderr).toContain('reset successfully');
    const after = JSON.parse((await cdc(['offsets', names.flags, '--json'])).stdout);
    expect(after.offsets.filter((o: { offset: unknown }) => o.offset !== null)).toEqual([]);
    expect(JSON.parse((await cdc(['status', names.flags, '--json'])).stdout)[0].state).toBe('STOPPED');
  });

  it('plugins lists Debezium', async () => {
    const result = await cdc(['plugins']);
    expectExit(result, 0);
    expect(result.stdout).toMatch(/^io\.debezium\.connector\.postgresql\.PostgresConnector\tsource\t3\./m);
  });

  it('delete asks off a TTY, then reports the slot and publication left behind, or drops them', async () => {
    expectExit(await cdc(['delete', names.flags]), 2);
    const result = await cdc(['delete', names.flags, '--yes']);
    expectExit(result, 0);
    expect(result.stderr).toContain(`replication slot '${slotOf(names.flags)}' remains`);
    expect(result.stderr).toContain(`publication '${slotOf(names.flags)}_pub' remains`);
    expect(result.stderr).toContain(`SELECT pg_drop_replication_slot('${slotOf(names.flags)}');`);
    const dropped = await cdc(['delete', names.file, '--yes', '--drop-slot', '--drop-publication', '--json']);
    expectExit(dropped, 0);
    expect(JSON.parse(dropped.stdout)).toMatchObject({
      name: names.file,
      postgres: { checked: true, dropped: { slot: true, publication: true }, slot: { exists: false }, publication: { exists: false } },
    });
    expect(await sql('SELECT 1 FROM pg_replication_slots WHERE slot_name = $1', [slotOf(names.file)])).toHaveLength(0);
    const gone = await cdc(['status', names.file]);
    expectExit(gone, 4);
    expect(gone.stderr).toContain(`connector '${names.file}' not found`);
  });

  it('never printed the password in any run above', () => {
    expect(outputs.length).toBeGreaterThan(30);
    for (const { args, result } of outputs) {
      const text = `${result.stdout}${result.stderr}`;
      if (text.includes(PASSWORD) || text.includes(ROT_PASSWORD))
        throw new Error(`password printed by cdc connector ${args.join(' ')}\n${describeResult(result)}`);
    }
  });
});
