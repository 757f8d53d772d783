/**
 * `cdc seed customers` against hostile content and kills, on the stack's real PostgreSQL:
 * a line `\.` (COPY's end-of-data marker) is data on every path; `--truncate` killed with
 * kill -9 mid-load leaves the old rows whole; a failed or killed load into a new table leaves no
 * table; an empty quoted field means the same on the bulk and the --rate path.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { CDC_BIN, describeResult, runCli, type CliResult } from '../helpers/run-cli';
import { stackUrls } from '../helpers/stack';

const { pgUrl } = stackUrls();
const schema = `it_seedh_${process.pid}_${Date.now().toString(36)}`;
const fixture = path.resolve(__dirname, '../../fixtures/customers.csv');
const HEADER = 'customerId,customerFName,customerLName,customerEmail,customerPassword,customerStreet,customerCity,customerState,customerZipcode';
let client: Client;
let tmp: string;

function seed(...args: string[]): Promise<CliResult> {
  return runCli(['seed', 'customers', '--pg-url', pgUrl, ...args]);
}

function expectExit(result: CliResult, code: number): void {
  if (result.code !== code) throw new Error(`expected exit ${code}, got ${describeResult(result)}`);
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Row count and a digest of every row in key order: equal fingerprints, equal tables. */
async function fingerprint(table: string): Promise<{ n: number; digest: string }> {
  const { rows } = await client.query(
    `SELECT count(*)::int AS n, md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t."customerId"), '')) AS digest FROM ${table} t`,
  );
  return rows[0];
}

async function exists(table: string): Promise<boolean> {
  return (await client.query('SELECT to_regclass($1) IS NOT NULL AS e', [table])).rows[0].e;
}

function customerRows(from: number, count: number): string {
  let text = '';
  for (let id = from; id < from + count; id++)
    text += `${id},New,Row,new${id}@example.com,XXXXXXXXX,${id} New St,Newtown,NT,${String(id % 100000).padStart(5, '0')}\n`;
  return text;
}

beforeAll(async () => {
  client = new Client({ connectionString: pgUrl });
  await client.connect();
  await client.query(`CREATE SCHEMA "${schema}"`);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cdc-seedh-'));
});

