import { scramVerifier, verifierMatches } from '../../src/pg/password';
import { publicationNameFor, replicationNames, slotNameFor } from '../../src/pg/names';
import { buildPostgresConfig } from '../../src/connect/debezium';
import { splitTables } from '../../commands/pg/setup';

describe('verifierMatches: is the stored password that one?', () => {
  // Recorded from PostgreSQL 15: CREATE ROLE … PASSWORD 'Ünïcode-less? no: plain-pw1' (SCRAM-SHA-256).
  const scram = 'SCRAM-SHA-256$4096:euz14UhHM/6WvELR1XDY9Q==$oAavohHOfcgCg0v5LBNZVcHK3gnmrx7RPivOfDLIxSA=:FTqmhH6pfUw+b8DoxDh3ih+PW7bYfoT6VV+V9VJEBww=';

  it('recognises the password of a SCRAM-SHA-256 verifier, and nothing else', () => {
    expect(verifierMatches(scram, 'anyone', 'Ünïcode-less? no: plain-pw1')).toBe(true);
    expect(verifierMatches(scram, 'anyone', 'Ünïcode-less? no: plain-pw2')).toBe(false);
  });

  it('recognises an md5 verifier (md5 of password and user name)', () => {
    expect(verifierMatches('md521f3163f8f86fa10bdefbfbd502a8f06', 'bob', 'secret')).toBe(true);
    expect(verifierMatches('md521f3163f8f86fa10bdefbfbd502a8f06', 'alice', 'secret')).toBe(false);
  });

  it('makes SCRAM verifiers of ASCII passwords (so the password is never sent), and none of others', () => {
    const verifier = scramVerifier("it's %s a pass\\word") as string;
    expect(verifier).toMatch(/^SCRAM-SHA-256\$4096:[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/);
    expect(verifier).not.toContain('pass');
    expect(verifierMatches(verifier, 'x', "it's %s a pass\\word")).toBe(true);
    expect(scramVerifier("it's %s a pass\\word")).not.toBe(verifier);
    expect(scramVerifier('Pässwörd')).toBeUndefined();
  });

  it('says no when there is no verifier or one it does not know', () => {
    expect(verifierMatches(null, 'bob', 'x')).toBe(false);
    expect(verifierMatches('plain-text', 'bob', 'plain-text')).toBe(false);
  });
});

describe('one naming rule for slots and publications', () => {
  it('names both after the connector, as register, pg setup --name and pg check --name do', () => {
    expect([slotNameFor('Holding-Source'), publicationNameFor('Holding-Source')]).toEqual(['holding_source', 'holding_source_pub']);
    expect(replicationNames('finance', {})).toEqual({ slot: 'finance', publication: 'finance_pub' });
    expect(replicationNames('finance', { slot: 'cdc_pgoutput' })).toEqual({ slot: 'cdc_pgoutput', publication: 'finance_pub' });
    expect(replicationNames(undefined, {})).toEqual({ slot: undefined, publication: undefined });
    const config = buildPostgresConfig({
      name: 'finance',
      host: 'h',
      port: '5432',
      user: 'u',
      dbname: 'd',
      tables: ['finance.orders'],
      schemas: [],
      extra: {},
    });
    expect([config['slot.name'], config['publication.name'], config['publication.autocreate.mode']]).toEqual(['finance', 'finance_pub', 'filtered']);
  });

  it('register --slot/--publication use an existing publication as it is (Debezium must not change it)', () => {
    const config = buildPostgresConfig({
      name: 'finance',
      host: 'h',
      port: '5432',
      user: 'cdc_user',
      dbname: 'd',
      tables: ['finance.orders'],
      schemas: [],
      extra: {},
      slot: 'cdc_pgoutput',
      publication: 'cdc_publication',
    });
    expect([config['slot.name'], config['publication.name'], config['publication.autocreate.mode']]).toEqual(['cdc_pgoutput', 'cdc_publication', 'disabled']);
  });
});

describe('pg setup --tables', () => {
  it('splits on commas outside double quotes, and repeats', () => {
    expect(splitTables(['finance.orders, finance.order_items', '"we,ird"."t,1"'])).toEqual([
      { schema: 'finance', table: 'orders' },
      { schema: 'finance', table: 'order_items' },
      { schema: 'we,ird', table: 't,1' },
    ]);
  });
});
