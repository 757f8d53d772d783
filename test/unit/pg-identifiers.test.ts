import { displayName, parseIdentifier, parseQualifiedName, quoteIdent, quoteQualified } from '../../src/pg/identifiers';
import { UsageError } from '../../src/errors';

describe('pg identifiers', () => {
  it.each([
    ['customers', { schema: 'public', table: 'customers' }],
    ['bank.holding', { schema: 'bank', table: 'holding' }],
    ['Bank.Holding', { schema: 'bank', table: 'holding' }],
    ['"Bank"."Holding"', { schema: 'Bank', table: 'Holding' }],
    ['"my.schema"."a""b"', { schema: 'my.schema', table: 'a"b' }],
    ['x; drop table y', { schema: 'public', table: 'x; drop table y' }],
  ])('parses %s like Postgres would', (text, expected) => {
    expect(parseQualifiedName(text)).toEqual(expected);
  });

  it('uses the default schema when none is given', () => {
    expect(parseQualifiedName('holding', 'bank')).toEqual({ schema: 'bank', table: 'holding' });
  });

  it.each(['a.b.c', '"unterminated', '"a"b', '', '.x', `${'x'.repeat(64)}`, 'a\0b'])('refuses %j', (text) => {
    expect(() => parseQualifiedName(text)).toThrow(UsageError);
  });

  it('quotes every name, doubling quotes, so no name can end the identifier', () => {
    expect(quoteIdent('plain')).toBe('"plain"');
    expect(quoteIdent('x"; DROP TABLE t; --')).toBe('"x""; DROP TABLE t; --"');
    expect(quoteQualified({ schema: 's"', table: 't' })).toBe('"s"""."t"');
  });

  it('shows names as psql would need them typed', () => {
    expect(displayName({ schema: 'bank', table: 'holding' })).toBe('bank.holding');
    expect(displayName({ schema: 'Bank', table: 'a b' })).toBe('"Bank"."a b"');
  });

  it('parses a single identifier and refuses a qualified one', () => {
    expect(parseIdentifier('"My Pub"')).toBe('My Pub');
    expect(() => parseIdentifier('a.b')).toThrow(UsageError);
  });
});
