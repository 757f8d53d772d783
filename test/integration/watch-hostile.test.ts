/**
 * `cdc watch` with input and flags that used to go wrong (issues 12 and 13): a jsonb value nested
 * 3,000 deep (was "cannot reach Kafka", and a --group stuck on it for good), `--since 99999d`
 * (was Kafka's "The version of API is not supported"), and `--from end` on a terminal (was a blank
 * screen: now it says what it waits for).
 */
import { spawn } from 'node:child_process';
import type { Admin, Kafka } from 'kafkajs';
import { CDC_BIN, runCli } from '../helpers/run-cli';
import { stackUrls } from '../helpers/stack';
import { changeValue, keyOf, produce, testKafka, uniqueName } from './watch-helpers';

const env = { CDC_BROKERS: stackUrls().brokers };
const topic = uniqueName('hostileit').replace(/_/g, '.') + '.bank.doc';
const group = uniqueName('hostileit-group');
const kafka: Kafka = testKafka('watch-hostile-it');
let admin: Admin;
const deep = '{"k":['.repeat(3000) + '1' + ']}'.repeat(3000);
const deepEvent = `{"before":null,"after":{"id":2,"doc":${deep}},"source":{"ts_ms":1767225600000,"schema":"bank","table":"doc"},"op":"c","ts_ms":1767225600000}`;

beforeAll(async () => {
  admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
  await produce(kafka, topic, [
    { key: keyOf(1), value: changeValue('c', 1, 1, 1767225600000) },
    { key: keyOf(2), value: deepEvent },
    { key: keyOf(3), value: changeValue('c', 3, 1, 1767225600000) },
  ]);
});

afterAll(async () => {
  await admin.deleteGroups([group]).catch(() => undefined);
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.disconnect();
});

it('a jsonb nested 3,000 deep is shown in the pretty view (no connection error), and the group moves past it', async () => {
  const first = await runCli(['watch', topic, '--group', group, '-o', 'pretty', '--exit-at-end'], { env, timeoutMs: 60_000 });
  expect({ code: first.code, stderr: first.stderr }).toEqual({ code: 0, stderr: expect.stringMatching(/reached the end — 3 events written/) });
  expect(first.stderr).not.toMatch(/reach Kafka|internal error/);
  expect(first.stdout).toMatch(/0@0 .*CREATE/);
  expect(first.stdout).toMatch(/0@1 .*CREATE/);
  expect(first.stdout).toMatch(/0@2 .*CREATE/);
  expect(first.stdout.replace(/\n\s*/g, '').replace(/": /g, '":').includes(`"doc":${deep}`)).toBe(true);
  const offsets = await admin.fetchOffsets({ groupId: group, topics: [topic] });
  expect(offsets[0].partitions[0].offset).toBe('3');
});

it('--since 99999d is a usage error naming the flag, before connecting', async () => {
  const result = await runCli(['watch', topic, '--since', '99999d', '--brokers', '127.0.0.1:9'], { env, timeoutMs: 30_000 });
  expect(result.code).toBe(2);
  expect(result.stderr).toMatch(/^error: --since '99999d' is before 1970-01-01/);
  expect(result.stderr).not.toMatch(/API|reach Kafka/);
});

it('--from end on a terminal says on stderr that it waits, and for what; then shows what arrives', async () => {
  // `script` gives cdc a real TTY; its output is what the terminal would show.
  const ttyEnv: NodeJS.ProcessEnv = { ...process.env, ...env, NO_COLOR: '1' };
  delete ttyEnv.FORCE_COLOR;
  const child = spawn('script', ['-qec', `"${process.execPath}" "${CDC_BIN}" watch "${topic}" --from end`, '/dev/null'], {
    env: ttyEnv,
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
  });
  let screen = '';
  child.stdout.on('data', (c: Buffer) => {
    screen += c.toString('utf8');
  });
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  const waitFor = async (what: RegExp) => {
    for (let i = 0; i < 600 && !what.test(screen); i++) await new Promise((r) => setTimeout(r, 100));
    if (!what.test(screen)) throw new Error(`the terminal never showed ${what}:\n${JSON.stringify(screen)}`);
  };
  try {
    await waitFor(/cdc watch: waiting for new events on \S+ \[0\] \(Ctrl-C to stop\)/);
    expect(screen).not.toMatch(/0@\d/);
    await produce(kafka, topic, [{ key: keyOf(4), value: changeValue('c', 4, 1, Date.now()) }]);
    await waitFor(/0@3 .*CREATE/);
  } finally {
    process.kill(-child.pid!, 'SIGINT');
    const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 20_000);
    await exited;
    clearTimeout(timer);
  }
});
