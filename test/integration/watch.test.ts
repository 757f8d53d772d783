/**
 * `cdc watch` against the real broker: where it starts and stops, filters, consumer-group commits,
 * following a live topic and Ctrl-C, and the errors for a missing topic. The topic is filled by the
 * test itself (Debezium-shaped values with known offsets and timestamps); the pipeline test covers
 * real Debezium output.
 */
import type { Admin, Kafka, Message } from 'kafkajs';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CDC_BIN, describeResult, runCli } from '../helpers/run-cli';
import { stackUrls } from '../helpers/stack';
import { CdcProcess, changeValue, keyOf, produce, testKafka, uniqueName } from './watch-helpers';

const urls = stackUrls();
const env = { CDC_BROKERS: urls.brokers };
const topic = uniqueName('watchit').replace(/_/g, '.') + '.bank.holding';
const group = uniqueName('watchit-group');
const kafka: Kafka = testKafka('watch-it');
let admin: Admin;

// Partition p holds, in order: c, u, d and a tombstone for holding p*100+k, k = 0..2 (12 records),
// with record timestamps two hours ago for k = 0 and now for the rest.
const PARTITIONS = 3;
const now = Date.now();
const expected: Record<number, string[]> = {};
function partitionMessages(p: number): Message[] {
  const messages: Message[] = [];
  expected[p] = [];
  for (let k = 0; k < 3; k++) {
    const id = p * 100 + k;
    const time = k === 0 ? now - 2 * 3_600_000 : now;
    for (const [op, value] of [
      ['c', changeValue('c', id, 1, time)],
      ['u', changeValue('u', id, 2, time)],
      ['d', changeValue('d', id, 2, time)],
      ['x', null],
    ] as const) {
      messages.push({ partition: p, key: keyOf(id), value, timestamp: String(time + (op === 'x' ? 1 : 0)) });
      expected[p].push(value ?? 'null');
    }
  }
  return messages;
}

const watch = (args: string[], timeoutMs = 60_000) => runCli(['watch', topic, ...args], { env, timeoutMs });
const linesOf = (stdout: string) => stdout.split('\n').filter((l) => l !== '');

beforeAll(async () => {
  admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS }], waitForLeaders: true });
  const messages: Message[] = [];
  for (let p = 0; p < PARTITIONS; p++) messages.push(...partitionMessages(p));
  await produce(kafka, topic, messages);
});

afterAll(async () => {
  await admin.deleteGroups([group]).catch(() => undefined);
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.disconnect();
});

