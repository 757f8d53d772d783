import { summaryLine, writerFor } from '../../commands/watch/output';
import { similarTopics } from '../../src/kafka/consume/topics';
import { testContext } from '../helpers/context';
import { byOp } from './watch-records';

describe('writers', () => {
  const evil = { ...byOp().c, value: Buffer.from('not json \u001b]0;owned\u0007 \u009b') };

  it('jsonl in a pipe passes the bytes through untouched', async () => {
    const write = await writerFor(testContext({ tty: false }), 'jsonl', 'payload');
    const out = write([evil]);
    expect(Buffer.concat(Array.isArray(out) ? out : [Buffer.from(out)]).toString('utf8')).toBe('not json \u001b]0;owned\u0007 \u009b\n');
  });

  it('jsonl on a terminal escapes control characters', async () => {
    const write = await writerFor(testContext({ tty: true }), 'jsonl', 'payload');
    expect(String(write([evil]))).toBe('not json \\u001b]0;owned\\u0007 \\u009b\n');
  });

  it('pretty separates blocks with a blank line', async () => {
    const write = await writerFor(testContext({ tty: true }), 'pretty', 'changes');
    const text = String(write([byOp().u, byOp().tombstone]));
    expect(text.split('\n\n')).toHaveLength(3);
    expect(text.endsWith('\n\n')).toBe(true);
  });
});

describe('summary line', () => {
  it('says why it stopped, what was written and read, and how fast', () => {
    expect(
      summaryLine({ reason: 'end', received: 1200, written: 1000, filtered: 200, tombstones: 10, skipped: 0, partitions: 4, elapsedMs: 2000 }, 'interrupted'),
    ).toBe('cdc watch: interrupted — 1000 events written (200 filtered out, 10 tombstones), 1200 read from 4 partitions in 2.0 s (600/s)');
    expect(summaryLine({ reason: 'end', received: 1, written: 1, filtered: 0, tombstones: 0, skipped: 0, partitions: 1, elapsedMs: 0 }, 'end')).toBe(
      'cdc watch: reached the end — 1 event written, 1 read from 1 partition in 0.0 s (0/s)',
    );
    expect(summaryLine({ reason: 'end', received: 3, written: 2, filtered: 0, tombstones: 0, skipped: 1, partitions: 1, elapsedMs: 1000 }, 'end')).toBe(
      'cdc watch: reached the end — 2 events written (1 skipped), 3 read from 1 partition in 1.0 s (3/s)',
    );
  });
});

describe('topic suggestions', () => {
  const topics = ['dbserver1.bank.holding', 'dbserver1.bank.customers', '__consumer_offsets', 'connect-offsets', 'other.bank.holding'];
  it('near misses first, then the same table under another prefix; never internal topics', () => {
    expect(similarTopics('dbserver1.bank.holdings', topics)).toEqual(['dbserver1.bank.holding']);
    expect(similarTopics('dbserver2.bank.holding', topics)).toEqual(['dbserver1.bank.holding', 'other.bank.holding']);
    expect(similarTopics('__consumer_offset', topics)).toEqual([]);
  });
});
