/**
 * `cdc seed holdings` against the stack's PostgreSQL. The oracle is Postgres' own logical decoding
 * (test_decoding on a temporary slot): it shows every transaction and every row change exactly as a
 * CDC connector receives them, so the tests check that each statement is its own transaction and
 * that the command's report (events, fields changed, expected pivot rows) matches the change stream.
 */
import { Client } from 'pg';
import { describeResult, runCli, type CliResult } from '../helpers/run-cli';
import { stackUrls } from '../helpers/stack';

const { pgUrl } = stackUrls();
const suffix = `${process.pid}_${Date.now().toString(36)}`;
const schema = `it_seedh_${suffix}`;
let client: Client;

function expectExit(result: CliResult, code: number): void {
  if (result.code !== code) throw new Error(`expected exit ${code}, got ${describeResult(result)}`);
}

function holdings(...args: string[]): Promise<CliResult> {
  return runCli(['seed', 'holdings', '--pg-url', pgUrl, '--schema', schema, ...args]);
}

interface Change {
  xid: string;
  op: 'INSERT' | 'UPDATE' | 'DELETE';
  old?: Record<string, string>;
  new?: Record<string, string>;
}

/** Columns of a test_decoding tuple: name[type]:value, values quoted with '' escapes. */
function tuple(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of text.matchAll(/(\w+)\[[^\]]+\]:('(?:[^']|'')*'|\S+)/g)) out[m[1]] = m[2];
  return out;
}

