/**
 * Benchmark: replaying a topic of real Debezium events as JSON lines, side by side with kcat.
 *   cdc watch T --exit-at-end                  (the record values, one per line; throw-away group)
 *   cdc watch T --exit-at-end --group G        (a fresh group per run: a commit after every write)
 *   kcat -C -t T -e -q                         (librdkafka, C: the floor of what reading T costs)
 *   kcat -C -t T -e -q | jq -c .payload        (the peer pipeline of the tutorials)
 * For each topic (one per partition count), the sides run alternately in every run, each into
 * `wc -l`, which must count every event; the table gives the median wall time. The events are made
 * by Debezium itself: a table of N rows snapshotted by a connector (op r, ~3.3 KB each with the
 * schema); the topic is created first with the partition count, so Debezium spreads the rows over
 * the partitions by key. Topics are made once and reused; removed with everything else unless --keep.
 *
 * --baseline DIR adds `node DIR/bin/cdc.js watch T --exit-at-end` as a side: another build of cdc
 * (e.g. `git archive <commit> | tar -x -C DIR`, then `npx tsc -p tsconfig.build.json` there).
 *
 * Usage: npm run bench:watch [-- --events 200000 --runs 3 --partitions 1,4 --no-group --no-jq --baseline DIR --keep]
 */
