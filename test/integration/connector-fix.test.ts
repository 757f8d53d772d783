/**
 * A Debezium 1.x tutorial config (database.server.name, table.whitelist, schema.whitelist, no
 * plugin.name) on the real worker: register refuses it, naming each replacement; `--fix` applies
 * them and the connector runs; `lint --fix --write` upgrades the file so that it validates.
 */
import { Client } from 'pg';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describeResult, runCli, type CliResult } from '../helpers/run-cli';
import { stackUrls } from '../helpers/stack';

const urls = stackUrls();
const pg = new URL(urls.pgUrl);
const suffix = `${process.pid.toString(36)}${Date.now().toString(36).slice(-5)}`;
const schema = `cit_fix_${suffix}`;
const name = `cit-fix-${suffix}`;
const slot = name.replace(/-/g, '_');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdc-connector-fix-'));
const env = { CDC_CONNECT_URL: urls.connectUrl, CDC_CONFIG: path.join(dir, 'none.json'), DATABASE_URL: urls.pgUrl };

async function sql(text: string): Promise<void> {
  const client = new Client({ connectionString: urls.pgUrl });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

async function cdc(args: string[]): Promise<CliResult> {
  return runCli(['connector', ...args], { env, timeoutMs: 110_000 });
}

function expectExit(result: CliResult, code: number): void {
  if (result.code !== code) throw new Error(`expected exit ${code}\n${describeResult(result)}`);
}

/** The tutorial file as a user has it, pointed at this stack and this test's schema. */
function tutorialFile(file: string, connector: string): string {
  const doc = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../fixtures/connectors/tutorial-1x.json'), 'utf8'));
  doc.name = connector;
  Object.assign(doc.config, {
    'database.hostname': pg.hostname,
    'database.port': Number(pg.port),
    'database.dbname': pg.pathname.slice(1) || 'postgres',
    'database.server.name': connector,
    'schema.whitelist': schema,
    'table.whitelist': `${schema}.customers,${schema}.orders`,
  });
  const full = path.join(dir, file);
  fs.writeFileSync(full, JSON.stringify(doc, null, 2));
  return full;
}

beforeAll(async () => {
  await sql(`CREATE SCHEMA ${schema}`);
  await sql(`CREATE TABLE ${schema}.customers (id int PRIMARY KEY, name text)`);
  await sql(`CREATE TABLE ${schema}.orders (id int PRIMARY KEY, customer int)`);
  await sql(`INSERT INTO ${schema}.customers VALUES (1, 'Ada')`);
});

afterAll(async () => {
  await fetch(`${urls.connectUrl}/connectors/${name}`, { method: 'DELETE' }).catch(() => undefined);
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const client = new Client({ connectionString: urls.pgUrl });
    await client.connect();
    const { rows } = await client.query('SELECT active FROM pg_replication_slots WHERE slot_name = $1', [slot]);
    await client.end();
    if (!rows[0]?.active) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  await sql(`SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '${slot}' AND NOT active`);
  await sql(`DROP PUBLICATION IF EXISTS ${slot}_pub`);
  await sql(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('Debezium 1.x configs on the real worker', () => {
  it('register refuses the tutorial config, naming each replacement; --fix registers it upgraded, and it runs', async () => {
    const file = tutorialFile('tutorial.json', name);
    const refused = await cdc(['register', file]);
    expectExit(refused, 3);
    expect(refused.stderr).toContain('database.server.name is ignored by Debezium 2.0 and later [legacy-key]');
    expect(refused.stderr).toContain(`use: table.include.list=${schema}\\.customers,${schema}\\.orders`);
    expect(refused.stderr).toContain('use: plugin.name=pgoutput');
    expect((await fetch(`${urls.connectUrl}/connectors/${name}`)).status).toBe(404);

    const fixed = await cdc(['register', file, '--fix', '--wait', '--wait-timeout', '90']);
    expectExit(fixed, 0);
    expect(fixed.stderr).toContain(`fixed: ${name}: database.server.name → topic.prefix=${name} [legacy-key]`);
    expect(fixed.stderr).toContain(`fixed: ${name}: table.whitelist → table.include.list=${schema}\\.customers,${schema}\\.orders [legacy-key]`);
    expect(fixed.stderr).toContain(`fixed: ${name}: schema.whitelist → schema.include.list=${schema} [legacy-key]`);
    expect(fixed.stderr).toContain(`fixed: ${name}: plugin.name=pgoutput [plugin-name]`);
    expect(fixed.stderr).toContain(`${name} RUNNING`);
    const config = (await (await fetch(`${urls.connectUrl}/connectors/${name}/config`)).json()) as Record<string, string>;
    expect(config).toMatchObject({
      'topic.prefix': name,
      'plugin.name': 'pgoutput',
      'slot.name': slot,
      'publication.name': `${slot}_pub`,
      'publication.autocreate.mode': 'filtered',
      'table.include.list': `${schema}\\.customers,${schema}\\.orders`,
    });
    for (const legacy of ['database.server.name', 'table.whitelist', 'schema.whitelist']) expect(config[legacy]).toBeUndefined();
    // The connector really captures the tables: its slot and publication exist, for these tables only.
    const client = new Client({ connectionString: urls.pgUrl });
    await client.connect();
    try {
      const { rows } = await client.query('SELECT schemaname, tablename FROM pg_publication_tables WHERE pubname = $1 ORDER BY tablename', [`${slot}_pub`]);
      expect(rows).toEqual([
        { schemaname: schema, tablename: 'customers' },
        { schemaname: schema, tablename: 'orders' },
      ]);
    } finally {
      await client.end();
    }
  });

  it('lint --fix --write upgrades the file in place; the worker then validates it', async () => {
    const file = tutorialFile('to-write.json', `${name}-w`);
    const written = await cdc(['lint', file, '--fix', '--write']);
    expectExit(written, 0);
    expect(written.stderr).toContain(`wrote ${file}`);
    const upgraded = JSON.parse(fs.readFileSync(file, 'utf8'));
    expect(upgraded.config['database.server.name']).toBeUndefined();
    expect(upgraded.config['database.port']).toBe(Number(pg.port));
    // Another slot name: the first test's connector holds its own.
    const validated = await cdc(['validate', file, '--ignore-lint', 'plaintext-password']);
    expectExit(validated, 0);
    expect(validated.stdout).toContain(`${name}-w (${file}): valid`);
  });
});
