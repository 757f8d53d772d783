import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as csvParse } from 'csv-parse/sync';
import { DEFAULT_PIVOT_OPTIONS, parseEvents, type ParseBatch, type ParseInput, type ParseRunOptions, type ParseSummary } from '../../src/parse';
import { testContext } from '../helpers/context';
import { main } from '../../commands/main';
import { ExitCode } from '../../src/errors';

const FIXTURES = path.resolve(__dirname, '../../fixtures');
const AT = '2026-01-01T00:00:00.000Z';
const fixture = (name: string) => fs.readFileSync(path.join(FIXTURES, name));

function options(o: Partial<ParseRunOptions> = {}): ParseRunOptions {
  return { ...DEFAULT_PIVOT_OPTIONS, format: 'text', skipSnapshot: false, strict: false, processedAt: AT, now: () => new Date(AT), ...o };
}

async function run(inputs: ParseInput[], o: Partial<ParseRunOptions> = {}): Promise<{ batches: ParseBatch[]; output: string; summary: ParseSummary }> {
  const gen = parseEvents(inputs, options(o));
  const batches: ParseBatch[] = [];
  for (;;) {
    const next = await gen.next();
    if (next.done) return { batches, output: batches.map((b) => b.output).join(''), summary: next.value };
    batches.push(next.value);
  }
}

const input = (name: string, ...chunks: (string | Buffer)[]): ParseInput => ({
  name,
  chunks: (async function* () {
    yield* chunks;
  })(),
});

