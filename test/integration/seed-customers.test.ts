/**
 * `cdc seed customers` against the stack's real PostgreSQL: the bundled CSV loads exactly, re-runs
 * upsert instead of duplicating, bad rows are reported by number with their batch rolled back,
 * hostile table names stay names, an http source works, and --rate writes one row per transaction.
 * Everything lives in a schema of its own, dropped at the end.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import { parse } from 'csv-parse/sync';
import { Client } from 'pg';
import { main } from '../../commands/main';
import { testContext } from '../helpers/context';
import { CDC_BIN, describeResult, runCli, type CliResult } from '../helpers/run-cli';
import { stackUrls } from '../helpers/stack';

const { pgUrl } = stackUrls();
const schema = `it_seedc_${process.pid}_${Date.now().toString(36)}`;
const fixture = path.resolve(__dirname, '../../fixtures/customers.csv');
const HEADER = 'customerId,customerFName,customerLName,customerEmail,customerPassword,customerStreet,customerCity,customerState,customerZipcode';
let client: Client;
let tmp: string;

function seed(...args: string[]): Promise<CliResult> {
  return runCli(['seed', 'customers', '--pg-url', pgUrl, ...args]);
}

/** Fails with everything the command printed, not just the exit code. */
function expectExit(result: CliResult, code: number): void {
  if (result.code !== code) throw new Error(`expected exit ${code}, got ${describeResult(result)}`);
}

