/**
 * Scaling out with Kafka consumer groups: two `cdc watch --group G` processes on a 4-partition topic
 * split the partitions and together see every event once; stopping one (Ctrl-C) hands its
 * partitions to the other without losing an event.
 */
import type { Admin, Kafka, Message } from 'kafkajs';
import { CdcProcess, changeValue, keyOf, produce, testKafka, uniqueName } from './watch-helpers';

const topic = `${uniqueName('scaleit').replace(/_/g, '.')}.bank.holding`;
const group = uniqueName('scaleit-group');
const kafka: Kafka = testKafka('scale-it');
let admin: Admin;
const processes: CdcProcess[] = [];

interface Seen {
  partition: number;
  offset: number;
  value: { after: { holding_id: number } | null };
}

function seen(p: CdcProcess): Seen[] {
  return p.lines().map((l) => JSON.parse(l) as Seen);
}

/** The partitions named in a process's latest "assigned" note. */
function assignedTo(p: CdcProcess): number[] | undefined {
  const notes = [...p.stderr.matchAll(/group \S+ assigned \S+ \[([\d,]*|none)\]/g)];
  const last = notes.at(-1)?.[1];
  return last === undefined ? undefined : last === 'none' || last === '' ? [] : last.split(',').map(Number);
}

function workload(from: number, count: number): Message[] {
  return Array.from({ length: count }, (_, i) => {
    const id = from + i;
    return { partition: id % 4, key: keyOf(id), value: changeValue('c', id, 1, Date.now()) };
  });
}

beforeAll(async () => {
  admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 4 }], waitForLeaders: true });
});

afterAll(async () => {
  for (const p of processes) await p.stop('SIGKILL');
  await admin.deleteGroups([group]).catch(() => undefined);
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.disconnect();
});

it('two members split the partitions, see every event once, and one takes over when the other stops', async () => {
  const start = () => {
    const p = new CdcProcess(['watch', topic, '--group', group, '-o', 'records']);
    processes.push(p);
    return p;
  };
  const a = start();
  await a.waitFor('A to get all partitions', () => assignedTo(a)?.length === 4);
  const b = start();
  const split = () => {
    const pa = assignedTo(a) ?? [];
    const pb = assignedTo(b) ?? [];
    return pa.length === 2 && pb.length === 2 && new Set([...pa, ...pb]).size === 4;
  };
  await b.waitFor('A and B to share the partitions two and two', split);

  // Phase 1: both members running.
  await produce(kafka, topic, workload(0, 2000));
  const total = () => seen(a).length + seen(b).length;
  await b.waitFor('2000 events across A and B', () => total() >= 2000);
  const partitionsOf = (p: CdcProcess) => new Set(seen(p).map((s) => s.partition));
  const aParts = assignedTo(a)!;
  const bParts = assignedTo(b)!;
  expect([...partitionsOf(a)].sort()).toEqual([...aParts].sort());
  expect([...partitionsOf(b)].sort()).toEqual([...bParts].sort());
  expect(seen(a).length).toBeGreaterThan(0);
  expect(seen(b).length).toBeGreaterThan(0);

  // Phase 2: events keep arriving while A stops; B must take over A's partitions.
  const producing = produce(kafka, topic, workload(2000, 1000));
  const stopped = await a.stop('SIGINT');
  expect(stopped.code).toBe(130);
  expect(a.stderr).toMatch(/cdc watch: interrupted — \d+ events? written/);
  await producing;
  await b.waitFor('B to take over all four partitions', () => assignedTo(b)?.length === 4);
  await produce(kafka, topic, workload(3000, 1000));

  const ids = () => [...seen(a), ...seen(b)].map((s) => s.value.after!.holding_id);
  await b.waitFor('all 4000 events across A and B', () => new Set(ids()).size >= 4000, 90_000);
  // Let anything duplicated arrive before counting.
  await new Promise((r) => setTimeout(r, 1500));
  const all = ids();
  const distinct = new Set(all);
  expect(distinct.size).toBe(4000);
  for (let id = 0; id < 4000; id++) expect(distinct.has(id)).toBe(true);
  // A stopped cleanly (its last batch written and committed before it left): nothing twice.
  expect(all.length).toBe(4000);
  const coordinates = new Set([...seen(a), ...seen(b)].map((s) => `${s.partition}@${s.offset}`));
  expect(coordinates.size).toBe(4000);

  const end = await b.stop('SIGINT');
  expect(end.code).toBe(130);
  const committed = await admin.fetchOffsets({ groupId: group, topics: [topic] });
  const sum = committed[0].partitions.reduce((n, p) => n + Number(p.offset), 0);
  expect(sum).toBe(4000);
});
