import { UsageError } from '../../src/errors';
import { buildFilter, parseOps, tableFromTopic } from '../../src/watch/filters';
import type { WatchRecord } from '../../src/watch/record';
import { byOp, capturedRecords } from './watch-records';

const records = capturedRecords();
const offsets = (accept: ((r: WatchRecord) => boolean) | undefined) => records.filter((r) => !accept || accept(r)).map((r) => r.offset);

describe('--op', () => {
  it('accepts letters, words and tombstone', () => {
    expect(parseOps('c,U, delete,snapshot,x')).toEqual(['c', 'u', 'd', 'r', 'tombstone']);
  });
  it('rejects unknown operations naming them', () => {
    expect(() => parseOps('c,z')).toThrow(UsageError);
    expect(() => parseOps('c,z')).toThrow(/unknown operation z/);
  });
  it('keeps only the listed operations; tombstones only when asked', () => {
    expect(offsets(buildFilter({ ops: ['u', 'd'] }))).toEqual(['1', '3']);
    expect(offsets(buildFilter({ ops: ['tombstone'] }))).toEqual(['4']);
    expect(offsets(buildFilter({ ops: ['r'] }))).toEqual(['0']);
  });
});

describe('no filter', () => {
  it('is undefined, so the piped fast path never parses a record', () => {
    expect(buildFilter({})).toBeUndefined();
    expect(buildFilter({ ops: [], tables: [], keys: [] })).toBeUndefined();
  });
});

describe('--table', () => {
  it('matches table or schema.table, case-insensitively, tombstones by their topic', () => {
    expect(offsets(buildFilter({ tables: ['holding'] }))).toEqual(['0', '1', '2', '3', '4']);
    expect(offsets(buildFilter({ tables: ['WDEV.holding'] }))).toEqual(['0', '1', '2', '3', '4']);
    expect(offsets(buildFilter({ tables: ['other.holding'] }))).toEqual([]);
    expect(offsets(buildFilter({ tables: ['hold'] }))).toEqual([]);
  });
  it('derives schema.table from a Debezium topic name', () => {
    expect(tableFromTopic('dbserver1.bank.holding')).toBe('bank.holding');
  });
});

describe('--key', () => {
  it('field=value and bare value', () => {
    expect(offsets(buildFilter({ keys: ['holding_id=1001'] }))).toEqual(['2', '3', '4']);
    expect(offsets(buildFilter({ keys: ['1000'] }))).toEqual(['0', '1']);
    expect(offsets(buildFilter({ keys: ['user_id=1000'] }))).toEqual([]);
  });
  it('several --key are alternatives; different filters must all match', () => {
    expect(offsets(buildFilter({ keys: ['1000', '1001'] }))).toEqual(['0', '1', '2', '3', '4']);
    expect(offsets(buildFilter({ keys: ['1001'], ops: ['d'] }))).toEqual(['3']);
  });
  it('compares integer keys beyond 2^53 exactly', () => {
    const { c } = byOp();
    const big: WatchRecord = {
      ...c,
      key: Buffer.from(
        '{"schema":{"type":"struct","fields":[{"type":"int64","optional":false,"field":"id"}],"optional":false},"payload":{"id":9007199254740993}}',
      ),
    };
    expect(buildFilter({ keys: ['id=9007199254740993'] })!(big)).toBe(true);
    expect(buildFilter({ keys: ['id=9007199254740992'] })!(big)).toBe(false);
  });
});
