import { main } from '../../commands/main';
import { checkSinkPostgresFlags, type SinkPostgresFlags } from '../../commands/sink/postgres';
import { ExitCode } from '../../src/errors';
import { testContext } from '../helpers/context';

const argv = (...args: string[]) => ['node', 'cdc', ...args];
const defaults: SinkPostgresFlags = { group: 'cdc-sink-postgres', from: 'beginning', batchSize: '5000', onError: 'stop' };

describe('cdc sink postgres: flags → options', () => {
  it('turns the defaults and each flag into typed options', () => {
    expect(checkSinkPostgresFlags(['a.b.c'], defaults)).toEqual({
      topics: ['a.b.c'], topicsRegex: undefined, targetSchema: undefined, group: 'cdc-sink-postgres', from: 'beginning',
      exitAtEnd: false, current: false, batchSize: 5000, onError: 'stop', json: false,
    });
    expect(checkSinkPostgresFlags([], { ...defaults, topicsRegex: 'x\\..*', targetSchema: 'Analytics', batchSize: '10', exitAtEnd: true, current: true, json: true }))
      .toMatchObject({ topics: [], topicsRegex: 'x\\..*', targetSchema: 'analytics', batchSize: 10, exitAtEnd: true, current: true, json: true });
  });

  it.each([
    [[], defaults, /name the topics to sink, or pass --topics-regex/],
    [['t'], { ...defaults, batchSize: '0' }, /--batch-size must be a whole number from 1 to 100000, got '0'/],
    [['t'], { ...defaults, batchSize: '1e3' }, /--batch-size must be a whole number/],
    [['t'], { ...defaults, group: ' ' }, /--group must not be empty/],
    [['t'], { ...defaults, targetSchema: 'a.b' }, /bad --target-schema name "a.b"/],
  ])('refuses %j %j', (topics, flags, message) => {
    expect(() => checkSinkPostgresFlags(topics as string[], flags as SinkPostgresFlags)).toThrow(message);
  });
});

describe('cdc sink from the command line', () => {
  it('is listed in cdc --help', async () => {
    const ctx = testContext();
    expect(await main(argv('--help'), ctx)).toBe(ExitCode.OK);
    expect(ctx.out()).toMatch(/^ {2}sink\b/m);
  });

  it.each([
    [['sink', 'postgres', 't', '--from', 'middle'], /argument 'middle' is invalid/],
    [['sink', 'postgres', 't', '--on-error', 'ignore'], /argument 'ignore' is invalid/],
    [['sink', 'postgres', 't', '--batch-size', 'many', '--target-url', 'postgres://x@localhost/y'], /--batch-size must be a whole number/],
    [['sink', 'postgres', 't', '--target-url', 'mysql://x'], /must be a postgres:\/\/ URL/],
    [['sink', 'postgres', '--topics-regex', '(', '--target-url', 'postgres://x@localhost:1/y', '--brokers', 'localhost:1'], /--topics-regex is not a regular expression/],
  ])('%j is a usage error (exit 2) that names the flag, before connecting to anything', async (args, message) => {
    const ctx = testContext({ env: {} });
    expect(await main(argv(...args), ctx)).toBe(ExitCode.USAGE);
    expect(ctx.err()).toMatch(message);
  });
});