describe('parseEvents', () => {
  it('reports a malformed number as not JSON (it was kept and written out as it came), and parses the lines around it', async () => {
    const lines = fixture('holding-events.jsonl').toString('utf8').trimEnd().split('\n');
    // The 19-digit ts_ns the scanner marks as exact, made into something no JSON parser accepts.
    const broken = lines[1].replace(/"ts_ns":(\d+)/, '"ts_ns":$1-2');
    expect(broken).not.toBe(lines[1]);
    const whole = await run([input('h', lines.join('\n') + '\n')]);
    const { output, summary, batches } = await run([input('h', [lines[0], broken, ...lines.slice(2)].join('\n') + '\n')]);
    expect(summary.invalid).toBe(1);
    expect(batches.flatMap((b) => b.problems).map((p) => [p.line, p.reason])).toEqual([[2, expect.stringMatching(/^not JSON: /)]]);
    // Every other event's rows, as without the broken line.
    const rowsOfLine2 = (await run([input('h', lines[1] + '\n')])).output;
    expect(output).toBe(whole.output.replace(rowsOfLine2, ''));
  });

  it('writes the tutorials text format for the real holding events', async () => {
    const { output, summary } = await run([input('h', fixture('holding-events.jsonl'))]);
    const lines = output.trimEnd().split('\n');
    expect(lines).toHaveLength(14);
    expect(lines[0]).toBe(`1000,1,holding_stock,None,VFIAX,2020-09-05T10:15:20.123456,None,None,${AT},r`);
    expect(lines[7]).toMatch(new RegExp(`^1000,1,holding_quantity,10,15,None,2026-11-22T\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z,None,${AT},u$`));
    expect(lines[13]).toMatch(new RegExp(`^1002,3,holding_quantity,7,None,None,None,2026-11-22T[\\d:.]+Z,${AT},d$`));
    expect(summary).toEqual({
      records: 8,
      events: 7,
      rows: 14,
      skipped: { tombstone: 1, snapshot: 0, truncate: 0, message: 0, heartbeat: 0, transaction: 0 },
      invalid: 0,
      stopped: false,
    });
  });

  it('gives the same rows from every shape of the same changes (envelope, kcat -J, schemaless, unwrapped)', async () => {
    const lines = async (file: string, raw = false) => (await run([input(file, fixture(file))], { rawValues: raw })).output.trimEnd().split('\n');
    const envelope = await lines('holding-events.jsonl');
    expect(await lines('holding-events-kcat-J.jsonl')).toEqual(envelope);
    // Another connector on the same changes: same commit times, so the same rows (values as encoded).
    expect(await lines('holding-events-schemaless.jsonl', true)).toEqual(await lines('holding-events.jsonl', true));
    // Unwrapped rows carry only the new state (no before): compare what they do carry.
    const cells = (l: string) => l.split(',');
    const unwrapped = await lines('holding-events-unwrapped.jsonl');
    expect(unwrapped).toHaveLength(envelope.length);
    unwrapped.forEach((line, i) => {
      const [u, e] = [cells(line), cells(envelope[i])];
      const op = e.at(-1);
      expect([u.slice(0, 3), op === 'd' ? u[3] : u[4], u.at(-1)]).toEqual([e.slice(0, 3), op === 'd' ? e[3] : e[4], op]);
    });
  });

  it('counts every kind of skipped record and reports invalid ones with their line', async () => {
    const { output, summary, batches } = await run([input('edge.jsonl', fixture('holding-edge-cases.jsonl'))]);
    expect(summary).toEqual({
      records: 16,
      events: 7,
      rows: 10,
      skipped: { tombstone: 2, snapshot: 0, truncate: 1, message: 1, heartbeat: 1, transaction: 2 },
      invalid: 4,
      stopped: false,
    });
    const problems = batches.flatMap((b) => b.problems);
    expect(problems.map((p) => [p.source, p.line])).toEqual([
      ['edge.jsonl', 43],
      ['edge.jsonl', 44],
      ['edge.jsonl', 45],
      ['edge.jsonl', 46],
    ]);
    expect(problems.map((p) => p.reason)).toEqual([
      expect.stringMatching(/^not JSON: /),
      'unknown op "x" (expected one of c, u, d, r, t, m)',
      'not a Debezium event: an object without op/payload (keys: id, name)',
      expect.stringMatching(/^not JSON: /),
    ]);
    expect(batches.flatMap((b) => b.notes).map((n) => [n.key, n.line])).toEqual([
      ['before-missing', 5],
      ['before-keys-only', 6],
      ['schemaless', 9],
    ]);
    expect(output).toContain('3001,2,holding_stock,None,SCHB'); // the pretty-printed multi-line event
    expect(output).toContain('4001,9,holding_quantity,None,3'); // the unwrapped row
  });

  it('--strict stops at the first invalid record', async () => {
    const { summary } = await run([input('edge.jsonl', fixture('holding-edge-cases.jsonl'))], { strict: true });
    expect(summary.invalid).toBe(1);
    expect(summary.stopped).toBe(true);
    expect(summary.rows).toBe(8); // the rows of lines 1–42; the unwrapped row of line 47 is never reached
  });

  it('--skip-snapshot skips op r and counts it', async () => {
    const { summary, output } = await run([input('h', fixture('holding-events.jsonl'))], { skipSnapshot: true });
    expect(summary.skipped.snapshot).toBe(1);
    expect(output).not.toContain(',r\n');
  });

  it('writes RFC 4180 CSV with a header, quoting where needed', async () => {
    const { output } = await run([input('c', fixture('customers-events.jsonl'))], {
      format: 'csv',
      identity: ['id'],
      fields: ['email', 'preferences', 'tags'],
    });
    expect(output.startsWith('id,change_field,old_value,new_value,datetime_created,datetime_updated,datetime_deleted,datetime_inserted,op\r\n')).toBe(true);
    const records: Record<string, string>[] = csvParse(output, { columns: true });
    expect(records.find((r) => r.change_field === 'preferences' && r.op === 'r')!.new_value).toBe('{"tier":"gold","limits":{"daily":12345678901234567890}}');
    expect(records.find((r) => r.change_field === 'tags' && r.op === 'r')!.new_value).toBe('["a","b c"]');
    expect(records.find((r) => r.change_field === 'email' && r.op === 'd')).toMatchObject({ id: '1002', old_value: '', new_value: '' });
  });

  it('writes the CSV header even when there are no rows', async () => {
    const { output } = await run([input('e', '')], { format: 'csv' });
    expect(output).toBe('holding_id,user_id,change_field,old_value,new_value,datetime_created,datetime_updated,datetime_deleted,datetime_inserted,op\r\n');
  });

  it('writes jsonl with exact big integers and decimals as strings', async () => {
    const { output } = await run([input('c', fixture('customers-events.jsonl'))], {
      format: 'jsonl',
      identity: ['id'],
      fields: ['balance', 'big_counter', 'preferences'],
    });
    const first = output.split('\n')[0];
    expect(first).toBe(
      `{"id":1001,"change_field":"balance","old_value":null,"new_value":"1234.50","datetime_created":null,"datetime_updated":null,"datetime_deleted":null,"datetime_inserted":"${AT}","op":"r"}`,
    );
    expect(output).toContain('"change_field":"big_counter","old_value":null,"new_value":9223372036854775807,');
    expect(output).toContain('"new_value":{"tier":"gold","limits":{"daily":12345678901234567890}}');
    for (const line of output.trimEnd().split('\n')) expect(() => JSON.parse(line)).not.toThrow();
  });

  it('numbers lines per input and keeps going across inputs', async () => {
    const { batches, summary } = await run([
      input('a', '{"op":"c","after":{"holding_id":1,"user_id":2,"holding_stock":"X","holding_quantity":1}}\nnope\n'),
      input('b', '\n\nnope\n'),
    ]);
    expect(batches.flatMap((b) => b.problems).map((p) => `${p.source}:${p.line}`)).toEqual(['a:2', 'b:3']);
    expect(summary).toMatchObject({ records: 5, rows: 2, invalid: 2, skipped: { tombstone: 2 } });
  });

  it('survives binary garbage and invalid UTF-8 between good records', async () => {
    const good = '{"op":"c","after":{"holding_id":1,"user_id":2,"holding_stock":"X","holding_quantity":1}}\n';
    let seed = 7;
    const garbage = Buffer.from(
      Buffer.alloc(20000, 0).map(() => {
        seed = (seed * 48271) % 2147483647;
        return seed & 0xff;
      }),
    );
    const { summary } = await run([input('g', good, garbage, '\n', Buffer.from([0xc3, 0x28, 0x0a]), good)]);
    expect(summary.rows).toBe(4);
    expect(summary.invalid).toBeGreaterThan(0);
  });

  it('yields a batch per input chunk, so rows are written as events arrive', async () => {
    const event = '{"op":"c","after":{"holding_id":1,"user_id":2,"holding_stock":"X","holding_quantity":1}}\n';
    const { batches } = await run([input('live', event, event, event)]);
    expect(batches.map((b) => b.output.toString().split('\n').length - 1)).toEqual([2, 2, 2]);
  });
});