afterAll(async () => {
  await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.end();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe("COPY's end-of-data marker is data", () => {
  it('loads a line that is exactly \\. as a value, and every row after it, on the bulk and the --rate path', async () => {
    const lines = ['a', '\\.', 'b', '"\\."', 'c', '\\.'];
    for (const [eol, mode] of [
      ['\n', []],
      ['\r\n', []],
      ['\n', ['--batch-size', '1']],
      ['\n', ['--rate', '1000']],
      ['\r\n', ['--rate', '1000']],
    ] as [string, string[]][]) {
      const name = `notes_${eol.length}_${mode.join('').replace(/\W/g, '')}`;
      await client.query(`CREATE TABLE "${schema}".${name} (n serial PRIMARY KEY, note text)`);
      // The last \. has no line end: a value too, however the file ends.
      const file = path.join(tmp, `${name}.csv`);
      fs.writeFileSync(file, ['note', ...lines].join(eol));
      const result = await seed('--table', `${schema}.${name}`, '--source', file, '--json', ...mode);
      expectExit(result, 0);
      expect(JSON.parse(result.stdout)).toMatchObject({ rows: 6, inserted: 6 });
      const notes = (await client.query(`SELECT note FROM "${schema}".${name} ORDER BY n`)).rows.map((r) => r.note);
      expect([name, notes]).toEqual([name, ['a', '\\.', 'b', '\\.', 'c', '\\.']]);
    }
  });

  it('reports a \\. line among customers as the malformed row it is, instead of ending the load there with exit 0', async () => {
    const body = fs.readFileSync(fixture, 'utf8').split('\n').slice(1, 11);
    const file = path.join(tmp, 'marker-customers.csv');
    fs.writeFileSync(file, [HEADER, ...body.slice(0, 5), '\\.', ...body.slice(5)].join('\n') + '\n');
    const result = await seed('--table', `${schema}.marker_customers`, '--source', file, '--batch-size', '2');
    expectExit(result, 3);
    expect(result.stderr).toMatch(/malformed row 6: invalid input syntax for type integer: "\\\."\s\(column customerId\)/);
    expect(result.stderr).toMatch(/4 row\(s\) before it were committed/);
  });
});

describe('--truncate replaces the rows in one transaction', () => {
  const table = `"${schema}".victim`;

  beforeAll(async () => {
    expectExit(await seed('--table', `${schema}.victim`), 0);
  });

  it('kill -9 in the middle of the load leaves the old table whole', async () => {
    const before = await fingerprint(table);
    expect(before.n).toBe(12435);
    const child = spawn(
      process.execPath,
      [CDC_BIN, 'seed', 'customers', '--pg-url', pgUrl, '--table', `${schema}.victim`, '--truncate', '--source', '-', '--batch-size', '1000'],
      { stdio: ['pipe', 'pipe', 'pipe'] },
    );
    const err: Buffer[] = [];
    child.stderr.on('data', (c: Buffer) => err.push(c));
    const closed = new Promise<NodeJS.Signals | null>((resolve) => child.on('close', (_code, signal) => resolve(signal)));
    // 5 batches of 1000 end (and, loaded batch by batch, would be committed); the 6th is in flight.
    child.stdin.write(`${HEADER}\n${customerRows(100_000, 5_500)}`);
    const copying = await until('the 6th batch to be copying', async () => {
      const { rows } = await client.query(`SELECT pid, tuples_processed::int AS n FROM pg_stat_progress_copy WHERE relid = $1::regclass`, [`${schema}.victim`]);
      return rows[0]?.n === 500 ? rows[0] : undefined;
    }).catch((e: Error) => {
      throw new Error(`${e.message}; cdc said: ${Buffer.concat(err).toString()}`);
    });
    child.kill('SIGKILL');
    expect(await closed).toBe('SIGKILL');
    await until("the killed load's backend to end", async () => {
      const { rowCount } = await client.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [copying.pid]);
      return rowCount === 0 ? true : undefined;
    });
    expect(await fingerprint(table)).toEqual(before);
  });

  it('a bad row in a later batch rolls back the truncate too, and says so', async () => {
    const before = await fingerprint(table);
    const file = path.join(tmp, 'late-bad.csv');
    fs.writeFileSync(file, `${HEADER}\n${customerRows(200_000, 2_500)}x,bad,row,x,x,x,x,x,x\n`);
    const result = await seed('--table', `${schema}.victim`, '--truncate', '--source', file, '--batch-size', '1000');
    expectExit(result, 3);
    expect(result.stderr).toMatch(
      /malformed row 2501: invalid input syntax for type integer: "x" \(column customerId\); nothing was loaded: the truncate and the load are one transaction, so the table keeps its old rows/,
    );
    expect(result.stderr).toMatch(/hint: fix the row \(or the source\) and run the command again\n/);
    expect(await fingerprint(table)).toEqual(before);
  });

  it('a load that succeeds replaces the rows, the same as before', async () => {
    const file = path.join(tmp, 'replacement.csv');
    fs.writeFileSync(file, `${HEADER}\n${customerRows(300_000, 2_500)}`);
    const result = await seed('--table', `${schema}.victim`, '--truncate', '--source', file, '--batch-size', '1000', '--json');
    expectExit(result, 0);
    expect(JSON.parse(result.stdout)).toMatchObject({ mode: 'copy', truncated: true, rows: 2500, inserted: 2500, batches: 3 });
    const { rows } = await client.query(`SELECT count(*)::int AS n, min("customerId") AS lo, max("customerId") AS hi FROM ${table}`);
    expect(rows[0]).toEqual({ n: 2500, lo: 300_000, hi: 302_499 });
  });
});

describe("a new table is created in the load's transaction", () => {
  it('a load that fails in its first batch leaves no empty table behind, on both paths', async () => {
    const file = path.join(tmp, 'first-bad.csv');
    fs.writeFileSync(file, `${HEADER}\n${customerRows(1, 3)}seven,A,B,x,x,s,C,TX,1\n`);
    for (const mode of [[], ['--rate', '1000']]) {
      const name = `fresh_${mode.length}`;
      const result = await seed('--table', `${schema}.${name}`, '--source', file, ...mode);
      expectExit(result, 3);
      expect(result.stderr).toMatch(/malformed row 4/);
      // --rate commits row by row: its first three rows (and so the table) stay.
      expect([name, await exists(`"${schema}".${name}`)]).toEqual([name, mode.length > 0]);
    }
    const firstRowBad = path.join(tmp, 'first-row-bad.csv');
    fs.writeFileSync(firstRowBad, `${HEADER}\nseven,A,B,x,x,s,C,TX,1\n`);
    const rate = await seed('--table', `${schema}.fresh_rate_first`, '--source', firstRowBad, '--rate', '1000');
    expectExit(rate, 3);
    expect(await exists(`"${schema}".fresh_rate_first`)).toBe(false);
  });

  it('kill -9 during the first batch leaves no table', async () => {
    const child = spawn(process.execPath, [CDC_BIN, 'seed', 'customers', '--pg-url', pgUrl, '--table', `${schema}.fresh_killed`, '--source', '-'], {
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    const closed = new Promise<void>((resolve) => child.on('close', () => resolve()));
    child.stdin.write(`${HEADER}\n${customerRows(1, 300)}`);
    const copying = await until('the first batch to be copying', async () => {
      const { rows } = await client.query(
        `SELECT pid, tuples_processed::int AS n FROM pg_stat_progress_copy p JOIN pg_stat_activity a USING (pid)
        WHERE a.query LIKE $1`,
        [`COPY "${schema}"."fresh_killed"%`],
      );
      return rows[0]?.n === 300 ? rows[0] : undefined;
    });
    child.kill('SIGKILL');
    await closed;
    await until("the killed load's backend to end", async () => {
      const { rowCount } = await client.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [copying.pid]);
      return rowCount === 0 ? true : undefined;
    });
    expect(await exists(`"${schema}".fresh_killed`)).toBe(false);
  });

  it('an empty source (a header only) still creates the table', async () => {
    const file = path.join(tmp, 'header-only.csv');
    fs.writeFileSync(file, `${HEADER}\n`);
    for (const mode of [[], ['--rate', '10']]) {
      const result = await seed('--table', `${schema}.empty_${mode.length}`, '--source', file, '--json', ...mode);
      expectExit(result, 0);
      expect(JSON.parse(result.stdout)).toMatchObject({ created: true, rows: 0 });
      expect(await exists(`"${schema}".empty_${mode.length}`)).toBe(true);
    }
  });
});

describe('NULL and the empty string', () => {
  it('mean the same on the bulk and the --rate path: unquoted empty is NULL, "" is an empty string', async () => {
    const file = path.join(tmp, 'empties.csv');
    fs.writeFileSync(file, `${HEADER}\n1,A,B,"",,s,,"",1\n`);
    const seen: unknown[] = [];
    for (const mode of [[], ['--rate', '100']]) {
      const name = `empties_${mode.length}`;
      expectExit(await seed('--table', `${schema}.${name}`, '--source', file, ...mode), 0);
      seen.push((await client.query(`SELECT "customerEmail", "customerPassword", "customerCity", "customerState" FROM "${schema}".${name}`)).rows[0]);
    }
    expect(seen).toEqual([
      { customerEmail: '', customerPassword: null, customerCity: null, customerState: '' },
      { customerEmail: '', customerPassword: null, customerCity: null, customerState: '' },
    ]);
  });
});
