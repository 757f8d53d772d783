/**
 * The stack's sink side: the target database `analytics` (its own role, not a superuser) and
 * Debezium's JDBC sink connector on the Connect worker, which lands a captured table there in
 * upsert mode (the peer of `cdc sink postgres` in its benchmark).
 */
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { stackUrls } from '../helpers/stack';

const urls = stackUrls();
const suffix = `${process.pid}_${Date.now().toString(36)}`;
const source = `targetit_${suffix}`;
const sourceConnector = `target-it-src-${suffix}`;
const sinkConnector = `target-it-sink-${suffix}`;
const sinkTable = `jdbcit_${suffix}`;

function urlFor(base: string, db: string): string {
  const url = new URL(base);
  url.pathname = `/${db}`;
  return url.toString();
}

async function withClient<T>(url: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function connect(method: string, route: string, body?: unknown): Promise<{ status: number; text: string }> {
  const response = await fetch(`${urls.connectUrl}${route}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, text: await response.text() };
}

async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      if ((err as { fatal?: boolean }).fatal) throw err;
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

describe('the target database', () => {
  test('CDC_TARGET_URL logs in as its own role, which is no superuser and owns the database', async () => {
    const target = new URL(urls.targetUrl);
    expect([target.username, target.pathname, target.port]).toEqual(['analytics', '/analytics', new URL(urls.pgUrl).port]);
    const who = await withClient(urls.targetUrl, async (c) => {
      const { rows } = await c.query(`select current_user as "user", current_database() as db, r.rolsuper as super,
        pg_get_userbyid(d.datdba) as owner from pg_roles r, pg_database d where r.rolname = current_user and d.datname = current_database()`);
      return rows[0];
    });
    expect(who).toEqual({ user: 'analytics', db: 'analytics', super: false, owner: 'analytics' });
  });

  test('a wrong password is refused', async () => {
    const url = new URL(urls.targetUrl);
    url.password = 'wrong';
    await expect(withClient(url.toString(), (c) => c.query('select 1'))).rejects.toMatchObject({ code: '28P01' });
  });
});

describe("Debezium's JDBC sink connector on the stack's worker", () => {
  beforeAll(async () => {
    await withClient(urls.pgUrl, (c) => c.query(`create database ${source}`));
    await withClient(urlFor(urls.pgUrl, source), async (c) => {
      await c.query('create table public.holding (id bigint primary key, symbol text not null, quantity numeric(12,2) not null)');
      await c.query(`insert into public.holding values (1, 'ACME', 10.50), (2, 'INIT', 3), (3, 'GONE', 1)`);
    });
  });

  afterAll(async () => {
    await connect('DELETE', `/connectors/${sinkConnector}`);
    await connect('DELETE', `/connectors/${sourceConnector}`);
    await withClient(urls.pgUrl, async (c) => {
      await eventually(
        'the slot to be released',
        async () => {
          const { rows } = await c.query('select active from pg_replication_slots where slot_name = $1', [source]);
          if (rows.length === 0) return true;
          if (rows[0].active) return undefined;
          await c.query('select pg_drop_replication_slot($1)', [source]);
          return true;
        },
        30_000,
      );
      await c.query(`drop database if exists ${source} with (force)`);
    });
    await withClient(urls.targetUrl, (c) => c.query(`drop table if exists public.${sinkTable}`));
    const admin = new Kafka({ clientId: source, brokers: [urls.brokers], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(source));
    if (topics.length > 0) await admin.deleteTopics({ topics });
    await admin.disconnect();
  });

  test('lands a captured table in the target database: snapshot, update and delete in upsert mode', async () => {
    const pg = new URL(urls.pgUrl);
    const target = new URL(urls.targetUrl);
    const created = await connect('POST', '/connectors', {
      name: sourceConnector,
      config: {
        'connector.class': 'io.debezium.connector.postgresql.PostgresConnector',
        'database.hostname': pg.hostname,
        'database.port': pg.port,
        'database.user': 'postgres',
        'database.password': 'postgres',
        'database.dbname': source,
        'topic.prefix': source,
        'plugin.name': 'pgoutput',
        'slot.name': source,
        'publication.name': `${source}_pub`,
        'publication.autocreate.mode': 'filtered',
        'table.include.list': 'public.holding',
      },
    });
    expect({ status: created.status, body: created.text }).toEqual({ status: 201, body: expect.any(String) });
    const sink = await connect('POST', '/connectors', {
      name: sinkConnector,
      config: {
        'connector.class': 'io.debezium.connector.jdbc.JdbcSinkConnector',
        topics: `${source}.public.holding`,
        'connection.url': `jdbc:postgresql://${target.hostname}:${target.port}/analytics`,
        'connection.username': 'analytics',
        'connection.password': 'analytics',
        'insert.mode': 'upsert',
        'primary.key.mode': 'record_key',
        'delete.enabled': 'true',
        'schema.evolution': 'basic',
        // Schema-qualified: unqualified, the sink creates the table in the role's search_path,
        // "$user" first, i.e. in schema analytics once another test (finance, the help examples)
        // made it there, and this test would wait for public.<table> forever.
        'collection.name.format': `public.${sinkTable}`,
      },
    });
    expect({ status: sink.status, body: sink.text }).toEqual({ status: 201, body: expect.any(String) });

    const rows = (): Promise<unknown[] | undefined> =>
      withClient(urls.targetUrl, async (c) => {
        const exists = await c.query(`select 1 from pg_tables where schemaname = 'public' and tablename = $1`, [sinkTable]);
        if (exists.rowCount === 0) return undefined;
        return (await c.query(`select id::int, symbol, quantity::text from public.${sinkTable} order by id`)).rows;
      });
    // What to say when the target stays empty: both connectors' states (a FAILED task carries its
    // trace) and where, if anywhere, a table of that name was made.
    const diagnosis = async () => {
      const where = await withClient(urls.targetUrl, async (c) =>
        (await c.query('select schemaname from pg_tables where tablename = $1', [sinkTable])).rows.map((r: { schemaname: string }) => r.schemaname),
      );
      const source = (await connect('GET', `/connectors/${sourceConnector}/status`)).text;
      const sink = (await connect('GET', `/connectors/${sinkConnector}/status`)).text;
      return `table ${sinkTable} in schemas ${JSON.stringify(where)}; source connector ${source}; sink connector ${sink}`;
    };
    const failedTask = async () => {
      for (const name of [sourceConnector, sinkConnector]) {
        const status = JSON.parse((await connect('GET', `/connectors/${name}/status`)).text) as { tasks?: { state: string }[] };
        if (status.tasks?.some((t) => t.state === 'FAILED')) return name;
      }
      return undefined;
    };
    // A loaded machine (the whole suite on 2 cores) takes a while to snapshot and start the sink; a
    // failed task ends the wait at once.
    await eventually(
      'the snapshot in the target',
      async () => {
        if ((await rows())?.length === 3) return true;
        const failed = await failedTask();
        if (failed) throw Object.assign(new Error(`connector ${failed} failed`), { fatal: true });
        return undefined;
      },
      150_000,
    ).catch(async (err) => {
      throw new Error(`${(err as Error).message}; ${await diagnosis()}`);
    });

    await withClient(urlFor(urls.pgUrl, source), async (c) => {
      await c.query(`update public.holding set quantity = 99.25 where id = 2`);
      await c.query('delete from public.holding where id = 3');
    });
    const expected = [
      { id: 1, symbol: 'ACME', quantity: '10.50' },
      { id: 2, symbol: 'INIT', quantity: '99.25' },
    ];
    const final = await eventually('the update and delete in the target', async () => {
      const now = await rows();
      return JSON.stringify(now) === JSON.stringify(expected) ? now : undefined;
    }).catch(async (err) => {
      throw new Error(`${(err as Error).message}; target has ${JSON.stringify(await rows())}; ${await diagnosis()}`);
    });
    expect(final).toEqual(expected);
  }, 300_000);
});