async function count(table: string): Promise<number> {
  return Number((await client.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);
}

beforeAll(async () => {
  client = new Client({ connectionString: pgUrl });
  await client.connect();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cdc-seedc-'));
});

afterAll(async () => {
  await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.query(`DROP SCHEMA IF EXISTS "${schema}""; DROP TABLE x; --" CASCADE`);
  await client.end();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('cdc seed customers', () => {
  const table = `${schema}.customers`;

  it('loads every row of the bundled CSV exactly, into a table with a key and REPLICA IDENTITY FULL', async () => {
    const result = await seed('--table', table);
    expectExit(result, 0);
    expect(result.stdout).toBe('');
    // Piped: no progress bar, no colour, just the summary line.
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/12,435 rows .* 12,435 inserted, 0 updated, 0 unchanged/);
    expect(result.stderr).not.toMatch(/\r|\u001b/);

    const expected: Record<string, string>[] = parse(fs.readFileSync(fixture), { columns: true });
    const rows = (await client.query(`SELECT * FROM "${schema}".customers ORDER BY "customerId"`)).rows;
    expect(rows).toHaveLength(expected.length);
    for (let i = 0; i < expected.length; i++) {
      const want = { ...expected[i], customerId: Number(expected[i].customerId) };
      if (JSON.stringify(rows[i]) !== JSON.stringify(want)) throw new Error(`row ${i + 1} differs: ${JSON.stringify(rows[i])} vs ${JSON.stringify(want)}`);
    }
    const meta = await client.query(
      `SELECT c.relreplident, (SELECT array_agg(a.attname::text) FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
        WHERE i.indrelid = c.oid AND i.indisprimary) AS pk FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = 'customers'`,
      [schema],
    );
    expect(meta.rows[0]).toEqual({ relreplident: 'f', pk: ['customerId'] });
  });

  it('re-running upserts: nothing duplicated, unchanged rows untouched, a changed row updated', async () => {
    const again = await seed('--table', table, '--json');
    expectExit(again, 0);
    expect(JSON.parse(again.stdout)).toMatchObject({ mode: 'upsert', rows: 12435, inserted: 0, updated: 0, unchanged: 12435 });
    await client.query(`UPDATE "${schema}".customers SET "customerCity" = 'Elsewhere' WHERE "customerId" = 5`);
    await client.query(`DELETE FROM "${schema}".customers WHERE "customerId" = 6`);
    const third = await seed('--table', table, '--json');
    expect(JSON.parse(third.stdout)).toMatchObject({ rows: 12435, inserted: 1, updated: 1, unchanged: 12433 });
    expect(await count(`"${schema}".customers`)).toBe(12435);
  });

  it('--truncate --limit 1000 leaves the first 1000 rows, as the tutorials load them', async () => {
    const result = await seed('--table', table, '--truncate', '--limit', '1000', '--json');
    expectExit(result, 0);
    expect(JSON.parse(result.stdout)).toMatchObject({ mode: 'copy', truncated: true, rows: 1000, inserted: 1000 });
    const { rows } = await client.query(`SELECT count(*)::int AS n, min("customerId") AS lo, max("customerId") AS hi FROM "${schema}".customers`);
    expect(rows[0]).toEqual({ n: 1000, lo: 1, hi: 1000 });
  });

  it('--replica-identity default creates the table without FULL; seeding it later warns how to fix it', async () => {
    const created = await seed('--table', `${schema}.plain_identity`, '--replica-identity', 'default', '--limit', '3');
    expectExit(created, 0);
    const identity = await client.query(`SELECT relreplident FROM pg_class WHERE oid = '"${schema}".plain_identity'::regclass`);
    expect(identity.rows[0].relreplident).toBe('d');
    const warned = await seed('--table', `${schema}.plain_identity`, '--limit', '3');
    expectExit(warned, 0);
    expect(warned.stderr).toMatch(/warning: .*REPLICA IDENTITY DEFAULT.*cdc pg check --table .* --fix/);
  });

  it('treats a hostile table name as a name: the SQL inside it never runs', async () => {
    await client.query(`CREATE TABLE "${schema}".canary (id int); INSERT INTO "${schema}".canary VALUES (1)`);
    const hostile = `x"; DROP TABLE "${schema}".canary; --`;
    const result = await seed('--table', `"${schema}"."${hostile.replace(/"/g, '""')}"`, '--limit', '5');
    expectExit(result, 0);
    expect(await count(`"${schema}"."${hostile.replace(/"/g, '""')}"`)).toBe(5);
    expect(await count(`"${schema}".canary`)).toBe(1);

    const hostileSchema = `${schema}"; DROP TABLE x; --`;
    const inSchema = await seed('--table', `"${hostileSchema.replace(/"/g, '""')}".c`, '--limit', '2');
    expectExit(inSchema, 0);
    expect(await count(`"${hostileSchema.replace(/"/g, '""')}".c`)).toBe(2);
  });

  it('reports a malformed row by its number and applies nothing of its batch', async () => {
    const rows = [HEADER];
    for (let i = 1; i <= 10; i++) {
      const street = i === 2 ? '"12 Quoted\nStreet"' : `${i} Main St`;
      rows.push(i === 7 ? `seven,A,B,x,x,${street},C,TX,1` : `${i},A,B,x,x,${street},C,TX,1`);
    }
    const file = path.join(tmp, 'bad.csv');
    fs.writeFileSync(file, rows.join('\n') + '\n');
    const result = await seed('--table', `${schema}.bad`, '--source', file, '--batch-size', '3');
    expectExit(result, 3);
    expect(result.stderr).toMatch(/malformed row 7: invalid input syntax for type integer: "seven"/);
    expect(result.stderr).toMatch(/6 row\(s\) before it were committed/);
    const ids = (await client.query(`SELECT "customerId" AS id FROM "${schema}".bad ORDER BY 1`)).rows.map((r) => r.id);
    expect(ids).toEqual([1, 2, 3, 4, 5, 6]);
    const street = await client.query(`SELECT "customerStreet" AS s FROM "${schema}".bad WHERE "customerId" = 2`);
    expect(street.rows[0].s).toBe('12 Quoted\nStreet');

    // A quoted newline earlier in the failing batch shifts Postgres' line count; the row number must not shift.
    const shifted = path.join(tmp, 'shifted.csv');
    fs.writeFileSync(
      shifted,
      `${HEADER}\n30,A,B,x,x,s,C,TX,1\n31,A,B,x,x,s,C,TX,1\n32,A,B,x,x,s,C,TX,1\n33,A,B,x,x,"two\nlines",C,TX,1\n3x,A,B,x,x,s,C,TX,1\n`,
    );
    const shiftedResult = await seed('--table', `${schema}.shifted`, '--source', shifted, '--batch-size', '3');
    expectExit(shiftedResult, 3);
    expect(shiftedResult.stderr).toMatch(/malformed row 5: invalid input syntax for type integer: "3x"/);
    expect(shiftedResult.stderr).toMatch(/3 row\(s\) before it were committed/);

    // Whatever batch the quoted line ends fall in, and with \n or \r\n line ends.
    for (const eol of ['\n', '\r\n']) {
      const rows = [
        '30,A,B,x,x,s,C,TX,1',
        '31,A,B,x,x,"two' + eol + 'lines",C,TX,1',
        '32,A,B,x,x,s,C,TX,1',
        '33,A,B,x,x,"two' + eol + 'lines",C,TX,1',
        '3x,A,B,x,x,s,C,TX,1',
      ];
      const file = path.join(tmp, `eol-${eol.length}.csv`);
      fs.writeFileSync(file, [HEADER, ...rows].join(eol) + eol);
      for (const batch of ['1', '2', '3', '4']) {
        const swept = await seed('--table', `${schema}.eol_${eol.length}_${batch}`, '--source', file, '--batch-size', batch);
        expectExit(swept, 3);
        expect([eol.length, batch, swept.stderr]).toEqual([
          eol.length,
          batch,
          expect.stringMatching(/malformed row 5: invalid input syntax for type integer: "3x"/),
        ]);
      }
    }

    const short = path.join(tmp, 'short.csv');
    fs.writeFileSync(short, `${HEADER}\n20,A,B,x,x,s,C,TX,1\n21,A,B,x,x,s,C,TX\n`);
    const shortResult = await seed('--table', `${schema}.bad`, '--source', short);
    expectExit(shortResult, 3);
    expect(shortResult.stderr).toMatch(/malformed row 2: missing data for column "customerZipcode"/);
    expect(await count(`"${schema}".bad`)).toBe(6);
  });

  it('skips blank lines on both paths and numbers rows alike on both', async () => {
    const lines = fs.readFileSync(fixture, 'utf8').split('\n');
    const file = path.join(tmp, 'blanks.csv');
    fs.writeFileSync(file, ['', lines[0], lines[1], '\r', '', lines[2], lines[3], 'x,bad', '', ''].join('\n'));
    for (const mode of [[], ['--rate', '200']]) {
      const result = await seed('--table', `${schema}.blanks_${mode.length}`, '--source', file, '--batch-size', '2', ...mode);
      expectExit(result, 3);
      expect(result.stderr).toMatch(/malformed row 4: /);
      expect(await count(`"${schema}".blanks_${mode.length}`)).toBe(mode.length ? 3 : 2);
    }
    fs.writeFileSync(file, [lines[0], lines[1], '', lines[2], '', '', ''].join('\n'));
    const trailing = await seed('--table', `${schema}.blanks_trailing`, '--source', file, '--json');
    expectExit(trailing, 0);
    expect(JSON.parse(trailing.stdout)).toMatchObject({ rows: 2, inserted: 2 });
  });

  it('loads from an http URL and from stdin, and says so when the URL is not there', async () => {
    const body = fs.readFileSync(fixture, 'utf8').split('\n').slice(0, 101).join('\n') + '\n';
    const server = http.createServer((req, res) => {
      if (req.url === '/customers.csv') {
        res.writeHead(200, { 'content-type': 'text/csv' });
        res.end(body);
        return;
      }
      res.writeHead(404);
      res.end('no');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const result = await seed('--table', `${schema}.from_url`, '--source', `${base}/customers.csv`, '--json');
      expectExit(result, 0);
      expect(JSON.parse(result.stdout)).toMatchObject({ rows: 100, inserted: 100, source: `${base}/customers.csv` });
      expect(await count(`"${schema}".from_url`)).toBe(100);
      const piped = await runCli(['seed', 'customers', '--pg-url', pgUrl, '--table', `${schema}.from_stdin`, '--source', '-', '--json'], { input: body });
      expectExit(piped, 0);
      expect(JSON.parse(piped.stdout)).toMatchObject({ rows: 100, inserted: 100, source: 'stdin' });
      const missing = await seed('--table', `${schema}.from_url`, '--source', `${base}/nope.csv`);
      expectExit(missing, 4);
      expect(missing.stderr).toMatch(/HTTP 404/);
    } finally {
      server.close();
    }
  });

  it('--rate N inserts row by row at N rows/s, one transaction per row', async () => {
    const started = Date.now();
    const result = await seed('--table', `${schema}.live`, '--rate', '40', '--limit', '20', '--json');
    const elapsed = Date.now() - started;
    expectExit(result, 0);
    expect(JSON.parse(result.stdout)).toMatchObject({ mode: 'rate', rows: 20, inserted: 20 });
    // Row 20 is due 19/40 s after row 1.
    expect(elapsed).toBeGreaterThanOrEqual(475);
    const tx = await client.query(`SELECT count(DISTINCT xmin::text)::int AS n FROM "${schema}".live`);
    expect(tx.rows[0].n).toBe(20);
  });

  it('Ctrl-C during --rate stops cleanly: the report counts exactly the rows inserted, exit 130', async () => {
    const child = spawn(process.execPath, [CDC_BIN, 'seed', 'customers', '--pg-url', pgUrl, '--table', `${schema}.interrupted`, '--rate', '20', '--json'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
    // Wait for the first rows to arrive, then interrupt.
    for (let i = 0; i < 100; i++) {
      const n = await count(`"${schema}".interrupted`).catch(() => 0);
      if (n >= 3) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    child.kill('SIGINT');
    const code = await closed;
    const result: CliResult = { code, signal: null, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() };
    expectExit(result, 130);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ interrupted: true, mode: 'rate' });
    expect(report.rows).toBeGreaterThanOrEqual(3);
    expect(report.rows).toBeLessThan(12435);
    expect(await count(`"${schema}".interrupted`)).toBe(report.rows);
  });

  it('draws a progress bar on a terminal, and nothing but the summary in a pipe', async () => {
    const args = (t: string) => ['node', 'cdc', 'seed', 'customers', '--pg-url', pgUrl, '--table', `${schema}.${t}`, '--rate', '100', '--limit', '40'];
    const tty = testContext({ tty: true, env: { CDC_CONFIG: path.join(tmp, 'none.json') } });
    expect(await main(args('tty'), tty)).toBe(0);
    expect(tty.err()).toMatch(/Seeding .*\[#+-*\] \d+% \d+ rows/);
    const piped = testContext({ tty: false, env: { CDC_CONFIG: path.join(tmp, 'none.json') } });
    expect(await main(args('piped'), piped)).toBe(0);
    expect(piped.err()).toMatch(/^✔ .*: 40 rows from .* 40 inserted, 0 updated, 0 unchanged in .*rate\)\n$/);
    expect(piped.out()).toBe('');
  });

  it('explains a wrong password and a missing database without echoing the password', async () => {
    const role = `${schema}_role`;
    await client.query(`CREATE ROLE "${role}" LOGIN PASSWORD 'Right-Pass-123'`);
    try {
      const url = new URL(pgUrl);
      url.username = role;
      url.password = 'Wrong-Pass-456';
      const result = await runCli(['--verbose', 'seed', 'customers', '--pg-url', url.toString(), '--table', `${schema}.denied`]);
      expectExit(result, 1);
      expect(result.stderr).toMatch(/password authentication failed for user/);
      expect(result.stderr).toMatch(/hint: check the password/);
      expect(result.stderr).toMatch(/PostgreSQL: postgres:\/\/it_seedc_\S+_role@127\.0\.0\.1:\d+\/postgres \(from flag\)/);
      expect(`${result.stdout}${result.stderr}`).not.toContain('Wrong-Pass-456');
    } finally {
      await client.query(`DROP ROLE IF EXISTS "${role}"`);
    }
    const missing = await seed('--database', `${schema}_nodb`, '--table', `${schema}.x`);
    expectExit(missing, 4);
    expect(missing.stderr).toMatch(/database "it_seedc_.*_nodb" does not exist/);
    expect(missing.stderr).toMatch(/hint: create it/);
  });
});
