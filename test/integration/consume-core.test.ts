/**
 * The consumer core against the real broker, in-process (as the sinks use it): an external offset
 * store is sought to (never a record below it, even with a Kafka commit further back), exitAtEnd,
 * two members of a group splitting partitions and handing them over mid-stream with a store that
 * commits rows and offsets together (no record applied twice, none lost), and a handler error that
 * ends the run as itself, not as a Kafka error.
 */
import type { Admin, Kafka, Message } from 'kafkajs';
import { consume, PartitionMap, readLag, type ConsumeSummary, type OffsetStore, type RecordBatch, type TopicPartition } from '../../src/kafka/consume';
import type { KafkaSettings } from '../../src/kafka/options';
import { stackUrls } from '../helpers/stack';
import { produce, testKafka, uniqueName } from './watch-helpers';

const settings: KafkaSettings = { brokers: { value: [stackUrls().brokers], layer: 'flag', source: 'flag' } };
const kafka: Kafka = testKafka('consume-core-it');
let admin: Admin;
const topics: string[] = [];
const groups: string[] = [];

async function newTopic(partitions: number): Promise<string> {
  const topic = uniqueName('coreit').replace(/_/g, '.') + `.p${partitions}.${topics.length}`;
  await admin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true });
  topics.push(topic);
  return topic;
}

function newGroup(): string {
  const group = uniqueName(`coreit-group-${groups.length}`);
  groups.push(group);
  return group;
}

const messages = (from: number, count: number, partitions: number): Message[] =>
  Array.from({ length: count }, (_, i) => ({ partition: (from + i) % partitions, key: String(from + i), value: `{"n":${from + i}}` }));

/**
 * A store that behaves like a sink's target database: a batch's rows and its partition's position
 * are written in one step (a transaction), and every apply of a record is counted.
 */
class TransactionalStore implements OffsetStore {
  readonly positions = new PartitionMap<bigint>();
  readonly applied = new Map<string, number>();
  async read(partitions: readonly TopicPartition[]): Promise<PartitionMap<bigint>> {
    const out = new PartitionMap<bigint>();
    for (const tp of partitions) {
      const position = this.positions.get(tp);
      if (position !== undefined) out.set(tp, position);
    }
    return out;
  }
  /** The transaction: apply rows and move the position, or nothing. */
  commit(batch: RecordBatch): void {
    for (const r of batch.records) {
      const key = `${r.partition}@${r.offset}`;
      this.applied.set(key, (this.applied.get(key) ?? 0) + 1);
    }
    this.positions.set(batch, batch.next);
  }
}

beforeAll(async () => {
  admin = kafka.admin();
  await admin.connect();
});

afterAll(async () => {
  await admin.deleteGroups(groups).catch(() => undefined);
  await admin.deleteTopics({ topics }).catch(() => undefined);
  await admin.disconnect();
});

it('seeks every assigned partition to the external store, never hands out a record below it, and still commits to Kafka for lag tools', async () => {
  const topic = await newTopic(2);
  const group = newGroup();
  await produce(kafka, topic, messages(0, 200, 2));
  // The group's Kafka commit lags far behind the store (a crash after the target transaction
  // committed, before the Kafka commit): kafkajs alone would start there.
  await admin.setOffsets({
    groupId: group,
    topic,
    partitions: [
      { partition: 0, offset: '5' },
      { partition: 1, offset: '5' },
    ],
  });
  const store = new TransactionalStore();
  store.positions.set({ topic, partition: 0 }, 60n);
  store.positions.set({ topic, partition: 1 }, 99n);
  const seen: Array<[number, number]> = [];
  const summary = await consume(
    settings,
    { topics: [topic], group, start: { kind: 'beginning' }, store, exitAtEnd: true, maxBatchRecords: 7 },
    {
      handle: async (batch) => {
        expect(batch.records.length).toBeLessThanOrEqual(7);
        for (const r of batch.records) seen.push([r.partition, Number(r.offset)]);
        store.commit(batch);
      },
    },
    new AbortController().signal,
  );
  expect(summary.reason).toBe('end');
  const p0 = seen.filter(([p]) => p === 0).map(([, o]) => o);
  const p1 = seen.filter(([p]) => p === 1).map(([, o]) => o);
  expect(p0).toEqual(Array.from({ length: 40 }, (_, i) => 60 + i));
  expect(p1).toEqual([99]);
  expect(summary.handled).toBe(41);
  const committed = await admin.fetchOffsets({ groupId: group, topics: [topic] });
  expect(committed[0].partitions.map((p) => [p.partition, p.offset]).sort()).toEqual([
    [0, '100'],
    [1, '100'],
  ]);
  const lag = await readLag(settings, [topic], { store });
  expect(lag.map((l) => [l.partition, l.position, l.highWatermark, l.lag])).toEqual([
    [0, 100n, 100n, 0n],
    [1, 100n, 100n, 0n],
  ]);
});