/** Runs `work` while a temporary test_decoding slot records the changes to `table`. */
async function decoded(table: string, work: () => Promise<void>): Promise<Change[]> {
  const slot = `it_seedh_${suffix}_${Math.floor(Math.random() * 1e6)}`;
  const session = new Client({ connectionString: pgUrl });
  await session.connect();
  try {
    await session.query(`SELECT pg_create_logical_replication_slot($1, 'test_decoding', true)`, [slot]);
    await work();
    // The stack runs with synchronous_commit=off and decoding reads only flushed WAL: wait until
    // the WAL writer has flushed past everything the work wrote.
    const end = (await session.query<{ lsn: string }>('SELECT pg_current_wal_insert_lsn()::text AS lsn')).rows[0].lsn;
    for (let waited = 0; ; waited += 50) {
      if ((await session.query('SELECT pg_current_wal_flush_lsn() >= $1::pg_lsn AS done', [end])).rows[0].done) break;
      if (waited > 10_000) throw new Error(`WAL not flushed up to ${end} after 10 s`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const { rows } = await session.query<{ xid: string; data: string }>(
      `SELECT xid::text, data FROM pg_logical_slot_get_changes($1, $2::pg_lsn, NULL, 'skip-empty-xacts', '1')`,
      [slot, end],
    );
    const prefix = `table ${schema}.${table}: `;
    return rows
      .filter((r) => r.data.startsWith(prefix))
      .map((r) => {
        const [op, rest] = [r.data.slice(prefix.length).split(':')[0], r.data.slice(prefix.length).replace(/^\w+: /, '')];
        if (op === 'UPDATE') {
          const [oldPart, newPart] = rest.replace(/^old-key: /, '').split(' new-tuple: ');
          return { xid: r.xid, op, old: tuple(oldPart), new: tuple(newPart) };
        }
        return op === 'DELETE' ? { xid: r.xid, op, old: tuple(rest) } : { xid: r.xid, op: op as 'INSERT', new: tuple(rest) };
      });
  } finally {
    await session.end();
  }
}

/** What the report should say, derived from the change stream alone. */
function expectedReport(changes: Change[]) {
  const count = (op: string) => changes.filter((c) => c.op === op).length;
  const changed = (field: string) => changes.filter((c) => c.op === 'UPDATE' && c.old?.[field] !== c.new?.[field]).length;
  const [c, u, d] = [count('INSERT'), count('UPDATE'), count('DELETE')];
  const stock = changed('holding_stock');
  const quantity = changed('holding_quantity');
  return {
    events: { c, u, d, tombstones: d },
    fieldsChanged: { holding_stock: stock, holding_quantity: quantity },
    pivot: { rows: 2 * (c + u + d), changedOnlyRows: 2 * c + stock + quantity + 2 * d },
  };
}

function oneChangePerTransaction(changes: Change[]): void {
  const perXid = new Map<string, number>();
  for (const change of changes) perXid.set(change.xid, (perXid.get(change.xid) ?? 0) + 1);
  expect([...perXid.values()].filter((n) => n !== 1)).toEqual([]);
}

beforeAll(async () => {
  client = new Client({ connectionString: pgUrl });
  await client.connect();
});

afterAll(async () => {
  await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.end();
});

describe('cdc seed holdings', () => {
  it("creates the tutorials' table: columns, key and REPLICA IDENTITY FULL", async () => {
    const result = await holdings();
    expectExit(result, 0);
    expect(result.stderr).toMatch(/created, REPLICA IDENTITY FULL/);
    const columns = await client.query(
      `SELECT column_name, data_type, character_maximum_length AS len FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'holding' ORDER BY ordinal_position`,
      [schema],
    );
    expect(columns.rows).toEqual([
      { column_name: 'holding_id', data_type: 'integer', len: null },
      { column_name: 'user_id', data_type: 'integer', len: null },
      { column_name: 'holding_stock', data_type: 'character varying', len: 8 },
      { column_name: 'holding_quantity', data_type: 'integer', len: null },
      { column_name: 'datetime_created', data_type: 'timestamp without time zone', len: null },
      { column_name: 'datetime_updated', data_type: 'timestamp without time zone', len: null },
    ]);
    const meta = await client.query(
      `SELECT relreplident, (SELECT count(*)::int FROM pg_index WHERE indrelid = c.oid AND indisprimary) AS pk FROM pg_class c WHERE oid = '"${schema}".holding'::regclass`,
    );
    expect(meta.rows[0]).toEqual({ relreplident: 'f', pk: 1 });
  });

  it('--script tutorial runs the exact sequence, one transaction per statement, and reports it', async () => {
    let result!: CliResult;
    const changes = await decoded('holding', async () => {
      result = await holdings('--script', 'tutorial', '--json');
    });
    expectExit(result, 0);
    const report = JSON.parse(result.stdout);
    expect(changes.map((c) => `${c.op} ${(c.new ?? c.old)?.holding_id}`)).toEqual([
      'INSERT 1000',
      'INSERT 1001',
      'INSERT 1002',
      'UPDATE 1000',
      'DELETE 1002',
      'DELETE 1001',
      'INSERT 1003',
      'UPDATE 1003',
    ]);
    oneChangePerTransaction(changes);
    expect(changes[3]).toMatchObject({ old: { holding_quantity: '10' }, new: { holding_quantity: '100' } });
    expect(report).toMatchObject({ workload: 'tutorial', statements: 8, rowsAtEnd: 2, ...expectedReport(changes) });
    expect(report.pivot).toMatchObject({ rows: 16, changedOnlyRows: 14 });
    expect(report.log.map((l: { rows: number }) => l.rows)).toEqual([1, 1, 1, 1, 1, 1, 1, 1]);

    const rows = await client.query(
      `SELECT holding_id, user_id, holding_stock, holding_quantity, datetime_created IS NOT NULL AND datetime_created > now() - interval '1 hour' AS fresh FROM "${schema}".holding ORDER BY 1`,
    );
    expect(rows.rows).toEqual([
      { holding_id: 1000, user_id: 1, holding_stock: 'VFIAX', holding_quantity: 100, fresh: true },
      { holding_id: 1003, user_id: 3, holding_stock: 'VTSAX', holding_quantity: 10, fresh: true },
    ]);
  });

  it('refuses to run the tutorial over its own rows, and --truncate starts over', async () => {
    const again = await holdings('--script', 'tutorial');
    expectExit(again, 1);
    expect(again.stderr).toMatch(/already has the tutorial's holdings 1000, 1003/);
    expect(again.stderr).toMatch(/hint: pass --truncate/);
    expectExit(await holdings('--script', 'tutorial', '--truncate'), 0);
    expect((await client.query(`SELECT count(*)::int AS n FROM "${schema}".holding`)).rows[0].n).toBe(2);
  });

  it('a random mix reports exactly what the change stream carries', async () => {
    let result!: CliResult;
    const changes = await decoded('mix', async () => {
      result = await holdings('--table', 'mix', '--ops', '1500', '--seed', '42', '--users', '20', '--json');
    });
    expectExit(result, 0);
    const report = JSON.parse(result.stdout);
    oneChangePerTransaction(changes);
    expect(changes).toHaveLength(1500);
    expect(report).toMatchObject({ workload: 'random', seed: 42, users: 20, statements: 1500, ...expectedReport(changes) });
    for (const kind of ['c', 'u', 'd'] as const) expect(report.events[kind]).toBeGreaterThan(0);
    expect(report.fieldsChanged.holding_stock).toBeGreaterThan(0);
    expect(report.fieldsChanged.holding_quantity).toBeGreaterThan(0);
    expect(report.rowsAtEnd).toBe(report.events.c - report.events.d);
    expect((await client.query(`SELECT count(*)::int AS n FROM "${schema}".mix`)).rows[0].n).toBe(report.rowsAtEnd);
  });

  it('the same seed replays the same workload', async () => {
    const a = await holdings('--table', 'replay_a', '--ops', '300', '--seed', '7', '--json');
    const b = await holdings('--table', 'replay_b', '--ops', '300', '--seed', '7', '--json');
    expectExit(a, 0);
    expectExit(b, 0);
    const strip = (r: CliResult) => {
      const { table: _t, seconds: _s, created: _c, ...rest } = JSON.parse(r.stdout);
      return rest;
    };
    expect(strip(a)).toEqual(strip(b));
    const rows = async (t: string) => (await client.query(`SELECT holding_id, user_id, holding_stock, holding_quantity FROM "${schema}".${t} ORDER BY 1`)).rows;
    expect(await rows('replay_a')).toEqual(await rows('replay_b'));
  });

  it('--rate paces the statements', async () => {
    const started = Date.now();
    const result = await holdings('--table', 'paced', '--ops', '10', '--seed', '1', '--rate', '20');
    expectExit(result, 0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(450);
  });

  it('quotes a hostile schema name', async () => {
    const hostile = `h${suffix.slice(-6)}"; DROP SCHEMA ${schema} CASCADE; --`;
    expect(Buffer.byteLength(hostile)).toBeLessThanOrEqual(63);
    const result = await runCli(['seed', 'holdings', '--pg-url', pgUrl, '--schema', `"${hostile.replace(/"/g, '""')}"`, '--script', 'tutorial']);
    try {
      expectExit(result, 0);
      expect((await client.query(`SELECT count(*)::int AS n FROM "${hostile.replace(/"/g, '""')}".holding`)).rows[0].n).toBe(2);
      expect((await client.query(`SELECT count(*)::int AS n FROM "${schema}".holding`)).rows[0].n).toBe(2);
    } finally {
      await client.query(`DROP SCHEMA IF EXISTS "${hostile.replace(/"/g, '""')}" CASCADE`);
    }
  });
});