describe('where cdc watch starts and stops', () => {
  it('by default reads every partition from the beginning; --exit-at-end stops at the end; values byte for byte', async () => {
    const result = await watch(['--exit-at-end']);
    expect(result.code).toBe(0);
    const lines = linesOf(result.stdout);
    expect(lines).toHaveLength(PARTITIONS * 12);
    // Partitions interleave; within one partition the order is the log's.
    const all = Object.values(expected).flat();
    expect([...lines].sort()).toEqual([...all].sort());
    for (let p = 0; p < PARTITIONS; p++) {
      const mine = lines.filter((l) => expected[p].includes(l) && l !== 'null');
      expect(mine).toEqual(expected[p].filter((l) => l !== 'null'));
    }
    expect(result.stdout).toContain('"big":9007199254740993');
    expect(result.stderr).toMatch(/reached the end — 36 events written \(9 tombstones\), 36 read from 3 partitions/);
  });

  it('-o records carries partition and offset; --partition and --from -N pick the last N of a partition', async () => {
    const result = await watch(['--exit-at-end', '-o', 'records', '--partition', '1', '--from', '-2']);
    expect(result.code).toBe(0);
    const records = linesOf(result.stdout).map((l) => JSON.parse(l) as { partition: number; offset: number; key: unknown; value: unknown });
    expect(records.map((r) => [r.partition, r.offset])).toEqual([
      [1, 10],
      [1, 11],
    ]);
    expect(records[1].key).toEqual({ holding_id: 102 });
    expect(records[1].value).toBeNull();
    expect(JSON.stringify(records[0].value)).toBe(JSON.stringify(JSON.parse(expected[1][10])));
  });

  it('--from N starts every partition at offset N', async () => {
    const result = await watch(['--exit-at-end', '--from', '8', '-o', 'records']);
    expect(result.code).toBe(0);
    const offsets = linesOf(result.stdout).map((l) => JSON.parse(l) as { partition: number; offset: number });
    expect(offsets).toHaveLength(PARTITIONS * 4);
    expect(offsets.every((o) => o.offset >= 8)).toBe(true);
  });

  it('--since 1h skips the records timestamped two hours ago (ISO times work too)', async () => {
    for (const since of ['1h', new Date(now - 3_600_000).toISOString()]) {
      const result = await watch(['--exit-at-end', '--since', since, '-o', 'records']);
      expect(result.code).toBe(0);
      const records = linesOf(result.stdout).map((l) => JSON.parse(l) as { partition: number; offset: number });
      expect(records).toHaveLength(PARTITIONS * 8);
      expect(records.every((r) => r.offset >= 4)).toBe(true);
    }
  });

  it('--max-messages N writes exactly N and exits 0', async () => {
    const result = await watch(['--max-messages', '5']);
    expect(result.code).toBe(0);
    expect(linesOf(result.stdout)).toHaveLength(5);
    expect(result.stderr).toMatch(/reached --max-messages — 5 events written/);
  });

  it('leaves no consumer group behind without --group', async () => {
    const result = await watch(['--exit-at-end', '--verbose', '-n', '1']);
    expect(result.code).toBe(0);
    const groupId = /consumer group (cdc-watch-[0-9a-f-]+) \(throw-away/.exec(result.stderr)?.[1];
    expect(groupId).toBeDefined();
    const groups = (await admin.listGroups()).groups.map((g) => g.groupId);
    expect(groups).not.toContain(groupId);
  });

  it('--from end with --exit-at-end writes nothing and exits at once', async () => {
    const result = await watch(['--from', 'end', '--exit-at-end']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
  });
});

describe('several topics', () => {
  it('reads them all, each from its own beginning', async () => {
    const second = `${topic}.second`;
    await admin.createTopics({ topics: [{ topic: second, numPartitions: 1 }], waitForLeaders: true });
    try {
      const value = changeValue('c', 777, 7, now);
      await produce(kafka, second, [{ key: keyOf(777), value }]);
      const result = await runCli(['watch', topic, second, '--exit-at-end', '-o', 'records'], { env, timeoutMs: 60_000 });
      expect(result.code).toBe(0);
      const records = linesOf(result.stdout).map((l) => JSON.parse(l) as { topic: string });
      expect(records.filter((r) => r.topic === topic)).toHaveLength(36);
      expect(records.filter((r) => r.topic === second)).toHaveLength(1);
    } finally {
      await admin.deleteTopics({ topics: [second] }).catch(() => undefined);
    }
  });
});

describe('filters', () => {
  it('--op d --key holding_id=101 keeps that delete only', async () => {
    const result = await watch(['--exit-at-end', '--op', 'd', '--key', 'holding_id=101']);
    expect(result.code).toBe(0);
    expect(linesOf(result.stdout)).toEqual([expected[1][6]]);
    expect(result.stderr).toMatch(/1 event written \(35 filtered out\)/);
  });

  it('--op tombstone --table holding keeps the tombstones', async () => {
    const result = await watch(['--exit-at-end', '--op', 'tombstone', '--table', 'bank.holding']);
    expect(linesOf(result.stdout)).toEqual(Array(9).fill('null'));
  });
});

describe('--group', () => {
  it('commits after writing: a second run carries on where the first stopped', async () => {
    const first = await watch(['--group', group, '--exit-at-end']);
    expect(first.code).toBe(0);
    expect(linesOf(first.stdout)).toHaveLength(36);
    expect(first.stderr).toMatch(new RegExp(`group ${group} assigned ${topic.replace(/\./g, '\\.')} \\[0,1,2\\]`));

    const offsets = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    expect(offsets[0].partitions.map((p) => [p.partition, p.offset]).sort()).toEqual([
      [0, '12'],
      [1, '12'],
      [2, '12'],
    ]);

    const second = await watch(['--group', group, '--exit-at-end']);
    expect(second.code).toBe(0);
    expect(second.stdout).toBe('');

    const added = changeValue('c', 999, 1, Date.now());
    await produce(kafka, topic, [{ partition: 2, key: keyOf(999), value: added }]);
    const third = await watch(['--group', group, '--exit-at-end']);
    expect(third.code).toBe(0);
    expect(linesOf(third.stdout)).toEqual([added]);
  });

  it('--session-timeout the broker refuses (below group.min.session.timeout.ms, 6 s) is a usage error naming the flag', async () => {
    const refused = await watch(['--group', `${group}-session`, '--session-timeout', '2', '--exit-at-end'], 30_000);
    expect({ code: refused.code, stdout: refused.stdout, stderr: refused.stderr }).toEqual({
      code: 2,
      stdout: '',
      stderr: expect.stringMatching(/refused the consumer group's session timeout[^\n]*\n(.*\n)*hint: .*--session-timeout/),
    });
  });
});

describe('--group commits only what was written', () => {
  const slowTopic = `${topic}.slow`;
  const slowGroup = `${group}-slow`;
  const COUNT = 5000;
  beforeAll(async () => {
    await admin.createTopics({ topics: [{ topic: slowTopic, numPartitions: 1 }], waitForLeaders: true });
  });
  const events = (from: number, to: number) =>
    Array.from({ length: to - from }, (_, i) => ({ key: keyOf(from + i), value: changeValue('c', from + i, 1, now) }));
  afterAll(async () => {
    await admin.deleteGroups([slowGroup]).catch(() => undefined);
    await admin.deleteTopics({ topics: [slowTopic] }).catch(() => undefined);
  });

  it('with a reader that stops reading, the committed offset never passes what reached the pipe', async () => {
    const child = spawn(process.execPath, [CDC_BIN, 'watch', slowTopic, '--group', slowGroup], {
      env: { ...process.env, ...env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    child.stdout.pause(); // nobody reads: the pipe fills and cdc's writes stop completing
    const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
    const committed = async () => {
      const [{ partitions }] = await admin.fetchOffsets({ groupId: slowGroup, topics: [slowTopic] });
      return Number(partitions[0].offset);
    };
    try {
      // 100 small events fit in the pipe: written, so committed.
      await produce(kafka, slowTopic, events(0, 100));
      for (let i = 0; i < 60 && (await committed()) < 100; i++) await new Promise((r) => setTimeout(r, 500));
      expect({ committed: await committed(), stderr }).toEqual({ committed: 100, stderr });
      // 1.6 MB more do not: wait until the commits stop moving, cdc blocked on the full pipe.
      await produce(kafka, slowTopic, events(100, COUNT));
      let last = -2;
      for (let i = 0; i < 60; i++) {
        await new Promise((r) => setTimeout(r, 500));
        const now = await committed();
        if (now === last && now > 0) break;
        last = now;
      }
      const stuckAt = await committed();
      expect({ stuckAt, stderr }).toEqual({ stuckAt: expect.any(Number), stderr: expect.not.stringMatching(/error/) });
      expect(stuckAt).toBeGreaterThanOrEqual(100);
      expect(stuckAt).toBeLessThan(COUNT);
      // Kill it where it stands, then read everything it had handed to the pipe.
      child.kill('SIGKILL');
      const chunks: Buffer[] = [];
      child.stdout.on('data', (c: Buffer) => chunks.push(c));
      child.stdout.resume();
      await exited;
      const text = Buffer.concat(chunks).toString('utf8');
      const complete = text
        .slice(0, text.lastIndexOf('\n') + 1)
        .split('\n')
        .filter((l) => l !== '');
      // Every committed event is in the output, in order: a new member starting at the commit loses nothing.
      expect(complete.length).toBeGreaterThanOrEqual(stuckAt);
      for (let i = 0; i < stuckAt; i++) expect(complete[i]).toBe(changeValue('c', i, 1, now));
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  }, 90_000);
});

describe('without --group, writes run ahead of the pipe', () => {
  // 5,000 events (1.6 MB): far more than a pipe holds, all within the 16 MB that writes may run
  // ahead of the pipe without --group.
  const aheadTopic = `${topic}.ahead`;
  const COUNT = 5000;
  beforeAll(async () => {
    await admin.createTopics({ topics: [{ topic: aheadTopic, numPartitions: 1 }], waitForLeaders: true });
    await produce(
      kafka,
      aheadTopic,
      Array.from({ length: COUNT }, (_, i) => ({ key: keyOf(i), value: changeValue('c', i, 1, now) })),
    );
  });
  afterAll(async () => {
    await admin.deleteTopics({ topics: [aheadTopic] }).catch(() => undefined);
  });

  it('Ctrl-C while the pipe is full: every event the summary counts as written reaches the reader, in order', async () => {
    const child = spawn(process.execPath, [CDC_BIN, 'watch', aheadTopic, '--verbose'], {
      env: { ...process.env, ...env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    child.stdout.pause(); // nobody reads yet: the pipe fills, the rest waits in cdc's write-ahead
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    try {
      for (let i = 0; i < 100 && !/reading /.test(stderr); i++) await new Promise((r) => setTimeout(r, 200));
      await new Promise((r) => setTimeout(r, 3000)); // time to fetch and render them all
      child.kill('SIGINT');
      const chunks: Buffer[] = [];
      child.stdout.on('data', (c: Buffer) => chunks.push(c));
      child.stdout.resume();
      const code = await exited;
      const lines = Buffer.concat(chunks)
        .toString('utf8')
        .split('\n')
        .filter((l) => l !== '');
      const written = Number(/cdc watch: interrupted — (\d+) events? written/.exec(stderr)?.[1]);
      expect({ code, written, stderr }).toEqual({ code: 130, written: expect.any(Number), stderr });
      expect(written).toBeGreaterThan(1000); // more than the pipe held when Ctrl-C came
      expect(lines.length).toBe(written);
      for (let i = 0; i < written; i++) expect(lines[i]).toBe(changeValue('c', i, 1, now));
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  }, 90_000);
});

describe('following a live topic', () => {
  it('shows new events as they arrive; Ctrl-C ends with a summary on stderr and exit 130', async () => {
    const follower = new CdcProcess(['watch', topic, '--from', 'end', '--verbose']);
    try {
      await follower.waitFor('the partitions to be assigned', () => /reading .*\[0,1,2\]/.test(follower.stderr));
      const fresh = [1, 2, 3, 4, 5].map((i) => ({ key: keyOf(5000 + i), value: changeValue('c', 5000 + i, i, Date.now()) }));
      await produce(kafka, topic, fresh);
      await follower.waitFor('the five new events', () => follower.lines().length >= 5);
      const { code } = await follower.stop('SIGINT');
      expect(code).toBe(130);
      expect([...follower.lines()].sort()).toEqual(fresh.map((m) => m.value).sort());
      expect(follower.stderr).toMatch(/cdc watch: interrupted — 5 events written/);
      expect(
        follower.stderr
          .trim()
          .split('\n')
          .filter((l) => l.startsWith('cdc watch:')),
      ).toHaveLength(1);
    } finally {
      await follower.stop('SIGKILL');
    }
  });
});

describe('on a terminal (the built binary under a pseudo-terminal)', () => {
  const ttyTopic = `${topic}.tty`;
  beforeAll(async () => {
    await admin.createTopics({ topics: [{ topic: ttyTopic, numPartitions: 1 }], waitForLeaders: true });
    const hostile = '\u001b[2J\u001b]0;owned\u0007\u009b31m';
    const update = `{"before":{"holding_id":7,"big":123456789012345678901,"note":"ok","holding_quantity":1},"after":{"holding_id":7,"big":123456789012345678901,"note":${JSON.stringify(hostile)},"holding_quantity":2},"source":{"ts_ms":${now},"schema":"bank","table":"holding"},"op":"u","ts_ms":${now}}`;
    await produce(kafka, ttyTopic, [
      { key: keyOf(7), value: update },
      { key: keyOf(7), value: null },
    ]);
  });
  afterAll(async () => {
    await admin.deleteTopics({ topics: [ttyTopic] }).catch(() => undefined);
  });

  it('shows blocks with a header, --changes as old → new, tombstones as such, and control characters escaped', async () => {
    // `script` gives cdc a real TTY: the pretty view is chosen by isatty, not by a flag.
    const command = `"${process.execPath}" "${CDC_BIN}" watch "${ttyTopic}" --exit-at-end --changes`;
    const ttyEnv: NodeJS.ProcessEnv = { ...process.env, ...env, NO_COLOR: '1' };
    delete ttyEnv.FORCE_COLOR; // node warns on a TTY when both are set
    const run = spawnSync('script', ['-qec', command, '/dev/null'], { env: ttyEnv, encoding: 'utf8', timeout: 60_000 });
    const text = run.stdout.replace(/\r\n/g, '\n');
    const why = `exit ${run.status}\n--- terminal ---\n${JSON.stringify(text)}\n--- stderr ---\n${run.stderr}`;
    try {
      expect(run.status).toBe(0);
      const blocks = text.trim().split('\n\n');
      expect(blocks[0].split('\n')[0]).toMatch(new RegExp(`^${ttyTopic.replace(/\./g, '\\.')}  0@0  \\S+Z  UPDATE +key \\{"holding_id":7\\}$`));
      expect(
        blocks[0]
          .split('\n')
          .slice(1)
          .map((l) => l.trim()),
      ).toEqual(['note: "ok" → "\\u001b[2J\\u001b]0;owned\\u0007\\u009b31m"', 'holding_quantity: 1 → 2']);
      expect(blocks[1]).toMatch(/0@1 .* TOMBSTONE +key \{"holding_id":7\}/);
      expect(text).toMatch(/cdc watch: reached the end — 2 events written \(1 tombstone\)/);
      // Nothing from the payload drives the terminal: no ESC, BEL or CSI byte at all (NO_COLOR).
      expect(text).not.toMatch(/[\u001b\u0007\u009b]/);
    } catch (e) {
      throw new Error(`${(e as Error).message}\n${why}`);
    }
  });
});

describe('the record batch decoder of src/kafka/record-batch.ts', () => {
  it("is the one kafkajs decodes with in the built binary (put in Node's module cache from inside the bundle)", async () => {
    // A preload watches the module cache entry of kafkajs's decoder: whoever puts it there, it
    // counts the calls of the function the entry exports. kafkajs's own decoder is anonymous.
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cdc-decoder-'));
    const preload = path.join(tmp, 'count-decodes.js');
    const report = path.join(tmp, 'decodes.json');
    const decoderFile = path.join(path.dirname(require.resolve('kafkajs/package.json')), 'src/protocol/recordBatch/v0/decoder.js');
    fs.writeFileSync(
      preload,
      `let entry, calls = 0;
      Object.defineProperty(require.cache, ${JSON.stringify(decoderFile)}, {
        configurable: true, enumerable: true, get: () => entry,
        set: (module) => {
          entry = module;
          const decode = module.exports;
          if (typeof decode === 'function') module.exports = Object.defineProperty(function (...args) { calls++; return decode.apply(this, args); }, 'name', { value: decode.name });
        },
      });
      process.on('exit', () => require('fs').writeFileSync(${JSON.stringify(report)}, JSON.stringify({ name: entry?.exports?.name, calls })));\n`,
    );
    try {
      const result = await runCli(['watch', topic, '--exit-at-end'], { env: { ...env, NODE_OPTIONS: `--require ${preload}` } });
      expect(result.code).toBe(0);
      // The tests before this one add events (following a live topic): at least the first 36.
      expect(linesOf(result.stdout).length).toBeGreaterThanOrEqual(PARTITIONS * 12);
      const decodes = JSON.parse(fs.readFileSync(report, 'utf8')) as { name?: string; calls: number };
      expect(decodes.name).toBe('decodeRecordBatch');
      expect(decodes.calls).toBeGreaterThan(0);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});

describe('errors', () => {
  it('a missing topic is a not-found error (exit 4) that suggests the near miss', async () => {
    const result = await runCli(['watch', topic.replace('holding', 'holdin')], { env, timeoutMs: 30_000 });
    expect(result.code).toBe(4);
    expect(result.stderr).toContain(`error: topic '${topic.replace('holding', 'holdin')}' does not exist`);
    expect(result.stderr).toContain(`did you mean: ${topic}`);
    expect(result.stdout).toBe('');
  });

  it('an unknown partition is a usage error naming the partitions there are', async () => {
    const result = await watch(['--partition', '7', '--exit-at-end']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/has no partition 7[\s\S]*0–2/);
  });

  it('an unreachable broker is a clear error within seconds', async () => {
    const started = Date.now();
    const result = await runCli(['watch', topic, '--brokers', '127.0.0.1:9', '-e'], { timeoutMs: 30_000 });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: cannot reach Kafka at 127\.0\.0\.1:9 \(flag\)/);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(describeResult(result)).not.toMatch(/\n\s+at /);
  });
});
