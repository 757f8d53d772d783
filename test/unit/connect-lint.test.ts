import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseSpecs } from '../../src/connect/spec';
import { escapeIdentifierDots, lintBatch, lintConnector, type LintFinding } from '../../src/connect/lint';
import { buildPostgresConfig } from '../../src/connect/debezium';

const safe = buildPostgresConfig({
  name: 'holding',
  host: 'db',
  port: '5432',
  user: 'cdc',
  dbname: 'bank',
  password: '${env:PGPASSWORD}',
  tables: ['bank.holding'],
  schemas: [],
  extra: {},
});

const rules = (findings: LintFinding[]) => findings.map((f) => `${f.severity}:${f.rule}:${f.fix ?? ''}`);

describe('lintConnector', () => {
  it('finds nothing wrong in the config built from flags', () => {
    expect(lintConnector('holding', safe)).toEqual([]);
  });

  it('refuses legacy keys with their replacement', () => {
    const config = { ...safe, 'database.server.name': 'bank', 'table.whitelist': 'bank\\.holding' };
    delete (config as Record<string, string>)['table.include.list'];
    delete (config as Record<string, string>)['topic.prefix'];
    expect(rules(lintConnector('holding', config))).toEqual(
      expect.arrayContaining(['error:legacy-key:topic.prefix=bank', 'error:legacy-key:table.include.list=bank\\.holding']),
    );
    // Beside its replacement, the legacy key is only to be removed: the replacement is what Debezium reads.
    expect(rules(lintConnector('holding', { ...safe, 'database.server.name': 'bank' }))).toContain(
      'error:legacy-key:remove database.server.name (topic.prefix is set)',
    );
  });

  it('requires plugin.name and refuses decoderbufs', () => {
    const { 'plugin.name': _drop, ...missing } = safe;
    expect(rules(lintConnector('holding', missing))).toContain('error:plugin-name:plugin.name=pgoutput');
    expect(rules(lintConnector('holding', { ...safe, 'plugin.name': 'decoderbufs' }))).toContain('error:plugin-name:plugin.name=pgoutput');
  });

  it('rejects invalid slot names and suggests a valid one; warns when unset', () => {
    expect(rules(lintConnector('holding', { ...safe, 'slot.name': 'Holding-Slot' }))).toContain('error:slot-name:slot.name=holding_slot');
    expect(rules(lintConnector('holding', { ...safe, 'slot.name': 'x'.repeat(64) }))).toContain(`error:slot-name:slot.name=${'x'.repeat(63)}`);
    const { 'slot.name': _s, ...unset } = safe;
    expect(rules(lintConnector('my-conn', unset))).toContain('warning:slot-name:slot.name=my_conn');
  });

  it('finds a slot already used by another connector on the same database only', () => {
    const other = { name: 'orders', config: { ...safe, 'slot.name': 'holding' } };
    expect(rules(lintConnector('holding', safe, [other]))).toContain('error:duplicate-slot:slot.name=holding');
    const elsewhere = { name: 'orders', config: { ...safe, 'database.dbname': 'shop' } };
    expect(lintConnector('holding', safe, [elsewhere])).toEqual([]);
  });

  it('refuses include and exclude lists together', () => {
    const findings = lintConnector('holding', { ...safe, 'table.exclude.list': 'bank\\.audit' });
    expect(rules(findings)).toContain('error:include-exclude:keep only table.include.list (drop table.exclude.list)');
  });

  it('refuses unescaped dots between identifiers and gives the escaped list', () => {
    const findings = lintConnector('holding', { ...safe, 'table.include.list': 'bank.holding, bank\\.orders,public.*' });
    expect(rules(findings)).toEqual(['error:regex-dot:table.include.list=bank\\.holding,bank\\.orders,public.*']);
  });

  it('warns about all_tables publications and plaintext passwords; refuses retired snapshot modes', () => {
    const { 'publication.autocreate.mode': _m, ...noMode } = safe;
    expect(rules(lintConnector('holding', noMode))).toContain('warning:publication-mode:publication.autocreate.mode=filtered');
    expect(rules(lintConnector('holding', { ...safe, 'database.password': 'hunter22' }))).toEqual([expect.stringMatching(/^warning:plaintext-password:/)]);
    expect(rules(lintConnector('holding', { ...safe, 'snapshot.mode': 'never' }))).toContain('error:snapshot-mode:snapshot.mode=no_data');
    expect(rules(lintConnector('holding', { ...safe, 'snapshot.mode': 'schema_only_recovery' }))).toContain('error:snapshot-mode:snapshot.mode=recovery');
  });

  it('requires connector.class and topic.prefix', () => {
    const { 'connector.class': _c, ...noClass } = safe;
    expect(rules(lintConnector('holding', noClass))[0]).toMatch(/^error:connector-class:/);
    const { 'topic.prefix': _t, ...noPrefix } = safe;
    expect(rules(lintConnector('hold ing', noPrefix))).toContain('error:topic-prefix:topic.prefix=hold_ing');
  });

  it('leaves non-Debezium connectors alone apart from generic rules', () => {
    expect(lintConnector('sink', { 'connector.class': 'org.apache.kafka.connect.file.FileStreamSinkConnector', topics: 'a.b' })).toEqual([]);
  });
});