import { spawn, spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { Client } from 'pg';
import { stackLayout } from '../src/stack/layout';
import { defaultStackDir } from '../src/stack/settings';
import { readState } from '../src/stack/state';
import { arg, CDC, waitFor } from './change-topic';

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

function shell(script: string): string {
  return spawnSync('bash', ['-c', `set -o pipefail; ${script}`], { encoding: 'utf8', maxBuffer: 1 << 20 }).stdout.trim();
}

const load = () => shell('uptime').replace(/^.*load average:\s*/, '');
const utc = () => new Date().toISOString().slice(0, 16).replace('T', ' ');

interface Stack {
  pgUrl: string;
  brokers: string;
  env: NodeJS.ProcessEnv;
  admin: Admin;
  pg: Client;
}

/** `<name>.<name>.holding` with `events` snapshot events in `partitions` partitions: reused, else made. */
async function snapshotTopic(stack: Stack, name: string, events: number, partitions: number): Promise<string> {
  const { admin, pg, pgUrl, env } = stack;
  const topic = `${name}.${name}.holding`;
  const offsets = async () => ((await admin.listTopics()).includes(topic) ? await admin.fetchTopicOffsets(topic) : []);
  const stored = async () => (await offsets()).reduce((n, p) => n + Number(p.high) - Number(p.low), 0);
  const have = await offsets();
  if (have.length === partitions && (await stored()) === events) return topic;
  if (have.length > 0) await remove(stack, name, topic);
  process.stderr.write(`making ${events} Debezium events in ${topic}, ${partitions} partition(s) (table snapshot)…\n`);
  await admin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true });
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
  await waitFor('the snapshot', async () => (await stored()) >= events, 900_000);
  process.stderr.write(`snapshot done in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
  // The snapshot is all the topic needs: no streaming connector left behind.
  await removeConnector(stack, name);
  if ((await stored()) !== events) throw new Error(`${topic} holds ${await stored()} events, expected ${events}`);
  return topic;
}

async function removeConnector(stack: Stack, name: string): Promise<void> {
  spawnSync(process.execPath, [CDC, 'connector', 'delete', name, '--yes'], { env: { ...process.env, ...stack.env } });
  for (let i = 0; i < 20; i++) {
    const { rows } = await stack.pg.query('select active from pg_replication_slots where slot_name = $1', [name]);
    if (rows.length === 0 || !rows[0].active) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  await stack.pg.query('select pg_drop_replication_slot(slot_name) from pg_replication_slots where slot_name = $1 and not active', [name]);
  const pubs = await stack.pg.query('select pubname from pg_publication where pubname like $1', [`${name}%`]);
  for (const { pubname } of pubs.rows) await stack.pg.query(`drop publication "${pubname}"`);
}

async function remove(stack: Stack, name: string, topic: string): Promise<void> {
  await removeConnector(stack, name);
  await stack.pg.query(`drop schema if exists "${name}" cascade`);
  await stack.admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await waitFor(`${topic} to be deleted`, async () => !(await stack.admin.listTopics()).includes(topic), 60_000);
}

/**
 * What this machine charges for moving the replay's bytes through a pipe into `wc -l`, written
 * 4 KiB at a time (what kcat's stdio does: a write per 4 KiB) and 64 KiB at a time (a pipe's
 * capacity, about what cdc's writev calls move). System calls cost very differently from one
 * machine to the next (virtualised ones above all), and the kcat side pays one per 4 KiB, so these
 * two figures say how a run's ratios compare with another machine's. Median of 3.
 */
async function pipeCost(bytes: number): Promise<string[]> {
  if (bytes === 0) return [];
  const lines: string[] = [];
  for (const block of [4096, 65536]) {
    const seconds: number[] = [];
    for (let i = 0; i < 3; i++) seconds.push((await timed(`dd if=/dev/zero bs=${block} count=${Math.ceil(bytes / block)} status=none`)).seconds);
    const median = [...seconds].sort((a, b) => a - b)[1];
    lines.push(`- piping ${(bytes / 1e6).toFixed(0)} MB into wc -l, ${block / 1024} KiB per write (dd): ${median.toFixed(2)} s`);
  }
  return ["This machine's cost of a pipe (kcat writes 4 KiB at a time, cdc up to 64 KiB):", '', ...lines, ''];
}

interface Side {
  label: string;
  command: (run: number) => string;
}

async function main(): Promise<void> {
  const events = arg('events', 200_000);
  const runs = arg('runs', 3);
  const listed = process.argv.indexOf('--partitions');
  const partitionCounts = (listed > 0 ? process.argv[listed + 1] : '1,4').split(',').map(Number);
  const keep = process.argv.includes('--keep');
  const withGroup = !process.argv.includes('--no-group');
  const withJq = !process.argv.includes('--no-jq');
  const baselineAt = process.argv.indexOf('--baseline');
  const baseline = baselineAt > 0 ? path.resolve(process.argv[baselineAt + 1], 'bin/cdc.js') : undefined;
  const state = readState(stackLayout(defaultStackDir(process.env)));
  if (!state) throw new Error('no running stack: start one with `node bin/cdc.js stack up`');
  const { pgUrl, brokers, connectUrl } = state.urls;
  const env = { DATABASE_URL: pgUrl, CDC_BROKERS: brokers, CDC_CONNECT_URL: connectUrl, PGPASSWORD: new URL(pgUrl).password };
  const admin = new Kafka({ brokers: [brokers], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  const pg = new Client({ connectionString: pgUrl });
  pg.on('error', (err) => process.stderr.write(`PostgreSQL connection lost: ${err.message}\n`));
  await pg.connect();
  const stack: Stack = { pgUrl, brokers, env, admin, pg };

  const topics: Array<{ name: string; topic: string; partitions: number }> = [];
  for (const partitions of partitionCounts) {
    const name = partitions === 1 ? `benchwatch_${events}` : `benchwatch${partitions}p_${events}`;
    topics.push({ name, topic: await snapshotTopic(stack, name, events, partitions), partitions });
  }

  const groups: string[] = [];
  /** The first topic's replay in bytes: what pipeCost moves. */
  let pipeBytes = 0;
  const report: string[] = [`started ${utc()} UTC, load average ${load()}`, ''];
  for (const { topic, partitions } of topics) {
    const cdc = `CDC_BROKERS=${brokers} node ${CDC} watch ${topic} --exit-at-end -q`;
    const kcat = `kcat -b ${brokers} -C -t ${topic} -e -q`;
    const sides: Side[] = [
      { label: 'cdc watch T --exit-at-end', command: () => cdc },
      ...(baseline
        ? [
            {
              label: `baseline cdc watch T --exit-at-end (${path.relative(process.cwd(), baseline)})`,
              command: () => `CDC_BROKERS=${brokers} node ${baseline} watch ${topic} --exit-at-end -q`,
            },
          ]
        : []),
      ...(withGroup
        ? [
            {
              label: 'cdc watch T --exit-at-end --group G (fresh group, a commit per write)',
              command: (run: number) => {
                const group = `benchwatch-${process.pid}-${partitions}-${run}`;
                groups.push(group);
                return `${cdc} --group ${group}`;
              },
            },
          ]
        : []),
      { label: 'kcat -C -t T -e -q (alone: the floor)', command: () => kcat },
      ...(withJq ? [{ label: 'kcat -C -t T -e -q \\| jq -c .payload', command: () => `${kcat} | jq -c .payload` }] : []),
    ];
    // The output is the same bytes as kcat's (one partition: the same order too).
    if (partitions === 1 && shell(`${cdc} | md5sum`) !== shell(`${kcat} | md5sum`)) throw new Error(`${topic}: cdc watch and kcat wrote different bytes`);
    const seconds: number[][] = sides.map(() => []);
    for (let run = 0; run < runs; run++) {
      for (const [i, side] of sides.entries()) {
        const r = await timed(side.command(run));
        if (r.lines !== events) throw new Error(`${side.label}: ${r.lines} lines, expected ${events}`);
        seconds[i].push(r.seconds);
        process.stderr.write(`${topic} run ${run + 1} ${side.label}: ${r.seconds.toFixed(2)} s\n`);
      }
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const floor = median(seconds[sides.findIndex((s) => s.label.startsWith('kcat -C -t T -e -q (alone'))]);
    const outBytes = Number(shell(`${kcat} | wc -c`));
    pipeBytes ||= outBytes;
    report.push(
      `${topic}: ${events} events in ${partitions} partition(s), ${(outBytes / 1e6).toFixed(0)} MB of JSON lines (${Math.round(outBytes / events)} B/event); ${runs} runs, median wall time`,
      '',
      '| pipeline | seconds | events/s | throughput vs kcat alone |',
      '|---|---|---|---|',
      ...sides.map((s, i) => {
        const m = median(seconds[i]);
        return `| ${s.label} | ${m.toFixed(2)} | ${Math.round(events / m)} | ${(floor / m).toFixed(2)}× |`;
      }),
      '',
      `all runs: ${sides.map((s, i) => `${s.label.split(' (')[0]}: ${seconds[i].map((x) => x.toFixed(2)).join(', ')}`).join('; ')}`,
      '',
    );
  }
  report.push(...(await pipeCost(pipeBytes)));
  report.push(`ended ${utc()} UTC, load average ${load()}`, '');
  process.stdout.write(report.join('\n'));

  if (groups.length > 0) await admin.deleteGroups(groups).catch(() => undefined);
  if (!keep) for (const { name, topic } of topics) await remove(stack, name, topic);
  await pg.end();
  await admin.disconnect();
}

main().catch((err) => {
  process.stderr.write(`bench:watch failed: ${(err as Error).message}\n`);
  process.exitCode = 1;
});
