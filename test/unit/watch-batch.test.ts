/**
 * How `cdc watch` handles one batch from the consumer core: filters, --max-messages, and a record
 * that cannot be rendered (--on-error stop|skip), which is never a connection error and never
 * takes the records around it down with it.
 */
import { writerFor } from '../../commands/watch/output';
import { RecordError } from '../../src/kafka/consume';
import { writeBatch, type Counts, type WatchCallbacks, type WatchPlan } from '../../src/watch/consume';
import type { WatchRecord } from '../../src/watch/record';
import { testContext } from '../helpers/context';

const TOPIC = 'db.bank.doc';
const deep = '['.repeat(3000) + ']'.repeat(3000);
const event = (id: number, doc = '1') =>
  `{"before":null,"after":{"id":${id},"doc":${doc}},"source":{"ts_ms":1767225600000,"schema":"bank","table":"doc"},"op":"c","ts_ms":1767225600000}`;
const record = (offset: number, value: string | null): WatchRecord => ({
  topic: TOPIC,
  partition: 2,
  offset: String(offset),
  timestamp: '1767225600000',
  key: null,
  value: value === null ? null : Buffer.from(value),
  headers: {},
});
const batchOf = (records: WatchRecord[]) => ({ topic: TOPIC, partition: 2, records, next: BigInt(records.at(-1)!.offset) + 1n, highWatermark: 100n });
const plan = (extra: Partial<WatchPlan> = {}): WatchPlan => ({
  topics: [TOPIC],
  start: { kind: 'beginning' },
  exitAtEnd: false,
  reconnectForMs: 1000,
  onError: 'stop',
  ...extra,
});
const zero = (): Counts => ({ received: 0, written: 0, filtered: 0, tombstones: 0, skipped: 0 });

/** Renders ids; offset 11 cannot be rendered (as a 3,000-deep value overflowed the stack before the decoder was made safe). */
function callbacks(): WatchCallbacks & { out: string[]; skipped: RecordError[] } {
  const out: string[] = [];
  const skipped: RecordError[] = [];
  return {
    out,
    skipped,
    render: (records) =>
      records
        .map((r) => {
          if (r.offset === '11') throw new RangeError('Maximum call stack size exceeded');
          return `${r.offset}\n`;
        })
        .join(''),
    write: async (data) => {
      out.push(String(data));
    },
    onSkipped: (error) => skipped.push(error),
  };
}

const records = [10, 11, 12].map((o) => record(o, event(o)));

it('--on-error stop: writes what comes before the record, names it (topic, partition, offset, why), and commits only up to it', async () => {
  const cb = callbacks();
  const counts = zero();
  const result = await writeBatch(batchOf(records), plan(), cb, counts);
  expect(cb.out.join('')).toBe('10\n');
  expect(result).toEqual({ handledUntil: 11n, error: expect.any(RecordError) });
  const error = (result as { error?: Error }).error as RecordError;
  expect(error.message).toBe(`record ${TOPIC}[2]@11: cannot be shown: it is nested too deeply`);
  expect(error.exitCode).toBe(3);
  expect(error.hint).toMatch(/--on-error skip/);
  expect(error.message).not.toMatch(/reach Kafka/);
  expect(counts).toMatchObject({ written: 1, skipped: 0 });
});

it('--on-error skip: reports the record and writes the others; the whole batch counts as handled', async () => {
  const cb = callbacks();
  const counts = zero();
  const result = await writeBatch(batchOf(records), plan({ onError: 'skip' }), cb, counts);
  expect(result).toBeUndefined();
  expect(cb.out.join('')).toBe('10\n12\n');
  expect(cb.skipped.map((e) => e.offset)).toEqual(['11']);
  expect(counts).toMatchObject({ received: 3, written: 2, skipped: 1 });
});

it('a filter that throws on a record is the same kind of record error', async () => {
  const cb = callbacks();
  const accept = (r: WatchRecord) => {
    if (r.offset === '10') throw new Error('bad \u001b[2J key');
    return true;
  };
  const result = await writeBatch(batchOf([record(10, event(10)), record(12, event(12))]), plan({ accept }), cb, zero());
  expect((result as { error: Error }).error.message).toBe(`record ${TOPIC}[2]@10: cannot be filtered: bad \\u001b[2J key`);
  expect(cb.out).toEqual([]);
});

it('--max-messages stops inside the batch after the Nth written event; filtered records count as read', async () => {
  const cb = callbacks();
  const counts = zero();
  const accept = (r: WatchRecord) => r.offset !== '12';
  const batch = batchOf([10, 12, 13, 14].map((o) => record(o, o === 14 ? null : event(o))));
  const result = await writeBatch(batch, plan({ accept, maxMessages: 2 }), cb, counts);
  expect(result).toEqual({ handledUntil: 14n });
  expect(cb.out.join('')).toBe('10\n13\n');
  expect(counts).toMatchObject({ received: 3, written: 2, filtered: 1 });
});

it('the real pretty renderer and a jsonb nested 3,000 deep: rendered or reported with its offset, never thrown, neighbours written', async () => {
  const render = await writerFor(testContext({ tty: true }), 'pretty', 'payload');
  const out: string[] = [];
  const skipped: RecordError[] = [];
  const counts = zero();
  const result = await writeBatch(
    batchOf([record(10, event(10)), record(11, event(11, deep)), record(12, event(12))]),
    plan({ onError: 'skip' }),
    {
      render,
      write: async (d) => {
        out.push(String(d));
      },
      onSkipped: (e) => skipped.push(e),
    },
    counts,
  );
  expect(result).toBeUndefined();
  const text = out.join('');
  expect(text).toMatch(/2@10 /);
  expect(text).toMatch(/2@12 /);
  if (skipped.length > 0) expect(skipped.map((e) => e.message)).toEqual([`record ${TOPIC}[2]@11: cannot be shown: it is nested too deeply`]);
  else expect(text).toMatch(/2@11 /);
  expect(counts.written + counts.skipped).toBe(3);
});
