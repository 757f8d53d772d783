/**
 * `npm run bench:seed`: `cdc seed customers` against `psql -c "\copy …"` on the same data, in the
 * same run, on the same PostgreSQL: the bundled 12,435 customers and 1,000,000 generated ones.
 * Each side loads into a fresh table of the same definition (primary key, REPLICA IDENTITY FULL);
 * times are wall clock of the whole command (process start included), median of 7 runs (small
 * file) or 3 (1M rows) with the order alternating; cdc's own load time (its --json `seconds`,
 * without Node's start-up) is shown beside it. Also timed: a re-run of cdc over the loaded table (the upsert path, which
 * \copy has no equivalent of).
 *
 * PostgreSQL: --pg-url URL, else CDC_BENCH_PG_URL, else the running stack (.stack/state.json),
 * else DATABASE_URL. The output says which.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { createCustomersSql } from '../src/seed/customers-table';
import { maskConnectionString } from '../src/secrets';

const ROOT = path.resolve(__dirname, __dirname.includes(`${path.sep}dist${path.sep}`) ? '../..' : '..');
const CDC = path.join(ROOT, 'bin', 'cdc.js');
/** More runs for the small file, where process start-up makes single runs noisy. */
const runsFor = (rows: number) => (rows < 100_000 ? 7 : 3);

function pgUrl(): { url: string; origin: string } {
  const flag = process.argv.indexOf('--pg-url');
  if (flag > 0 && process.argv[flag + 1]) return { url: process.argv[flag + 1], origin: '--pg-url' };
  if (process.env.CDC_BENCH_PG_URL) return { url: process.env.CDC_BENCH_PG_URL, origin: 'CDC_BENCH_PG_URL' };
  const state = path.join(process.env.CDC_STACK_DIR || path.join(ROOT, '.stack'), 'state.json');
  try {
    const url = JSON.parse(fs.readFileSync(state, 'utf8')).urls?.pgUrl;
    if (url) return { url, origin: `the project's stack (${state})` };
  } catch { /* no stack running */ }
  if (process.env.DATABASE_URL) return { url: process.env.DATABASE_URL, origin: 'DATABASE_URL' };
  throw new Error('no PostgreSQL: start the stack (npm run stack:up), or pass --pg-url / set CDC_BENCH_PG_URL');
}

/** 1,000,000 customers shaped like the retail ones, some fields quoted (commas, quotes) as real CSVs have. */
function generate(file: string, rows: number): void {
  const first = ['Mary', 'Richard', 'Ann', 'Robert', 'Mary Jo', 'David'];
  const last = ['Smith', 'Jones', 'Baker, Jr.', 'O"Neil', 'Hernandez', 'Barrett'];
  const cities = ['Caguas', 'Brownsville', 'Littleton', 'San Juan', 'Chicago'];
  const states = ['PR', 'TX', 'CO', 'IL', 'NY'];
  const csv = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  const fd = fs.openSync(file, 'w');
  let buf = 'customerId,customerFName,customerLName,customerEmail,customerPassword,customerStreet,customerCity,customerState,customerZipcode\n';
  for (let i = 1; i <= rows; i++) {
    buf += `${i},${csv(first[i % 6])},${csv(last[(i * 7) % 6])},XXXXXXXXX,XXXXXXXXX,${(i * 37) % 9999} Noble Embers Ridge,${cities[i % 5]},${states[i % 5]},${(i * 7919) % 99999}\n`;
    if (buf.length > 1 << 20) { fs.writeSync(fd, buf); buf = ''; }
  }
  fs.writeSync(fd, buf);
  fs.closeSync(fd);
}

