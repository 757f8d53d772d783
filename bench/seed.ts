/**
 * `npm run bench:seed`: `cdc seed customers` against `psql -c "\copy …"` on the same data, in the
 * same run, on the same PostgreSQL: the bundled 12,435 customers and 1,000,000 generated ones.
 * Each side loads into a fresh table of the same definition (primary key, REPLICA IDENTITY FULL);
 * times are wall clock of the whole command (process start included), median of 15 runs (small
 * file) or 3 (1M rows) with the order rotating; cdc's own load time (its --json `seconds`,
 * without Node's start-up) is shown beside it. A minimal Node program doing one COPY with pg runs
 * in the same rotation, to tell what Node costs from what cdc costs; so does a bare `node -e 0`.
 * Also timed: a re-run of cdc over the loaded table (the upsert path, which \copy has no
 * equivalent of).
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
const runsFor = (rows: number) => (rows < 100_000 ? 15 : 3);

function pgUrl(): { url: string; origin: string } {
  const flag = process.argv.indexOf('--pg-url');
  if (flag > 0 && process.argv[flag + 1]) return { url: process.argv[flag + 1], origin: '--pg-url' };
  if (process.env.CDC_BENCH_PG_URL) return { url: process.env.CDC_BENCH_PG_URL, origin: 'CDC_BENCH_PG_URL' };
  const state = path.join(process.env.CDC_STACK_DIR || path.join(ROOT, '.stack'), 'state.json');
  try {
    const url = JSON.parse(fs.readFileSync(state, 'utf8')).urls?.pgUrl;
    if (url) return { url, origin: `the project's stack (${state})` };
  } catch {
    /* no stack running */
  }
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
    if (buf.length > 1 << 20) {
      fs.writeSync(fd, buf);
      buf = '';
    }
  }
  fs.writeSync(fd, buf);
  fs.closeSync(fd);
}

/** Wall-clock milliseconds of a whole command, and its stdout. */
function timed(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): { ms: number; stdout: string } {
  const started = process.hrtime.bigint();
  const result = spawnSync(command, args, { encoding: 'utf8', env: { ...env, NO_COLOR: '1' } });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.error) throw new Error(`cannot run ${command}: ${result.error.message} (psql comes with Debian's postgresql-client)`);
  if (result.status !== 0) throw new Error(`${path.basename(command)} failed (exit ${result.status}): ${maskConnectionString(result.stderr)}`);
  return { ms, stdout: result.stdout };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/**
 * Node reads NODE_EXTRA_CA_CERTS at start-up, before any of cdc's code runs (~40 ms for a system
 * bundle on the reference machine): when it is set, the small file is also timed without it, so
 * that what the environment costs is not mistaken for what cdc costs.
 */
function environments(): { label: string; env: NodeJS.ProcessEnv }[] {
  if (!process.env.NODE_EXTRA_CA_CERTS) return [{ label: '', env: process.env }];
  const { NODE_EXTRA_CA_CERTS: _, ...without } = process.env;
  return [
    { label: ', NODE_EXTRA_CA_CERTS set', env: process.env },
    { label: ', NODE_EXTRA_CA_CERTS unset', env: without },
  ];
}

/**
 * The least a Node program can do for the same load: pg and pg-copy-streams, one COPY of the file
 * into a table made beforehand (as psql's is), exit. The gap between it and psql is Node's; the
 * gap between it and cdc is cdc's (options, table set-up, record boundaries, the summary).
 */
const MINIMAL_NODE_COPY = `
  const [url, table, file, root] = process.argv.slice(1);
  globalThis.navigator = { userAgent: 'node' }; // as cdc's loadPg: skips pg's Cloudflare probe
  const { Client } = require(root + '/node_modules/pg');
  delete globalThis.navigator;
  const { from } = require(root + '/node_modules/pg-copy-streams');
  const client = new Client({ connectionString: url });
  client.connect()
    .then(() => require('node:stream/promises').pipeline(
      require('node:fs').createReadStream(file, { highWaterMark: 256 * 1024 }),
      client.query(from('COPY ' + table + ' FROM STDIN WITH (FORMAT csv, HEADER true)'))))
    .then(() => client.end());`;

/** Median of a bare `node -e 0`: the part of every cdc run that is Node starting, not cdc. */
function nodeStartMs(env: NodeJS.ProcessEnv): number {
  return median(Array.from({ length: 9 }, () => timed(process.execPath, ['-e', '0'], env).ms));
}

