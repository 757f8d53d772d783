/**
 * kill -9 of `cdc watch --group`: nothing is lost, and what the next run repeats is bounded by two
 * writes (WATCH_REPEAT_BOUND events): the offsets of each write are committed while the next is written. Two
 * runs are killed mid-stream, then a third reads to the end; every run writes its own file.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Admin, Kafka } from 'kafkajs';
import { WATCH_REPEAT_BOUND } from '../../src/watch/consume';
import { CDC_BIN } from '../helpers/run-cli';
import { stackUrls } from '../helpers/stack';
import { changeValue, keyOf, produce, testKafka, uniqueName } from './watch-helpers';

const topic = uniqueName('killit').replace(/_/g, '.') + '.bank.holding';
const group = uniqueName('killit-group');
const kafka: Kafka = testKafka('watch-kill-it');
const PARTITIONS = 3;
/**
 * Each run after a kill first waits for the killed member's session to time out: 10 s here rather
 * than the default 30, still well past the 3 s at which the interrupted run is stopped.
 */
const SESSION = ['--session-timeout', '10'];
const EVENTS = 60_000;
let admin: Admin;
let dir: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdc-watch-kill-'));
  admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS }], waitForLeaders: true });
  await produce(
    kafka,
    topic,
    Array.from({ length: EVENTS }, (_, i) => ({ partition: i % PARTITIONS, key: keyOf(i), value: changeValue('c', i, 1, 1_700_000_000_000) })),
  );
}, 120_000);

afterAll(async () => {
  await admin.deleteGroups([group]).catch(() => undefined);
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.disconnect();
  fs.rmSync(dir, { recursive: true, force: true });
});

/**
 * Runs `cdc watch --group` into a file; kills it with SIGKILL once the file holds `killAt` lines, or
 * interrupts it (SIGINT) `interruptAfterMs` after its start, or lets it end with -e.
 */
async function run(
  name: string,
  killAt?: number,
  interruptAfterMs?: number,
): Promise<{ file: string; code: number | null; signal: string | null; stderr: string }> {
  const file = path.join(dir, `${name}.jsonl`);
  const fd = fs.openSync(file, 'w');
  const args = [
    'watch',
    topic,
    '--group',
    group,
    ...SESSION,
    '-o',
    'records',
    ...(killAt === undefined && interruptAfterMs === undefined ? ['--exit-at-end'] : []),
  ];
  const child = spawn(process.execPath, [CDC_BIN, ...args], {
    env: { ...process.env, NO_COLOR: '1', CDC_BROKERS: stackUrls().brokers },
    stdio: ['ignore', fd, 'pipe'],
  });
  fs.closeSync(fd);
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  const guard = setTimeout(() => child.kill('SIGKILL'), 90_000);
  if (killAt !== undefined) {
    while (child.exitCode === null && fs.statSync(file).size < killAt * 250) await new Promise((r) => setTimeout(r, 10));
    child.kill('SIGKILL');
  }
  if (interruptAfterMs !== undefined) setTimeout(() => child.kill('SIGINT'), interruptAfterMs);
  const result = await exited;
  clearTimeout(guard);
  return { file, ...result, stderr };
}

/** Coordinates (`partition@offset`) of the complete lines of a file; a line cut by the kill is not output. */
function coordinates(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  return text
    .slice(0, text.lastIndexOf('\n') + 1)
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const r = JSON.parse(l) as { partition: number; offset: number };
      return `${r.partition}@${r.offset}`;
    });
}

it(`after kill -9 the next run repeats at most ${WATCH_REPEAT_BOUND} events and loses none`, async () => {
  const runs: string[][] = [];
  for (const [i, killAt] of [5_000, 12_000].entries()) {
    const killed = await run(`killed-${i}`, killAt);
    expect({ signal: killed.signal, stderr: killed.stderr }).toEqual({ signal: 'SIGKILL', stderr: expect.not.stringMatching(/error/) });
    runs.push(coordinates(killed.file));
    if (i === 0) {
      // Ctrl-C while the group still waits for the killed member (its session has 10 s to run out):
      // stopping closes the connection of the pending join; the run must end (exit 130) and kafkajs
      // must not start the consumer again after the summary (it did: the process never ended).
      const interrupted = await run('interrupted', undefined, 3_000);
      expect({ code: interrupted.code, signal: interrupted.signal, stderr: interrupted.stderr }).toEqual({
        code: 130,
        signal: null,
        stderr: expect.not.stringMatching(/reconnecting|error/),
      });
      runs.push(coordinates(interrupted.file));
    }
  }
  const last = await run('last');
  expect({ code: last.code, stderr: last.stderr }).toEqual({ code: 0, stderr: expect.stringMatching(/reached the end/) });
  runs.push(coordinates(last.file));

  const all = new Set(runs.flat());
  expect(all.size).toBe(EVENTS); // nothing lost
  for (const lines of runs) expect(new Set(lines).size).toBe(lines.length); // nothing twice within a run
  // What each killed run wrote that a later run wrote again (a later run may reach a partition
  // only after the next kill, so compare with all later runs).
  const repeats = runs.slice(0, -1).map((lines, i) => {
    const later = new Set(runs.slice(i + 1).flat());
    return lines.filter((c) => later.has(c)).length;
  });
  process.stderr.write(
    `watch --group kill -9: lines per run ${runs.map((r) => r.length).join(', ')}; written again after each kill: ${repeats.join(', ')} (bound ${WATCH_REPEAT_BOUND})\n`,
  );
  for (const n of repeats) expect(n).toBeLessThanOrEqual(WATCH_REPEAT_BOUND);
  expect(runs.flat().length - EVENTS).toBe(repeats.reduce((a, b) => a + b, 0));
}, 300_000);
