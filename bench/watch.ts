/**
 * Benchmark: replaying 200,000 real Debezium events from a topic as JSON lines.
 *   cdc watch T --exit-at-end                    (the record values, one per line)
 *   kcat -C -t T -e -q | jq -c .payload           (the peer pipeline of the tutorials)
 * Both in the same run, alternating, against the running stack (`cdc stack up`). The events are
 * made by Debezium itself: a table of N rows is snapshotted by a connector (op r, ~1.6 KB each with
 * the schema). Usage: npm run bench:watch [-- --events 200000 --runs 3 --keep]
 */
import { spawn, spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { stackLayout } from '../src/stack/layout';
import { defaultStackDir } from '../src/stack/settings';
import { readState } from '../src/stack/state';

const CDC = path.resolve(__dirname, '../../bin/cdc.js');

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

function cdcSync(args: string[], env: NodeJS.ProcessEnv): string {
  const run = spawnSync(process.execPath, [CDC, ...args], { env: { ...process.env, ...env }, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`cdc ${args.join(' ')} failed (${run.status}):\n${run.stdout}\n${run.stderr}`);
  return run.stdout;
}

/** Runs a shell pipeline ending in `wc -l`; returns the seconds it took and the line count. */
function timed(script: string): Promise<{ seconds: number; lines: number }> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn('bash', ['-c', `set -o pipefail; ${script} | wc -l`], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (code !== 0) reject(new Error(`${script} exited ${code}`));
      else resolve({ seconds, lines: Number(out.trim()) });
    });
  });
}

async function main(): Promise<void> {
  const events = arg('events', 200_000);
  const runs = arg('runs', 3);
  const keep = process.argv.includes('--keep');
  const state = readState(stackLayout(defaultStackDir(process.env)));
  if (!state) throw new Error('no running stack: start one with `node bin/cdc.js stack up`');
  const { pgUrl, brokers, connectUrl } = state.urls;
  const name = `benchwatch_${events}`;
  const topic = `${name}.${name}.holding`;
  const env = { DATABASE_URL: pgUrl, CDC_BROKERS: brokers, CDC_CONNECT_URL: connectUrl, PGPASSWORD: new URL(pgUrl).password };
  const admin = new Kafka({ brokers: [brokers], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  const pg = new Client({ connectionString: pgUrl });
  pg.on('error', (err) => process.stderr.write(`PostgreSQL connection lost: ${err.message}\n`));
  await pg.connect();

  const stored = async () =>
    (await admin.listTopics()).includes(topic) ? (await admin.fetchTopicOffsets(topic)).reduce((n, p) => n + Number(p.high) - Number(p.low), 0) : 0;
  if ((await stored()) < events) {
    process.stderr.write(`making ${events} Debezium events in ${topic} (table snapshot)…\n`);
    cdcSync(['seed', 'holdings', '--schema', name], env);
    await pg.query(
      `insert into "${name}".holding select g, g % 1000, (array['VFIAX','SP500','VTSAX'])[1 + g % 3], g % 500, now(), now()
      from generate_series(1, $1) g on conflict do nothing`,
      [events],
    );
    const noPassword = new URL(pgUrl);
    noPassword.password = '';
    cdcSync(['connector', 'register', name, '--table', `${name}.holding`, '--pg-url', noPassword.toString(), '--topic-prefix', name, '--wait'], env);
    const started = Date.now();
    while ((await stored()) < events) {
      if (Date.now() - started > 900_000) throw new Error('the snapshot did not finish within 15 minutes');
      await new Promise((r) => setTimeout(r, 2000));
    }
    process.stderr.write(`snapshot done in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
  }
  const partitions = (await admin.fetchTopicOffsets(topic)).length;

  const cdcCmd = `CDC_BROKERS=${brokers} node ${CDC} watch ${topic} --exit-at-end -q`;
  const kcatCmd = `kcat -b ${brokers} -C -t ${topic} -e -q | jq -c .payload`;
  const kcatOnlyCmd = `kcat -b ${brokers} -C -t ${topic} -e -q`;
  const results: Record<string, number[]> = { cdc: [], kcat: [], kcatOnly: [] };
  for (let i = 0; i < runs; i++) {
    for (const [label, cmd] of [
      ['cdc', cdcCmd],
      ['kcat', kcatCmd],
      ['kcatOnly', kcatOnlyCmd],
    ] as const) {
      const r = await timed(cmd);
      if (r.lines !== events) throw new Error(`${label}: ${r.lines} lines, expected ${events}`);
      results[label].push(r.seconds);
      process.stderr.write(`run ${i + 1} ${label}: ${r.seconds.toFixed(2)} s\n`);
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const mc = median(results.cdc);
  const mk = median(results.kcat);
  const mo = median(results.kcatOnly);
  const outBytes = Number(spawnSync('bash', ['-c', `${cdcCmd} | wc -c`], { encoding: 'utf8' }).stdout.trim());
  process.stdout.write(
    [
      `events: ${events} in ${partitions} partition(s), ${(outBytes / 1e6).toFixed(0)} MB of JSON lines (${Math.round(outBytes / events)} B/event); runs: ${runs}, median wall time`,
      `| pipeline | seconds | events/s |`,
      `|---|---|---|`,
      `| cdc watch ${'`'}--exit-at-end${'`'} (JSON lines) | ${mc.toFixed(2)} | ${Math.round(events / mc)} |`,
      `| kcat -C -e -q \\| jq -c .payload | ${mk.toFixed(2)} | ${Math.round(events / mk)} |`,
      `| kcat -C -e -q alone (no jq; reference) | ${mo.toFixed(2)} | ${Math.round(events / mo)} |`,
      `all runs: cdc ${results.cdc.map((s) => s.toFixed(2)).join(', ')}; kcat|jq ${results.kcat.map((s) => s.toFixed(2)).join(', ')}; kcat ${results.kcatOnly.map((s) => s.toFixed(2)).join(', ')}`,
      '',
    ].join('\n'),
  );

  if (!keep) {
    spawnSync(process.execPath, [CDC, 'connector', 'delete', name, '--yes'], { env: { ...process.env, ...env } });
    for (let i = 0; i < 20; i++) {
      const { rows } = await pg.query('select active from pg_replication_slots where slot_name = $1', [name]);
      if (rows.length === 0 || !rows[0].active) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    await pg.query('select pg_drop_replication_slot(slot_name) from pg_replication_slots where slot_name = $1 and not active', [name]);
    const pubs = await pg.query('select pubname from pg_publication where pubname like $1', [`${name}%`]);
    for (const { pubname } of pubs.rows) await pg.query(`drop publication "${pubname}"`);
    await pg.query(`drop schema if exists "${name}" cascade`);
    await admin.deleteTopics({ topics: [topic] });
  }
  await pg.end();
  await admin.disconnect();
}

main().catch((err) => {
  process.stderr.write(`bench:watch failed: ${(err as Error).message}\n`);
  process.exitCode = 1;
});