it('exitAtEnd stops at the high watermark it saw at start, also while records keep arriving, and positions partitions without a stored offset at the start', async () => {
  const topic = await newTopic(3);
  await produce(kafka, topic, messages(0, 300, 3));
  const store = new TransactionalStore();
  store.positions.set({ topic, partition: 2 }, 100n); // partition 2 is done already
  let producing: Promise<void> | undefined;
  const summary = await consume(
    settings,
    { topics: [topic], group: newGroup(), start: { kind: 'beginning' }, store, exitAtEnd: true, maxBatchRecords: 25 },
    {
      handle: async (batch) => {
        producing ??= produce(kafka, topic, messages(300, 90, 3)); // beyond the end: never handed out
        await new Promise((r) => setTimeout(r, 5));
        store.commit(batch);
      },
    },
    new AbortController().signal,
  );
  await producing;
  expect(summary.reason).toBe('end');
  expect(summary.handled).toBe(200);
  expect([...store.applied.keys()].filter((k) => k.startsWith('2@'))).toEqual([]);
  expect([...store.applied.values()].every((n) => n === 1)).toBe(true);
  expect(summary.progress.map((p) => [p.partition, p.position, p.end])).toEqual([
    [0, 100n, 100n],
    [1, 100n, 100n],
    [2, 100n, 100n],
  ]);
});

