import { main } from '../../commands/main';
import { checkSinkPostgresFlags, type SinkPostgresFlags } from '../../commands/sink/postgres';
import { liveLine, summaryDocument, summaryLines } from '../../commands/sink/render';
import { ExitCode } from '../../src/errors';
import { testContext } from '../helpers/context';

const argv = (...args: string[]) => ['node', 'cdc', ...args];
const defaults: SinkPostgresFlags = { group: 'cdc-sink-postgres', from: 'beginning', batchSize: '5000', maxWait: '1000', onError: 'stop' };

describe('cdc sink postgres: flags → options', () => {
  it('turns the defaults and each flag into typed options', () => {
    expect(checkSinkPostgresFlags(['a.b.c'], defaults)).toEqual({
      topics: ['a.b.c'],
      topicsRegex: undefined,
      targetSchema: undefined,
      group: 'cdc-sink-postgres',
      from: 'beginning',
      exitAtEnd: false,
      current: false,
      batchSize: 5000,
      maxWaitMs: 1000,
      onError: 'stop',
      json: false,
    });
    expect(
      checkSinkPostgresFlags([], {
        ...defaults,
        topicsRegex: 'x\\..*',
        targetSchema: 'Analytics',
        batchSize: '10',
        maxWait: '0',
        exitAtEnd: true,
        current: true,
        json: true,
      }),
    ).toMatchObject({ topics: [], topicsRegex: 'x\\..*', targetSchema: 'analytics', batchSize: 10, maxWaitMs: 0, exitAtEnd: true, current: true, json: true });
  });

  it.each([
    [[], defaults, /name the topics to sink, or pass --topics-regex/],
    [['t'], { ...defaults, batchSize: '0' }, /--batch-size must be a whole number above 0, got "0"/],
    [['t'], { ...defaults, batchSize: '1e3' }, /--batch-size must be a whole number/],
    [['t'], { ...defaults, maxWait: '-1' }, /--max-wait must be a whole number, got "-1"/],
    [['t'], { ...defaults, maxWait: '1.5' }, /--max-wait must be a whole number/],
    [['t'], { ...defaults, maxWait: '3600001' }, /--max-wait must be at most 3600000, got "3600001"/],
    [['t'], { ...defaults, group: ' ' }, /--group must not be empty/],
    [['t'], { ...defaults, targetSchema: 'a.b' }, /bad --target-schema name "a.b"/],
  ])('refuses %j %j', (topics, flags, message) => {
    expect(() => checkSinkPostgresFlags(topics, flags)).toThrow(message);
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
    [['sink', 'postgres', 't', '--max-wait', '1s', '--target-url', 'postgres://x@localhost/y'], /--max-wait must be a whole number, got "1s"/],
    [['sink', 'postgres', 't', '--target-url', 'mysql://x'], /must be a postgres:\/\/ URL/],
    [
      ['sink', 'postgres', '--topics-regex', '(', '--target-url', 'postgres://x@localhost:1/y', '--brokers', 'localhost:1'],
      /--topics-regex is not a regular expression/,
    ],
  ])('%j is a usage error (exit 2) that names the flag, before connecting to anything', async (args, message) => {
    const ctx = testContext({ env: {} });
    expect(await main(argv(...args), ctx)).toBe(ExitCode.USAGE);
    expect(ctx.err()).toMatch(message);
  });
});

describe('what cdc sink postgres shows', () => {
  const counts = {
    records: 12345,
    changes: 12000,
    tombstones: 345,
    otherSkipped: 0,
    bad: 0,
    alreadyCommitted: 0,
    tables: {
      'bank.holding_history': {
        table: 'bank.holding_history',
        events: 12000,
        versionsOpened: 11000,
        versionsClosed: 9000,
        deletes: 1000,
        truncates: 0,
        duplicates: 2,
        stale: 1,
      },
    },
  };
  const partitions = [
    { topic: 't', partition: 0, position: 100n, highWatermark: 150n, lag: 50n, end: 150n, assigned: true, delivered: 100 },
    { topic: 't', partition: 1, position: 7n, highWatermark: 9n, lag: 2n, end: 9n, assigned: false, delivered: 7 },
  ];

  it('live line: events, events/s, lag of the partitions held, rows written', () => {
    expect(liveLine(counts, partitions, 2000)).toBe('sink: 12,345 events (6,173/s) · lag 50 · 12,000 rows written');
  });

  it('--json: explicit fields, offsets and lag as strings', () => {
    const doc = summaryDocument({ reason: 'end', counts, elapsedMs: 2000, partitions }, 'g', 'postgres://a@h:5432/d');
    expect(doc).toEqual({
      group: 'g',
      target: 'postgres://a@h:5432/d',
      reason: 'end',
      elapsedMs: 2000,
      eventsPerSecond: 6173,
      records: 12345,
      changes: 12000,
      tombstones: 345,
      otherSkipped: 0,
      badSkipped: 0,
      alreadyCommitted: 0,
      tables: [
        { table: 'bank.holding_history', events: 12000, versionsOpened: 11000, versionsClosed: 9000, deletes: 1000, truncates: 0, duplicates: 2, stale: 1 },
      ],
      partitions: [
        { topic: 't', partition: 0, nextOffset: '100', lag: '50' },
        { topic: 't', partition: 1, nextOffset: '7', lag: '2' },
      ],
    });
  });

  it('summary: a line per table with what was skipped', () => {
    expect(summaryLines({ reason: 'interrupted', counts, elapsedMs: 2000, partitions })).toEqual([
      'cdc sink postgres: interrupted — 12,345 records in 2.0 s; 12,000 changes, 345 tombstones skipped',
      '  bank.holding_history: 11,000 versions opened, 9,000 closed, 1,000 deletes; skipped 2 duplicate, 1 stale',
    ]);
  });
});