async function main(): Promise<void> {
  const { url, origin } = pgUrl();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cdc-bench-seed-'));
  const schema = `bench_seed_${process.pid}`;
  const client = new Client({ connectionString: url });
  await client.connect();
  const version = (await client.query('SHOW server_version')).rows[0].server_version;
  const settings = (
    await client.query(
      `SELECT string_agg(name || '=' || setting, ', ' ORDER BY name) AS s FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'wal_level')`,
    )
  ).rows[0].s;
  const psqlVersion = execFileSync('psql', ['--version'], { encoding: 'utf8' }).trim();
  console.log(`PostgreSQL ${version} (${settings}) from ${origin}; ${psqlVersion}; node ${process.version}; ${os.cpus().length} cores`);
  try {
    await client.query(`CREATE SCHEMA ${schema}`);
    const generated = path.join(tmp, 'customers-1m.csv');
    generate(generated, 1_000_000);
    const envs = environments();
    const datasets = [
      // The small file runs once per environment variant, all in one rotation with psql, so that
      // every variant meets the same moments of load on the shared machine.
      { name: 'fixtures/customers.csv (12,435 rows)', file: path.join(ROOT, 'fixtures', 'customers.csv'), rows: 12_435, envs },
      { name: 'generated (1,000,000 rows)', file: generated, rows: 1_000_000, envs: envs.slice(0, 1) },
    ];
    for (const { label, env } of envs) {
      console.log(`bare Node start-up (node -e 0${label ? `, ${label.slice(2)}` : ''}): ${nodeStartMs(env).toFixed(0)} ms (median of 9)`);
    }
    const lines: string[] = [];
    for (const data of datasets) {
      const psqlMs: number[] = [];
      const variants = data.envs.map((e) => ({ ...e, nodeMs: [] as number[], cdcMs: [] as number[], rerunMs: [] as number[], cdcLoadMs: [] as number[] }));
      for (let run = 0; run < runsFor(data.rows); run++) {
        const psqlTable = `${schema}.psql_${run}`;
        const tables = [psqlTable];
        await client.query(createCustomersSql({ schema, table: `psql_${run}` }));
        await client.query(`ALTER TABLE ${psqlTable} REPLICA IDENTITY FULL`);
        const sides = [
          () => {
            psqlMs.push(timed('psql', [url, '-q', '-c', `\\copy ${psqlTable} FROM '${data.file}' WITH (FORMAT csv, HEADER true)`]).ms);
          },
        ];
        const reruns: (() => void)[] = [];
        for (const [v, variant] of variants.entries()) {
          const nodeTable = `${schema}.node_${run}_${v}`;
          const cdcTable = `${schema}.cdc_${run}_${v}`;
          tables.push(nodeTable, cdcTable);
          await client.query(createCustomersSql({ schema, table: `node_${run}_${v}` }));
          await client.query(`ALTER TABLE ${nodeTable} REPLICA IDENTITY FULL`);
          sides.push(
            () => {
              variant.nodeMs.push(timed(process.execPath, ['-e', MINIMAL_NODE_COPY, url, nodeTable, data.file, ROOT], variant.env).ms);
            },
            () => {
              const { ms, stdout } = timed(
                process.execPath,
                [CDC, 'seed', 'customers', '--pg-url', url, '--table', cdcTable, '--source', data.file, '--json'],
                variant.env,
              );
              variant.cdcMs.push(ms);
              variant.cdcLoadMs.push(JSON.parse(stdout).seconds * 1000);
            },
          );
          reruns.push(() => {
            variant.rerunMs.push(
              timed(process.execPath, [CDC, 'seed', 'customers', '--pg-url', url, '--table', cdcTable, '--source', data.file], variant.env).ms,
            );
          });
        }
        // Each side goes first, in the middle and last in turn.
        for (let i = 0; i < sides.length; i++) sides[(run + i) % sides.length]();
        for (const rerun of reruns) rerun();
        for (const table of tables) {
          const n = Number((await client.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);
          if (n !== data.rows) throw new Error(`${table} has ${n} rows, expected ${data.rows}`);
        }
        await client.query(`DROP TABLE ${tables.join(', ')}`);
      }
      const p = median(psqlMs);
      const fmt = (ms: number) => `${(ms / 1000).toFixed(2)} s (${Math.round(data.rows / (ms / 1000)).toLocaleString('en-US')} rows/s)`;
      const small = data.rows < 100_000;
      const short = (ms: number) => (small ? `${Math.round(ms)} ms` : fmt(ms));
      console.error(`${data.name}: psql ${psqlMs.map(Math.round).join('/')} ms`);
      for (const variant of variants) {
        const [m, c, l, r] = [median(variant.nodeMs), median(variant.cdcMs), median(variant.cdcLoadMs), median(variant.rerunMs)];
        lines.push(
          `| ${data.name}${variant.label} | ${short(p)} | ${short(m)} (${(m / p).toFixed(2)}×) | ${short(c)} | **${(c / p).toFixed(2)}×** | ${small ? `${Math.round(l)} ms` : `${(l / 1000).toFixed(2)} s`} | ${short(r)} |`,
        );
        console.error(
          `${data.name}${variant.label}: minimal node ${variant.nodeMs.map(Math.round).join('/')} ms, cdc ${variant.cdcMs.map(Math.round).join('/')} ms (load ${variant.cdcLoadMs.map(Math.round).join('/')} ms), cdc re-run ${variant.rerunMs.map(Math.round).join('/')} ms`,
        );
      }
    }
    console.log(
      '| data | `psql \\copy` | minimal Node COPY (÷ psql) | `cdc seed customers` | cdc ÷ psql | cdc load time (no process start) | cdc re-run (upsert, all unchanged) |',
    );
    console.log('|---|---|---|---|---|---|---|');
    for (const line of lines) console.log(line);
    // Other work on the machine skews every column alike; say how busy it was.
    console.log(
      `load average at the end: ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' / ')} (1 / 5 / 15 min) on ${os.cpus().length} cores; ${new Date().toISOString()}`,
    );
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