describe('lintBatch', () => {
  it('finds duplicate slots inside the batch and honours ignored rules', () => {
    const batch = [
      { name: 'a', config: { ...safe, 'slot.name': 'same' } },
      { name: 'b', config: { ...safe, 'slot.name': 'same' } },
    ];
    expect(
      lintBatch(batch, [])
        .filter((f) => f.rule === 'duplicate-slot')
        .map((f) => f.connector),
    ).toEqual(['a', 'b']);
    expect(lintBatch(batch, [], new Set(['duplicate-slot']))).toEqual([]);
  });

  it('does not compare a connector with its own live version', () => {
    expect(lintBatch([{ name: 'holding', config: safe }], [{ name: 'holding', config: safe }])).toEqual([]);
  });
});

describe('escapeIdentifierDots', () => {
  it.each([
    ['bank.holding', 'bank\\.holding'],
    ['bank\\.holding', 'bank\\.holding'],
    ['public.*', 'public.*'],
    ['a.b.c', 'a\\.b\\.c'],
    ['inventory.customers.email', 'inventory\\.customers\\.email'],
  ])('%s → %s', (input, output) => {
    expect(escapeIdentifierDots(input)).toBe(output);
  });
});

describe('the example connector files', () => {
  const load = (file: string) => parseSpecs(fs.readFileSync(path.resolve(__dirname, '../../fixtures/connectors', file), 'utf8'), file)[0];

  it('holding.json is clean', () => {
    const spec = load('holding.json');
    expect(lintConnector(spec.name, spec.config)).toEqual([]);
  });

  it('legacy-holding.json shows the mistakes the linter refuses, each with its replacement', () => {
    const spec = load('legacy-holding.json');
    expect(rules(lintConnector(spec.name, spec.config)).sort()).toEqual([
      'error:include-exclude:keep only column.include.list (drop column.exclude.list)',
      'error:legacy-key:table.include.list=bank\\.holding',
      'error:legacy-key:topic.prefix=bank',
      'error:plugin-name:plugin.name=pgoutput',
      'error:regex-dot:column.exclude.list=bank\\.holding\\.datetime_created',
      'error:regex-dot:column.include.list=bank\\.holding\\.holding_id,bank\\.holding\\.holding_stock,bank\\.holding\\.holding_quantity',
      'error:slot-name:slot.name=legacy_holding',
      'error:snapshot-mode:snapshot.mode=no_data',
      'warning:plaintext-password:database.password=${env:PGPASSWORD} (or ${file:…}) with config providers enabled on the worker',
      'warning:publication-mode:publication.autocreate.mode=filtered',
      'warning:publication-name:publication.name=legacy_holding_pub',
    ]);
  });
});
