/**
 * The resolver as every command meets it, through `main()`: one --context rule for all commands,
 * empty connection flags refused instead of silently falling back, and the running local stack as
 * the default target.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../commands/main';
import { ExitCode } from '../../src/errors';
import { testContext } from '../helpers/context';

let dir: string;
let config: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdc-settings-cli-'));
  config = path.join(dir, 'config.json');
  fs.writeFileSync(config, JSON.stringify({ currentContext: 'dev', contexts: { dev: { brokers: 'dev:9092' }, prod: {} } }));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function cdc(args: string[], env: NodeJS.ProcessEnv = {}) {
  const ctx = testContext({ env: { CDC_CONFIG: config, ...env } });
  const code = await main(['node', 'cdc', ...args], ctx);
  return { code, out: ctx.out(), err: ctx.err(), ctx };
}

const COMMANDS: string[][] = [
  ['watch', 'some.topic'],
  ['pg', 'slots'],
  ['pg', 'check'],
  ['seed', 'holdings'],
  ['seed', 'customers'],
  ['connector', 'list'],
  ['connector', 'register', 'x', '--table', 'bank.holding'],
  ['parse', '/dev/null'],
  ['stack', 'env'],
  ['config', 'view'],
];

describe('--context that does not exist', () => {
  it.each(COMMANDS)('is a usage error naming it, before anything is done: %s %s', async (...args) => {
    const r = await cdc(['--context', 'typo', ...args]);
    expect({ code: r.code, err: r.err }).toEqual({ code: ExitCode.USAGE, err: expect.stringContaining("--context: no context named 'typo' in") });
    expect(r.err).toContain('known contexts: dev, prod');
    expect(r.out).toBe('');
  });

  it('an empty --context is refused too', async () => {
    const r = await cdc(['--context', '', 'pg', 'slots']);
    expect(r.code).toBe(ExitCode.USAGE);
    expect(r.err).toContain('--context is empty');
  });
});

describe('empty connection flags never fall back silently', () => {
  it.each([
    [['watch', 't', '--brokers', ''], '--brokers'],
    [['watch', 't', '--brokers', ' '], '--brokers'],
    [['connector', 'list', '--connect-url', ''], '--connect-url'],
    [['pg', 'slots', '--pg-url', ''], '--pg-url'],
    [['pg', 'slots', '--database', ''], '--database'],
    [['seed', 'holdings', '--database', ''], '--database'],
  ])('%j names %s', async (args, flag) => {
    const r = await cdc(args, { CDC_BROKERS: 'env:9092', CDC_CONNECT_URL: 'http://env:8083', DATABASE_URL: 'postgres://env/db' });
    expect(r.code).toBe(ExitCode.USAGE);
    expect(r.err).toContain(`${flag} is empty`);
  });
});

describe('--verbose says where each service is reached and why', () => {
  it('names the layer', async () => {
    const r = await cdc(['--verbose', 'watch', 't', '--brokers', 'b:1', '--exit-at-end', '--from', 'nonsense']);
    expect(r.err).toContain('brokers b:1 (from flag)');
  });
});
