/**
 * Benchmark: what committing after every write costs `cdc watch --group`.
 *   cdc watch T --exit-at-end                  (throw-away group, commits nothing)
 *   cdc watch T --exit-at-end --group <fresh>  (commits after every write of ≤ 500 events)
 * Both in the same run, alternating, against the running stack (`cdc stack up`), on a topic of N
 * Debezium-shaped events (~3.3 KB, the size of a snapshot event with its schema) produced here.
 * Usage: npm run bench:watch-group [-- --events 100000 --runs 3]
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { stackLayout } from '../src/stack/layout';
import { defaultStackDir } from '../src/stack/settings';
import { readState } from '../src/stack/state';

const CDC = path.resolve(__dirname, '../../bin/cdc.js');
const FIXTURE = path.resolve(__dirname, '../../test/unit/fixtures/watch-records.jsonl');

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

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
  const events = arg('events', 100_000);
  const runs = arg('runs', 3);
  const state = readState(stackLayout(defaultStackDir(process.env)));
  if (!state) throw new Error('no running stack: start one with `node bin/cdc.js stack up`');
  const { brokers } = state.urls;
  const kafka = new Kafka({ brokers: [brokers], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const topic = `benchgroup.${events}.bank.holding`;
  // A real snapshot event (with its schema) as the template; the id varies.
  const template = JSON.parse(fs.readFileSync(FIXTURE, 'utf8').split('\n')[0]) as { value: string };
  const have = (await admin.listTopics()).includes(topic) ? (await admin.fetchTopicOffsets(topic)).reduce((n, p) => n + Number(p.high), 0) : -1;
  if (have !== events) {
    if (have >= 0) await admin.deleteTopics({ topics: [topic] });
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    const producer = kafka.producer();
    await producer.connect();
    for (let i = 0; i < events; i += 100) {
      const messages = Array.from({ length: Math.min(100, events - i) }, (_, k) => ({
        key: `{"holding_id":${i + k}}`,
        value: template.value.replace(/"holding_id":\d+/g, `"holding_id":${i + k}`),
      }));
      await producer.send({ topic, messages, acks: -1 });
    }
    await producer.disconnect();
  }
  const bytes = Buffer.byteLength(template.value);
  const results: Record<'none' | 'group', number[]> = { none: [], group: [] };
  const groups: string[] = [];
  for (let i = 0; i < runs; i++) {
    const group = `benchgroup-${process.pid}-${i}`;
    groups.push(group);
    for (const [label, extra] of [
      ['none', ''],
      ['group', ` --group ${group}`],
    ] as const) {
      const r = await timed(`CDC_BROKERS=${brokers} node ${CDC} watch ${topic} --exit-at-end -q${extra}`);
      if (r.lines !== events) throw new Error(`${label}: ${r.lines} lines, expected ${events}`);
      results[label].push(r.seconds);
      process.stderr.write(`run ${i + 1} ${label}: ${r.seconds.toFixed(2)} s\n`);
    }
  }
  await admin.deleteGroups(groups).catch(() => undefined);
  await admin.disconnect();
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const [mn, mg] = [median(results.none), median(results.group)];
  process.stdout.write(
    [
      `events: ${events} of ~${bytes} B in 1 partition; runs: ${runs}, median wall time`,
      '| pipeline | seconds | events/s |',
      '|---|---|---|',
      `| cdc watch T --exit-at-end (commits nothing) | ${mn.toFixed(2)} | ${Math.round(events / mn)} |`,
      `| cdc watch T --exit-at-end --group G (a commit per write of ≤ 250, overlapping the next write) | ${mg.toFixed(2)} | ${Math.round(events / mg)} |`,
      `all runs: none ${results.none.map((s) => s.toFixed(2)).join(', ')}; group ${results.group.map((s) => s.toFixed(2)).join(', ')}`,
      '',
    ].join('\n'),
  );
}

main().catch((err) => {
  process.stderr.write(`bench:watch-group failed: ${(err as Error).message}\n`);
  process.exitCode = 1;
});
