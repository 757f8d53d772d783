import { createEventTextParser, structSchema, UNCHANGED } from '../../src/debezium';
import { decodeSinkRecord, planBatch, type SinkChange } from '../../src/sink';
import { copyField, copyFieldOf, escapeCopy } from '../../src/sink/postgres/copy-text';
import { canWiden, pgTypeOf } from '../../src/sink/postgres/types';
import { fixtureRecords } from './sink-records';

const first = decodeSinkRecord(fixtureRecords()[0], createEventTextParser()) as SinkChange;

describe('column types from a real event schema', () => {
  it('maps every column of the fixture table to the type format_type() prints', () => {
    const types = Object.fromEntries(structSchema(first.rowSchema).columns.map((c) => [c, pgTypeOf(structSchema(first.rowSchema).byName.get(c)!)]));
    expect(types).toEqual({
      id: 'bigint',
      small: 'smallint',
      i: 'integer',
      big: 'bigint',
      r: 'real',
      d: 'double precision',
      b: 'boolean',
      t: 'text',
      vc: 'text',
      ch: 'text',
      amount: 'numeric(12,2)',
      bignum: 'numeric(38,10)',
      anynum: 'numeric',
      money_col: 'numeric',
      dt: 'date',
      tm: 'time without time zone',
      tm3: 'time without time zone',
      tmtz: 'time with time zone',
      ts: 'timestamp without time zone',
      ts3: 'timestamp without time zone',
      tstz: 'timestamp with time zone',
      iv: 'interval',
      js: 'jsonb',
      jsb: 'jsonb',
      u: 'uuid',
      by: 'bytea',
      bits: 'bit varying',
      vbits: 'bit varying',
      ints: 'integer[]',
      texts: 'text[]',
      nums: 'numeric(5,2)[]',
      x: 'xml',
      inet_col: 'text',
      cidr_col: 'text',
      mac: 'text',
      pt: 'jsonb',
      e_col: 'text',
    });
  });

  it('widens only where every old value fits the new type', () => {
    expect(canWiden('integer', 'bigint')).toBe(true);
    expect(canWiden('numeric(10,2)', 'numeric(12,2)')).toBe(true);
    expect(canWiden('numeric(10,2)', 'numeric(10,3)')).toBe(false);
    expect(canWiden('numeric(10,2)', 'numeric')).toBe(true);
    expect(canWiden('integer[]', 'bigint[]')).toBe(true);
    expect(canWiden('bigint', 'integer')).toBe(false);
    expect(canWiden('text', 'integer')).toBe(false);
    expect(canWiden('timestamp without time zone', 'timestamp with time zone')).toBe(false);
  });
});

describe('COPY text fields', () => {
  it('escapes what ends a field or row, and backslashes', () => {
    expect(escapeCopy('a\tb\nc\\d\re')).toBe('a\\tb\\nc\\\\d\\re');
    expect(copyField(null, 'text')).toBe('\\N');
  });

  it('writes the fixture row so that PostgreSQL reads back the source values', () => {
    const [plan] = planBatch([first]);
    const values = plan.segments[0].events[0].values;
    const field = (c: string) => copyField(values[c], pgTypeOf(structSchema(first.rowSchema).byName.get(c)!));
    expect(field('big')).toBe('9007199254740993');
    expect(field('bignum')).toBe('12345678901234567890.0123456789');
    expect(field('amount')).toBe('1234.56');
    expect(field('t')).toBe('hé "q" \\\\ tab\\tnl\\nx');
    expect(field('by')).toBe('\\\\xdeadbeef');
    expect(field('js')).toBe('{"a":12345678901234567890,"b":[1,2.50]}');
    expect(field('texts')).toBe('{"a","b c",NULL,"d\\\\"e"}');
    expect(field('nums')).toBe('{"1.50","2.25"}');
    expect(field('vbits')).toBe('101');
    expect(field('bits')).toBe('10101');
    expect(field('ts')).toBe('2026-01-02T03:04:05.123456');
    expect(field('tstz')).toBe('2026-01-02T01:04:05.123456Z');
    expect(field('b')).toBe('t');
    // The per-column writer copyEvents uses says the same for every column, and for no value.
    for (const [c, schema] of structSchema(first.rowSchema).byName) {
      const type = pgTypeOf(schema);
      for (const value of [values[c], null, undefined, UNCHANGED]) expect({ c, text: copyFieldOf(type)(value) }).toEqual({ c, text: copyField(value, type) });
    }
  });

  it('spells years before 1 AD and negative intervals the way PostgreSQL reads them', () => {
    expect(copyField('-000043-03-15', 'date')).toBe('0044-03-15 BC');
    expect(copyField('0000-01-01T00:00:00.000000', 'timestamp without time zone')).toBe('0001-01-01T00:00:00.000000 BC');
    expect(copyField('-000001-01-01T00:00:00.000000', 'timestamp without time zone')).toBe('0002-01-01T00:00:00.000000 BC');
    expect(copyField('-P1DT2H3.5S', 'interval')).toBe('P-1DT-2H-3.5S');
    expect(copyField('infinity', 'timestamp without time zone')).toBe('infinity');
  });
});
