import { main } from '../../commands/main';
import { ExitCode } from '../../src/errors';
import { testContext } from '../helpers/context';

async function run(...args: string[]) {
  const ctx = testContext({ env: { PGPORT: '1', PGHOST: '127.0.0.1', CDC_CONFIG: '/nonexistent/cdc.json' } });
  const code = await main(['node', 'cdc', ...args], ctx);
  return { code, out: ctx.out(), err: ctx.err() };
}

describe('cdc seed / cdc pg command lines', () => {
  it.each([
    [['seed', 'customers', '--limit', '0'], /--limit must be a whole number above 0/],
    [['seed', 'customers', '--rate', 'fast'], /--rate must be a number above 0/],
    [['seed', 'customers', '--replica-identity', 'nothing'], /Allowed choices are full, default/],
    [['seed', 'customers', '--table', 'a.b.c'], /expected \[schema.\]table/],
    [['seed', 'holdings', '--script', 'tutorial', '--ops', '5'], /cannot be combined/],
    [['seed', 'holdings', '--script', 'other'], /Allowed choices are tutorial/],
    [['pg', 'check', '--table', '"open'], /unterminated quote/],
    [['pg', 'check', '--table', ''], /bad table name: an empty name/],
    [['pg', 'slots', '--drop', ''], /bad --drop slot name: an empty name/],
    [['pg', 'slots', '--drop', 'Bad-Name'], /bad --drop slot name "Bad-Name": use only lower-case letters, digits and _/],
    [['seed', 'customers', '--source', ''], /--source is empty/],
    [['seed', 'customers', '--schema', ''], /bad schema name: an empty name/],
  ])('refuses %j with exit 2 before connecting', async (args, message) => {
    const result = await run(...args);
    expect(result.code).toBe(ExitCode.USAGE);
    expect(result.err).toMatch(message);
    expect(result.out).toBe('');
  });

  it.each([
    ['seed', 'customers'],
    ['seed', 'holdings'],
    ['pg', 'check'],
    ['pg', 'slots'],
  ])('%s %s --help shows examples', async (...args) => {
    const result = await run(...args, '--help');
    expect(result.code).toBe(ExitCode.OK);
    expect(result.out).toContain('Examples:');
    expect(result.out).toContain('--pg-url');
  });

  it('says what to do when PostgreSQL is not there', async () => {
    const result = await run('pg', 'slots');
    expect(result.code).toBe(ExitCode.RUNTIME);
    expect(result.err).toMatch(/cannot reach PostgreSQL at postgres:\/\/postgres@127.0.0.1:1\/postgres: connection refused/);
    expect(result.err).toMatch(/hint: .*cdc stack up/);
    expect(result.err).not.toContain('postgres:postgres@');
    expect(result.err).not.toContain('****');
  });
});
