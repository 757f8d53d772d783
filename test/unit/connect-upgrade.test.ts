/**
 * `--fix`: the lint's replacements applied to Debezium 1.x configs, keys kept in order, the file's
 * shape kept; `cdc connector lint --fix [--write]` and its exit codes.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../commands/main';
import { lintConnector } from '../../src/connect/lint';
import { applyEdit, fixConfig, fixDocument } from '../../src/connect/upgrade';
import { ExitCode } from '../../src/errors';
import { testContext } from '../helpers/context';

const fixtures = path.resolve(__dirname, '../../fixtures/connectors');
const tutorial = fs.readFileSync(path.join(fixtures, 'tutorial-1x.json'), 'utf8');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdc-upgrade-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('fixConfig', () => {
  it('upgrades the Debezium 1.x tutorial config until only what needs a decision is left', () => {
    const { config, applied, remaining } = fixDocument(tutorial, 'tutorial-1x.json').connectors[0];
    expect(applied.map((f) => `${f.rule}:${f.fix}`)).toEqual([
      'legacy-key:topic.prefix=dbserver1',
      'legacy-key:table.include.list=inventory\\.customers,inventory\\.orders',
      'legacy-key:schema.include.list=inventory',
      'plugin-name:plugin.name=pgoutput',
      'slot-name:slot.name=inventory_connector',
      'publication-mode:publication.autocreate.mode=filtered',
      'publication-name:publication.name=inventory_connector_pub',
    ]);
    expect(Object.keys(config)).toEqual([
      'connector.class',
      'tasks.max',
      'database.hostname',
      'database.port',
      'database.user',
      'database.password',
      'database.dbname',
      'topic.prefix',
      'schema.include.list',
      'table.include.list',
      'plugin.name',
      'slot.name',
      'publication.autocreate.mode',
      'publication.name',
    ]);
    expect(remaining.map((f) => f.rule)).toEqual(['plaintext-password']);
    expect(lintConnector('inventory-connector', config).filter((f) => f.severity === 'error')).toEqual([]);
  });

  it('drops a legacy key whose replacement is set already, and an exclude list beside its include list', () => {
    const { config, remaining } = fixConfig('c', {
      'connector.class': 'io.debezium.connector.postgresql.PostgresConnector',
      'plugin.name': 'pgoutput',
      'topic.prefix': 'new',
      'database.server.name': 'old',
      'slot.name': 'c',
      'publication.autocreate.mode': 'filtered',
      'table.include.list': 'a.b',
      'table.exclude.list': 'a.c',
    });
    expect(config).toEqual({
      'connector.class': 'io.debezium.connector.postgresql.PostgresConnector',
      'plugin.name': 'pgoutput',
      'topic.prefix': 'new',
      'slot.name': 'c',
      'publication.autocreate.mode': 'filtered',
      'publication.name': 'c_pub',
      'table.include.list': 'a\\.b',
    });
    expect(remaining).toEqual([]);
  });

  it('leaves what is not mechanical: a missing connector.class, a clear-text password', () => {
    const { applied, remaining } = fixConfig('c', { 'database.password': 'pw' });
    expect(applied).toEqual([]);
    expect(remaining.map((f) => f.rule)).toEqual(['connector-class']);
  });

  it('applyEdit puts a renamed key where the old one was', () => {
    expect(Object.keys(applyEdit({ a: '1', old: '2', z: '3' }, { set: { new: '2' }, remove: ['old'] }))).toEqual(['a', 'new', 'z']);
  });
});

describe('fixDocument keeps the file shape', () => {
  it('flat, nested with config.name, and arrays; raw numbers stay numbers', () => {
    const flat = JSON.parse(
      fixDocument(
        JSON.stringify({ name: 'f', 'connector.class': 'io.debezium.connector.postgresql.PostgresConnector', 'tasks.max': 1, 'database.server.name': 'x' }),
        'f.json',
      ).text,
    );
    expect(flat).toMatchObject({ name: 'f', 'tasks.max': 1, 'topic.prefix': 'x', 'plugin.name': 'pgoutput' });
    expect(flat['database.server.name']).toBeUndefined();
    const nested = JSON.parse(
      fixDocument(JSON.stringify({ name: 'n', config: { name: 'n', 'connector.class': 'io.debezium.connector.postgresql.PostgresConnector' } }), 'n.json').text,
    );
    expect(Object.keys(nested.config)[0]).toBe('name');
    const array = JSON.parse(
      fixDocument(
        JSON.stringify([
          { name: 'a', config: { 'connector.class': 'x.PostgresConnector' } },
          { name: 'b', config: { 'connector.class': 'x.PostgresConnector' } },
        ]),
        'arr.json',
      ).text,
    );
    expect(array.map((c: { config: Record<string, string> }) => c.config['slot.name'])).toEqual(['a', 'b']);
  });
});

describe('cdc connector lint', () => {
  async function cdc(args: string[], stdin?: string) {
    const ctx = testContext({ stdin });
    const code = await main(['node', 'cdc', 'connector', 'lint', ...args], ctx);
    return { code, out: ctx.out(), err: ctx.err(), all: `exit ${code}\n${ctx.out()}\n${ctx.err()}` };
  }

  it('names every problem with its replacement and exits 3; --fix prints the upgraded config and exits 0', async () => {
    const file = path.join(dir, 'tutorial.json');
    fs.writeFileSync(file, tutorial);
    const lint = await cdc([file]);
    expect({ code: lint.code, all: lint.all }).toMatchObject({ code: ExitCode.INVALID_INPUT });
    expect(lint.err).toContain('database.server.name is ignored by Debezium 2.0 and later [legacy-key]');
    expect(lint.err).toContain('use: topic.prefix=dbserver1');
    expect(lint.out).toMatch(/inventory-connector .*: 4 errors, 4 warnings/);
    const fixed = await cdc([file, '--fix']);
    expect({ code: fixed.code, all: fixed.all }).toMatchObject({ code: 0 });
    expect(JSON.parse(fixed.out).config).toMatchObject({
      'topic.prefix': 'dbserver1',
      'plugin.name': 'pgoutput',
      'table.include.list': 'inventory\\.customers,inventory\\.orders',
    });
    expect(fixed.err).toContain('fixed: inventory-connector: database.server.name → topic.prefix=dbserver1 [legacy-key]');
    // Secrets are masked on stdout unless asked for; --show-secrets prints a file ready to use.
    expect(JSON.parse(fixed.out).config['database.password']).toBe('********');
    expect(fixed.err).toContain('secrets are masked in the printed config');
    expect(JSON.parse((await cdc([file, '--fix', '--show-secrets'])).out).config['database.password']).toBe('postgres');
    // The file is untouched without --write.
    expect(fs.readFileSync(file, 'utf8')).toBe(tutorial);
    // From stdin too.
    expect(JSON.parse((await cdc(['-', '--fix'], tutorial)).out).config['topic.prefix']).toBe('dbserver1');
  });

  it('--fix --write rewrites the files in place; the result lints without errors', async () => {
    const sub = fs.mkdtempSync(path.join(dir, 'w-'));
    fs.writeFileSync(path.join(sub, 'a.json'), tutorial);
    fs.copyFileSync(path.join(fixtures, 'holding.json'), path.join(sub, 'holding.json'));
    const written = await cdc([sub, '--fix', '--write']);
    expect({ code: written.code, all: written.all }).toMatchObject({ code: 0 });
    expect(written.out).toBe('');
    expect(written.err).toContain(`wrote ${path.join(sub, 'a.json')} (7 fixes)`);
    expect(written.err).toContain(`${path.join(sub, 'holding.json')}: nothing to fix`);
    expect((await cdc([path.join(sub, 'a.json')])).code).toBe(0);
    // Written in clear: the file is the user's own, and must still log in.
    expect(JSON.parse(fs.readFileSync(path.join(sub, 'a.json'), 'utf8')).config['database.password']).toBe('postgres');
  });

  it('refuses --write without --fix, --write on stdin, and --fix of several files to stdout (usage, nothing written)', async () => {
    const file = path.join(dir, 'u.json');
    fs.writeFileSync(file, tutorial);
    for (const args of [
      [file, '--write'],
      ['-', '--fix', '--write'],
      [file, file.replace('u.json', 'tutorial.json'), '--fix'],
    ]) {
      const r = await cdc(args, tutorial);
      expect({ code: r.code, all: r.all }).toMatchObject({ code: ExitCode.USAGE });
    }
    expect(fs.readFileSync(file, 'utf8')).toBe(tutorial);
  });
});