it('two members split the partitions and hand them over mid-stream (one joins, one leaves) without applying a record twice or losing one', async () => {
  const PARTITIONS = 4;
  const topic = await newTopic(PARTITIONS);
  const group = newGroup();
  const store = new TransactionalStore();
  const assigned: Record<string, number[]> = { A: [], B: [] };
  // Slow batches: a rebalance always finds a batch in flight, which it must wait for.
  const member = (name: 'A' | 'B', controller: AbortController): Promise<ConsumeSummary> =>
    consume(
      settings,
      {
        topics: [topic],
        group,
        start: { kind: 'beginning' },
        store,
        maxBatchRecords: 20,
      },
      {
        handle: async (batch) => {
          await new Promise((r) => setTimeout(r, 15));
          store.commit(batch);
        },
        onAssigned: (progress) => {
          assigned[name] = progress.map((p) => p.partition);
        },
      },
      controller.signal,
    );
  const waitFor = async (what: string, check: () => boolean, timeoutMs = 60_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: assigned ${JSON.stringify(assigned)}, applied ${store.applied.size}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  await produce(kafka, topic, messages(0, 2000, PARTITIONS));
  const a = new AbortController();
  const runA = member('A', a);
  await waitFor('A to read', () => store.applied.size > 100);
  // B joins while A is busy: A's batches in flight finish before the partitions move.
  const b = new AbortController();
  const runB = member('B', b);
  await waitFor('A and B to share the partitions', () => assigned.A.length === 2 && assigned.B.length === 2);
  const producing = produce(kafka, topic, messages(2000, 2000, PARTITIONS));
  await waitFor('both to read after the split', () => store.applied.size > 2200);
  // A leaves mid-stream: its batch in flight is applied, then B takes everything over.
  a.abort();
  const summaryA = await runA;
  expect(summaryA.reason).toBe('interrupted');
  await producing;
  await waitFor('B to hold all partitions', () => assigned.B.length === PARTITIONS);
  await waitFor('every record applied', () => store.applied.size >= 4000, 90_000);
  b.abort();
  const summaryB = await runB;
  expect(summaryB.reason).toBe('interrupted');

  const twice = [...store.applied.entries()].filter(([, n]) => n > 1);
  expect(twice).toEqual([]);
  for (let p = 0; p < PARTITIONS; p++) {
    for (let o = 0; o < 1000; o++) expect([p, o, store.applied.get(`${p}@${o}`)]).toEqual([p, o, 1]);
  }
  expect(summaryA.handled + summaryB.handled).toBe(4000);
  expect(summaryA.handled).toBeGreaterThan(0);
}, 180_000);

it('a handler error ends the run with that error, not as a Kafka error, and nothing of the batch is committed', async () => {
  const topic = await newTopic(1);
  const group = newGroup();
  await produce(kafka, topic, messages(0, 30, 1));
  const failure = new Error('target database refused the batch');
  const run = consume(
    settings,
    { topics: [topic], group, start: { kind: 'beginning' }, maxBatchRecords: 10 },
    {
      handle: async (batch) => {
        if (batch.records[0].offset === '10') throw failure;
      },
    },
    new AbortController().signal,
  );
  await expect(run).rejects.toBe(failure);
  const committed = await admin.fetchOffsets({ groupId: group, topics: [topic] });
  expect(committed[0].partitions[0].offset).toBe('10');
});

it('a handler slower than the session timeout keeps its partitions (heartbeats continue), and a member joining meanwhile waits for its batch', async () => {
  const topic = await newTopic(2);
  const group = newGroup();
  await produce(kafka, topic, messages(0, 40, 2));
  const store = new TransactionalStore();
  const assigned: Record<string, number[]> = { A: [], B: [] };
  let slowStarted!: () => void;
  const slow = new Promise<void>((resolve) => {
    slowStarted = resolve;
  });
  let first = true;
  const member = (name: 'A' | 'B', controller: AbortController) =>
    consume(
      settings,
      {
        topics: [topic],
        group,
        start: { kind: 'beginning' },
        store,
        sessionTimeoutMs: 6_000,
        maxBatchRecords: 5,
      },
      {
        handle: async (batch) => {
          if (name === 'A' && first) {
            first = false;
            slowStarted();
            await new Promise((r) => setTimeout(r, 12_000)); // twice the session timeout
          }
          store.commit(batch);
        },
        onAssigned: (progress) => {
          assigned[name] = progress.map((p) => p.partition);
        },
      },
      controller.signal,
    );
  const a = new AbortController();
  const b = new AbortController();
  const runA = member('A', a);
  await slow;
  const runB = member('B', b);
  const deadline = Date.now() + 60_000;
  while (store.applied.size < 40 || assigned.B.length === 0) {
    if (Date.now() > deadline) throw new Error(`timed out: applied ${store.applied.size}, assigned ${JSON.stringify(assigned)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  a.abort();
  b.abort();
  const [summaryA, summaryB] = await Promise.all([runA, runB]);
  expect([...store.applied.values()].every((n) => n === 1)).toBe(true);
  expect(store.applied.size).toBe(40);
  expect(summaryA.handled + summaryB.handled).toBe(40);
}, 120_000);

it('an abort during a batch lets it finish and commits it before leaving (kafkajs drops commits once stopped)', async () => {
  const topic = await newTopic(1);
  const group = newGroup();
  await produce(kafka, topic, messages(0, 100, 1));
  const controller = new AbortController();
  let calls = 0;
  const summary = await consume(
    settings,
    { topics: [topic], group, start: { kind: 'beginning' }, maxBatchRecords: 10 },
    {
      handle: async () => {
        calls += 1;
        if (calls === 3) controller.abort();
        await new Promise((r) => setTimeout(r, 300));
      },
    },
    controller.signal,
  );
  expect(summary.reason).toBe('interrupted');
  expect(summary.handled).toBe(30);
  const committed = await admin.fetchOffsets({ groupId: group, topics: [topic] });
  expect(committed[0].partitions[0].offset).toBe('30');
});

it('maxWaitMs: a partial batch waits for more records (two bursts land in one batch), then is handled without reaching maxBatchRecords', async () => {
  const topic = await newTopic(1);
  await produce(kafka, topic, messages(0, 5, 1));
  const controller = new AbortController();
  const batches: Array<{ size: number; at: number }> = [];
  const started = Date.now();
  let second: Promise<void> | undefined;
  const run = consume(
    settings,
    { topics: [topic], group: newGroup(), start: { kind: 'beginning' }, maxBatchRecords: 100, maxWaitMs: 4000 },
    {
      handle: async (batch) => {
        batches.push({ size: batch.records.length, at: Date.now() - started });
        controller.abort();
      },
      // The first five are fetched now; five more arrive while they wait.
      onAssigned: () => {
        second ??= new Promise((r) => setTimeout(r, 500)).then(() => produce(kafka, topic, messages(5, 5, 1)));
      },
    },
    controller.signal,
  );
  const summary = await run;
  await second;
  expect(batches.map((b) => b.size)).toEqual([10]);
  expect(batches[0].at).toBeGreaterThanOrEqual(4000);
  expect(summary.handled).toBe(10);
});
