import { changesNotOnKafka, committedPosition, snapshotDone } from '../../src/connect/catch-up';
import { parseOffsets } from '../../src/connect/offsets';
import { formatLsn, parseLsn } from '../../src/pg/slot-peek';

// Offsets as Connect 4.1 returned them for Debezium 3.4.3 connectors on the project's stack.
const DURING_SNAPSHOT =
  '{"offsets":[{"partition":{"server":"retail"},"offset":{"last_snapshot_record":false,"lsn":24135408,"txId":750,"ts_usec":1796097266188636,"snapshot":"INITIAL","snapshot_completed":false}}]}';
const SNAPSHOT_DONE =
  '{"offsets":[{"partition":{"server":"retail"},"offset":{"last_snapshot_record":true,"lsn":24135408,"txId":750,"ts_usec":1796097266188636,"snapshot":"INITIAL","snapshot_completed":true}}]}';
const STREAMING =
  '{"offsets":[{"partition":{"server":"dbserver1"},"offset":{"lsn_proc":24164800,"messageType":"UPDATE","lsn_commit":22231392,"lsn":24164800,"txId":752,"ts_usec":1796097352747391}}]}';

describe('LSNs', () => {
  it.each([
    ['0/1533898', 22231192n],
    ['16/B374D848', 0x16b374d848n],
    ['FFFFFFFF/FFFFFFFF', 0xffffffffffffffffn],
  ])('%s ⇄ %s', (text, value) => {
    expect(parseLsn(text)).toBe(value);
    expect(formatLsn(value)).toBe(text);
  });
  it('refuses what is not an LSN', () => {
    expect(() => parseLsn('1533898')).toThrow('not an LSN');
  });
});

describe('snapshot done', () => {
  it('not while the committed offset is a snapshot offset without the last record', () => {
    expect(snapshotDone(committedPosition(parseOffsets(DURING_SNAPSHOT)), true)).toBe(false);
  });
  it('once the last snapshot record is committed, or a streaming offset is', () => {
    expect(snapshotDone(committedPosition(parseOffsets(SNAPSHOT_DONE)), false)).toBe(true);
    expect(snapshotDone(committedPosition(parseOffsets(STREAMING)), false)).toBe(true);
  });
  it('with nothing committed, once Debezium streams from its slot (an empty snapshot)', () => {
    expect(snapshotDone(committedPosition(parseOffsets('{"offsets":[]}')), false)).toBe(false);
    expect(snapshotDone(committedPosition(parseOffsets('{"offsets":[]}')), true)).toBe(true);
  });
});

describe('changes not yet on Kafka', () => {
  // Recorded from the slot's copy: txn 752 inserted two rows and updated one; Debezium's committed
  // offset names txn 752 and its update's lsn, while the slot had confirmed only txn 746's position.
  const txn752 = [
    { xid: '752', lsn: parseLsn('0/170B890') },
    { xid: '752', lsn: parseLsn('0/170B928') },
    { xid: '752', lsn: parseLsn('0/170B9C0') },
  ];
  const position = committedPosition(parseOffsets(STREAMING));

  it('none when the committed offset is at the last change', () => {
    expect(changesNotOnKafka(txn752, position)).toBe(0);
  });
  it('the rest of a transaction committed only in part', () => {
    expect(changesNotOnKafka(txn752, { txId: '752', lsn: parseLsn('0/170B890'), inSnapshot: false })).toBe(2);
  });
  it('every transaction after the committed one', () => {
    const later = [...txn752, { xid: '753', lsn: parseLsn('0/170C000') }, { xid: '754', lsn: parseLsn('0/170A000') }];
    expect(changesNotOnKafka(later, position)).toBe(2);
  });
  it('all of them when the committed transaction is not among them, or nothing is committed', () => {
    expect(changesNotOnKafka(txn752, committedPosition(parseOffsets(SNAPSHOT_DONE)))).toBe(3);
    expect(changesNotOnKafka(txn752, undefined)).toBe(3);
    expect(changesNotOnKafka([], undefined)).toBe(0);
  });
  it('compares by transaction, not by LSN: a change with a lower LSN in a later commit still counts', () => {
    // Concurrent transactions: 754 wrote before 753 committed, but committed after it.
    const interleaved = [
      { xid: '753', lsn: 300n },
      { xid: '754', lsn: 200n },
    ];
    expect(changesNotOnKafka(interleaved, { txId: '753', lsn: 300n, inSnapshot: false })).toBe(1);
  });
});
