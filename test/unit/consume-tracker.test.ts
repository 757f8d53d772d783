import { PartitionMap, byTopic, fromAssignment } from '../../src/kafka/consume/partitions';
import { PartitionTracker } from '../../src/kafka/consume/tracker';

const T = 'db.bank.holding';
const p0 = { topic: T, partition: 0 };
const p1 = { topic: T, partition: 1 };
const other = { topic: 'db.bank.customers', partition: 0 };
const msgs = (...offsets: number[]) => offsets.map((o) => ({ offset: String(o) }));

function tracker(exitAtEnd = false): PartitionTracker {
  const t = new PartitionTracker(exitAtEnd);
  t.add(p0, { low: 0n, high: 10n, start: 0n });
  t.add(p1, { low: 5n, high: 5n, start: 5n });
  return t;
}

describe('PartitionMap: typed partition keys', () => {
  it('keeps topics with dots, NULs and digits apart, and lists entries sorted', () => {
    const map = new PartitionMap<string>();
    map.set({ topic: 'a\u00001', partition: 2 }, 'tricky').set({ topic: 'a', partition: 12 }, 'a12').set({ topic: 'a', partition: 3 }, 'a3');
    expect(map.get({ topic: 'a', partition: 12 })).toBe('a12');
    expect(map.get({ topic: 'a\u00001', partition: 2 })).toBe('tricky');
    expect(map.get({ topic: 'a', partition: 2 })).toBeUndefined();
    expect(map.keys()).toEqual([
      { topic: 'a', partition: 3 },
      { topic: 'a', partition: 12 },
      { topic: 'a\u00001', partition: 2 },
    ]);
    expect(map.size).toBe(3);
    expect(map.delete({ topic: 'a', partition: 3 })).toBe(true);
    expect(map.size).toBe(2);
  });

  it('converts to and from kafkajs shapes', () => {
    expect(byTopic([p1, other, p0, p1])).toEqual([
      { topic: 'db.bank.customers', partitions: [0] },
      { topic: T, partitions: [0, 1] },
    ]);
    expect(fromAssignment({ [T]: [1, 0] })).toEqual([p1, p0]);
  });
});