/** Wall-clock milliseconds of a whole command, and its stdout. */
function timed(command: string, args: string[]): { ms: number; stdout: string } {
  const started = process.hrtime.bigint();
  const result = spawnSync(command, args, { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.error) throw new Error(`cannot run ${command}: ${result.error.message} (psql comes with Debian's postgresql-client)`);
  if (result.status !== 0) throw new Error(`${path.basename(command)} failed (exit ${result.status}): ${maskConnectionString(result.stderr)}`);
  return { ms, stdout: result.stdout };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main(): Promise<void> {
  const { url, origin } = pgUrl();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cdc-bench-seed-'));
  const schema = `bench_seed_${process.pid}`;
  const client = new Client({ connectionString: url });
  await client.connect();
  const version = (await client.query('SHOW server_version')).rows[0].server_version;
  const settings = (await client.query(`SELECT string_agg(name || '=' || setting, ', ' ORDER BY name) AS s FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'wal_level')`)).rows[0].s;
  const psqlVersion = execFileSync('psql', ['--version'], { encoding: 'utf8' }).trim();
  console.log(`PostgreSQL ${version} (${settings}) from ${origin}; ${psqlVersion}; node ${process.version}; ${os.cpus().length} cores`);
  try {
    await client.query(`CREATE SCHEMA ${schema}`);
    const generated = path.join(tmp, 'customers-1m.csv');
    generate(generated, 1_000_000);
    const datasets = [
      { name: 'fixtures/customers.csv (12,435 rows)', file: path.join(ROOT, 'fixtures', 'customers.csv'), rows: 12_435 },
      { name: 'generated (1,000,000 rows)', file: generated, rows: 1_000_000 },
    ];
    const lines: string[] = [];
    for (const data of datasets) {
      const psqlMs: number[] = [];
      const cdcMs: number[] = [];
      const rerunMs: number[] = [];
      const cdcLoadMs: number[] = [];
      for (let run = 0; run < runsFor(data.rows); run++) {
        const psqlTable = `${schema}.psql_${run}`;
        const cdcTable = `${schema}.cdc_${run}`;
        await client.query(createCustomersSql({ schema, table: `psql_${run}` }));
        await client.query(`ALTER TABLE ${psqlTable} REPLICA IDENTITY FULL`);
        const sides = [
          () => psqlMs.push(timed('psql', [url, '-q', '-c', `\\copy ${psqlTable} FROM '${data.file}' WITH (FORMAT csv, HEADER true)`]).ms),
          () => {
            const { ms, stdout } = timed(process.execPath, [CDC, 'seed', 'customers', '--pg-url', url, '--table', cdcTable, '--source', data.file, '--json']);
            cdcMs.push(ms);
            cdcLoadMs.push(JSON.parse(stdout).seconds * 1000);
          },
        ];
        if (run % 2 === 1) sides.reverse();
        for (const side of sides) side();
        rerunMs.push(timed(process.execPath, [CDC, 'seed', 'customers', '--pg-url', url, '--table', cdcTable, '--source', data.file]).ms);
        for (const table of [psqlTable, cdcTable]) {
          const n = Number((await client.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);
          if (n !== data.rows) throw new Error(`${table} has ${n} rows, expected ${data.rows}`);
        }
        await client.query(`DROP TABLE ${psqlTable}, ${cdcTable}`);
      }
      const [p, c, l, r] = [median(psqlMs), median(cdcMs), median(cdcLoadMs), median(rerunMs)];
      const fmt = (ms: number) => `${(ms / 1000).toFixed(2)} s (${Math.round(data.rows / (ms / 1000)).toLocaleString('en-US')} rows/s)`;
      lines.push(`| ${data.name} | ${fmt(p)} | ${fmt(c)} | ${(c / p).toFixed(2)}× | ${(l / 1000).toFixed(2)} s | ${fmt(r)} |`);
      console.error(`${data.name}: psql ${psqlMs.map(Math.round).join('/')} ms, cdc ${cdcMs.map(Math.round).join('/')} ms (load ${cdcLoadMs.map(Math.round).join('/')} ms), cdc re-run ${rerunMs.map(Math.round).join('/')} ms`);
    }
    console.log('| data | `psql \\copy` | `cdc seed customers` | cdc / psql | cdc load time (no process start) | cdc re-run (upsert, all unchanged) |');
    console.log('|---|---|---|---|---|---|');
    for (const line of lines) console.log(line);
  } finally {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => {});
    await client.end();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(maskConnectionString(String(err?.stack ?? err)));
  process.exitCode = 1;
});