describe('cdc parse (in-process)', () => {
  it('reads stdin and writes rows on stdout, the summary on stderr', async () => {
    const ctx = testContext({ stdin: fixture('holding-events.jsonl') });
    const code = await main(['node', 'cdc', 'parse', '--processed-at', AT], ctx);
    expect(code).toBe(ExitCode.OK);
    expect(ctx.out().split('\n')).toHaveLength(15);
    expect(ctx.err()).toBe('parse: 8 records; 7 events; 14 rows; skipped: 1 tombstone; 0 invalid\n');
  });

  it('shows control characters of event values visibly on a terminal, and passes them through to a pipe', async () => {
    const event = '{"op":"c","after":{"holding_id":1,"user_id":2,"holding_stock":"\\u001b[31mRED","holding_quantity":1}}\n';
    const tty = testContext({ stdin: event, tty: true });
    await main(['node', 'cdc', 'parse', '--processed-at', AT], tty);
    expect(tty.out()).toContain('1,2,holding_stock,None,\\u001b[31mRED,');
    const pipe = testContext({ stdin: event });
    await main(['node', 'cdc', 'parse', '--processed-at', AT], pipe);
    expect(pipe.out()).toContain('1,2,holding_stock,None,\u001b[31mRED,');
  });

  it('says where it reads from when stdin is a terminal', async () => {
    const ctx = testContext({ stdin: '' });
    ctx.stdinIsTTY = true;
    await main(['node', 'cdc', 'parse'], ctx);
    expect(ctx.err()).toContain('reading change events from the terminal; end with Ctrl-D');
    const dash = testContext({ stdin: '' });
    dash.stdinIsTTY = true;
    await main(['node', 'cdc', 'parse', '-'], dash);
    expect(dash.err()).toContain('reading change events from the terminal');
  });

  it('prints the summary as JSON with --summary json', async () => {
    const ctx = testContext({ stdin: '' });
    await main(['node', 'cdc', 'parse', '--summary', 'json'], ctx);
    expect(JSON.parse(ctx.err())).toMatchObject({ records: 0, rows: 0, invalid: 0 });
  });

  it.each([
    [['--strict', '--skip-invalid'], '--strict and --skip-invalid contradict each other'],
    [['--processed-at', 'yesterday'], '--processed-at: not an ISO-8601 time'],
    [['--identity', ' , '], '--identity needs at least one column name'],
    [['--format', 'xml'], "argument 'xml' is invalid"],
    [['--threads', '0'], '--threads must be a whole number above 0, got "0"'],
    [['--threads', 'many'], '--threads must be a whole number above 0, got "many"'],
    [['--threads', '65'], '--threads must be at most 64, got "65"'],
  ])('rejects %j with exit 2', async (args, message) => {
    const ctx = testContext({ stdin: '' });
    expect(await main(['node', 'cdc', 'parse', ...args], ctx)).toBe(ExitCode.USAGE);
    expect(ctx.err()).toContain(message);
    expect(ctx.out()).toBe('');
  });

  (fs.existsSync('/proc/self/mem') ? it : it.skip)('reports a file that cannot be read as an error (exit 1), not as a bug in cdc', async () => {
    const ctx = testContext();
    // Reading /proc/self/mem from offset 0 fails with EIO: an unreadable file, even for root.
    expect(await main(['node', 'cdc', 'parse', '/proc/self/mem'], ctx)).toBe(ExitCode.RUNTIME);
    expect(ctx.err()).toMatch(/^error: cannot read \/proc\/self\/mem: EIO/);
    expect(ctx.err()).not.toContain('bug');
  });

  it('exits 4 for a file that does not exist', async () => {
    const ctx = testContext();
    expect(await main(['node', 'cdc', 'parse', 'no-such-file.jsonl'], ctx)).toBe(ExitCode.NOT_FOUND);
    expect(ctx.err()).toContain('no such file: no-such-file.jsonl');
  });
});