describe('PartitionTracker', () => {
  it('delivers nothing before the position is known, then nothing below it', () => {
    const t = tracker();
    t.assign([p0]);
    expect(t.isReady(p0)).toBe(false);
    expect(t.deliverable(p0, '0', msgs(0, 1, 2)).messages).toEqual([]);
    expect(t.resume(p0, 2n, 'store')).toBe(2n);
    // kafkajs fetched from the Kafka-committed offset 0 before the seek took effect: 0 and 1 are dropped.
    expect(t.deliverable(p0, '0', msgs(0, 1, 2, 3)).messages).toEqual(msgs(2, 3));
  });

  it('never delivers a partition it does not hold', () => {
    const t = tracker();
    t.assign([p0]);
    t.resume(p0, undefined, 'own');
    expect(t.deliverable(p1, '5', msgs(5)).messages).toEqual([]);
    t.assign([p1]);
    expect(t.deliverable(p0, '0', msgs(0)).messages).toEqual([]);
  });

  it('store: the stored position wins, even behind what this process handled; else the start', () => {
    const t = tracker();
    t.assign([p0]);
    t.resume(p0, undefined, 'store');
    t.handled(p0, 8n, 8);
    t.assign([p0]);
    expect(t.resume(p0, 6n, 'store')).toBe(6n);
    t.assign([p0]);
    expect(t.resume(p0, undefined, 'store')).toBe(0n);
  });

  it('group: the commit, but never behind a handled batch whose commit a rebalance deferred', () => {
    const t = tracker();
    t.assign([p0]);
    t.resume(p0, undefined, 'group');
    t.handled(p0, 4n, 4);
    t.committed(p0, 4n);
    t.handled(p0, 7n, 3); // its commit failed
    expect(t.uncommitted()).toEqual([{ tp: p0, offset: 7n }]);
    t.assign([p0, p1]);
    expect(t.resume(p0, 4n, 'group')).toBe(7n);
    // Another member carried on meanwhile and committed further: its commit wins.
    t.assign([p0]);
    expect(t.resume(p0, 9n, 'group')).toBe(9n);
    t.committed(p0, 9n);
    expect(t.uncommitted()).toEqual([]);
  });

  it('own: carries on where it was (a throw-away group after a broker restart)', () => {
    const t = tracker();
    t.assign([p0]);
    t.resume(p0, undefined, 'own');
    t.handled(p0, 3n, 3);
    t.assign([p0]);
    expect(t.resume(p0, 999n, 'own')).toBe(3n);
  });

  it('a stored position below the log start (retention) starts where the log does', () => {
    const t = tracker();
    t.assign([p1]);
    expect(t.resume(p1, 2n, 'store')).toBe(5n);
  });

  it('reports a gap when the fetch started above the position', () => {
    const t = tracker();
    t.assign([p0]);
    t.resume(p0, 2n, 'store');
    expect(t.deliverable(p0, '4', msgs(4, 5))).toEqual({ messages: msgs(4, 5), gap: { from: 2n, to: 4n } });
  });

  it('exitAtEnd: cuts at the planned end and finishes when every assigned partition is there', () => {
    const t = tracker(true);
    expect(t.assignedAtEnd()).toBe(false); // holds nothing yet
    t.assign([p0, p1]);
    expect(t.assignedAtEnd()).toBe(false); // positions not known yet
    t.resume(p0, undefined, 'own');
    t.resume(p1, undefined, 'own');
    expect(t.atEnd(p1)).toBe(true);
    expect(t.deliverable(p0, '8', msgs(8, 9, 10, 11)).messages).toEqual(msgs(8, 9));
    t.handled(p0, 10n, 2);
    expect(t.assignedAtEnd()).toBe(true);
  });

  it('exitAtEnd in a group: a partition another member finished is at its end by the stored position', () => {
    const t = tracker(true);
    t.assign([p0]);
    t.resume(p0, 10n, 'group');
    expect(t.assignedAtEnd()).toBe(true);
  });

  it('allAtEnd: nothing to read at all', () => {
    const t = new PartitionTracker(true);
    t.add(p0, { low: 3n, high: 3n, start: 3n });
    expect(t.allAtEnd()).toBe(true);
    t.add(p1, { low: 0n, high: 4n, start: 4n });
    expect(t.allAtEnd()).toBe(true);
    t.add(other, { low: 0n, high: 4n, start: 2n });
    expect(t.allAtEnd()).toBe(false);
  });

  it('skipTo moves past control records, never backwards', () => {
    const t = tracker();
    t.assign([p0]);
    t.resume(p0, 5n, 'store');
    t.skipTo(p0, 3n);
    expect(t.positionOf(p0)).toBe(5n);
    t.skipTo(p0, 7n);
    expect(t.positionOf(p0)).toBe(7n);
  });

  it('progress: position, high watermark and lag per partition, int64 exact', () => {
    const t = new PartitionTracker();
    const big = { topic: 'big', partition: 0 };
    t.add(big, { low: 9007199254740990n, high: 9007199254740999n, start: 9007199254740990n });
    t.assign([big]);
    t.resume(big, undefined, 'own');
    t.handled(big, 9007199254740993n, 3);
    t.seenHighWatermark(big, 9007199254741001n);
    expect(t.progress()).toEqual([
      {
        topic: 'big',
        partition: 0,
        position: 9007199254740993n,
        highWatermark: 9007199254741001n,
        lag: 8n,
        end: 9007199254740999n,
        assigned: true,
        delivered: 3,
      },
    ]);
  });

  it('a partition added to a topic after the plan is tracked from offset 0 and never holds up exitAtEnd', () => {
    const t = tracker(true);
    const late = { topic: T, partition: 7 };
    t.assign([late]);
    expect(t.resume(late, undefined, 'group')).toBe(0n);
    expect(t.assignedAtEnd()).toBe(true);
  });
});
