import { createEventTextParser } from '../../src/debezium';
import { decodeSinkRecord, planBatch, type SinkChange, type SinkItem, type SinkRecord, type SinkTruncate } from '../../src/sink';
import { fixtureRecords } from './sink-records';

const records = fixtureRecords();
const decode = (r: SinkRecord): SinkItem => decodeSinkRecord(r, createEventTextParser());
const usable = (items: SinkItem[]) => items.filter((i): i is SinkChange | SinkTruncate => i.kind === 'change' || i.kind === 'truncate');
const summary = (items: SinkItem[]) =>
  planBatch(usable(items)).flatMap((p) =>
    p.segments.map((s) => ({
      // Keys in key order (the plan keeps arrival order between keys, which does not matter); each key's events as planned.
      events: s.events
        .map((e) => `${e.change.keyText}:${e.change.op}@${e.change.record.offset}`)
        .sort((a, b) => Number(a.split(':')[0]) - Number(b.split(':')[0])),
      truncate: s.truncate?.record.offset,
    })),
  );
const edited = (r: SinkRecord, from: string, to: string): SinkRecord => ({ ...r, value: Buffer.from(r.value!.toString('utf8').replace(from, to)) });

describe('decoding records for the sink', () => {
  it('tells changes, truncates and tombstones apart in real Debezium output', () => {
    expect(
      records.map((r) => {
        const i = decode(r);
        return i.kind === 'change' ? i.op : i.kind;
      }),
    ).toEqual(['r', 'r', 'u', 'd', 'skip', 'd', 'skip', 'c', 'truncate', 'c']);
    const u = decode(records[2]) as SinkChange;
    expect({ lsn: u.position.lsn, snapshot: u.position.snapshot, timeUs: u.timeUs, keys: u.keyColumns, table: u.table }).toEqual({
      lsn: 22141656n,
      snapshot: false,
      timeUs: 1796097043008042n,
      keys: ['id'],
      table: { schema: 'typesfx', table: 'everything' },
    });
  });

  it('reports a table without a primary key with how to fix it, and other unusable records with why', () => {
    const noKey = decode({ ...records[7], key: null });
    expect(noKey).toMatchObject({
      kind: 'bad',
      reason: expect.stringMatching(/typesfx\.everything has no primary key/),
      hint: expect.stringMatching(/message\.key\.columns=typesfx\.everything:/),
    });
    expect(decode({ ...records[0], value: Buffer.from('{"not":"an event"}') })).toMatchObject({
      kind: 'bad',
      reason: expect.stringMatching(/not a Debezium event/),
    });
    expect(decode({ ...records[0], value: Buffer.from('{oops') })).toMatchObject({ kind: 'bad', reason: expect.stringMatching(/^not JSON/) });
    const schemaless = JSON.parse(records[0].value!.toString('utf8')).payload;
    expect(decode({ ...records[0], value: Buffer.from(JSON.stringify(schemaless)) })).toMatchObject({
      kind: 'bad',
      hint: expect.stringMatching(/schemas\.enable=true/),
    });
  });
});

describe('planning a batch', () => {
  const inOrder = summary(records.map(decode));

  it('orders each key by source position, splits at the truncate, and ignores arrival order', () => {
    expect(inOrder).toEqual([
      { events: ['1:r@0', '1:u@2', '1:d@5', '2:r@1', '2:d@3', '3:c@7'], truncate: '8' },
      { events: ['4:c@9'], truncate: undefined },
    ]);
    expect(summary([...records].reverse().map(decode))).toEqual(inOrder);
  });

  it('applies an event that arrives twice once; a snapshot row re-sent after newer changes counts as stale', () => {
    const [plan] = planBatch(usable([records[0], records[2], records[0], records[2]].map(decode)));
    expect(plan.segments[0].events.map((e) => e.change.op)).toEqual(['r', 'u']);
    expect({ repeated: plan.repeated, stale: plan.repeatedStale }).toEqual({ repeated: 2, stale: 1 });
  });

  it("takes an unchanged TOAST column from the key's previous event, else leaves it for the current version", () => {
    const toasted = edited(records[2], '"t":"changed"', '"t":"__debezium_unavailable_value"');
    const [withPrevious] = planBatch(usable([records[0], toasted].map(decode)));
    const update = withPrevious.segments[0].events[1];
    expect({ t: update.values.t, unchanged: update.unchanged }).toEqual({ t: 'hé "q" \\ tab\tnl\nx', unchanged: [] });
    const [alone] = planBatch(usable([toasted].map(decode)));
    expect({ t: alone.segments[0].events[0].values.t, unchanged: alone.segments[0].events[0].unchanged }).toEqual({ t: null, unchanged: ['t'] });
  });

  it('gives a delete the last known values: from the previous event here, else from the current version', () => {
    const d = JSON.parse(records[5].value!.toString('utf8'));
    d.payload.before = Object.fromEntries(Object.keys(d.payload.before).map((k) => [k, k === 'id' ? 1 : null]));
    const defaultIdentity = { ...records[5], value: Buffer.from(JSON.stringify(d)) };
    const [plan] = planBatch(usable([records[2], defaultIdentity].map(decode)));
    const del = plan.segments[0].events[1];
    expect({ op: del.change.op, t: del.values.t, amount: del.values.amount, fill: del.fillFromCurrent }).toEqual({
      op: 'd',
      t: 'changed',
      amount: '99.99',
      fill: false,
    });
    const [alone] = planBatch(usable([defaultIdentity].map(decode)));
    expect(alone.segments[0].events[0].fillFromCurrent).toBe(true);
  });
});
