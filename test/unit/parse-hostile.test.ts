/**
 * `cdc parse` on hostile input (issue 12 items 1, 2, 6; issue 13 item 7), in process through main():
 * every invalid record is reported with its line and reason, and every good record still gives
 * its rows.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { main } from '../../commands/main';
import { ExitCode } from '../../src/errors';
import { testContext } from '../helpers/context';

const FIXTURES = path.resolve(__dirname, '../../fixtures');
const AT = '2026-01-01T00:00:00Z';
const holding = fs.readFileSync(path.join(FIXTURES, 'holding-events.jsonl'), 'utf8').split('\n');
const CREATE = holding[1];
const customers = fs.readFileSync(path.join(FIXTURES, 'customers-events.jsonl'), 'utf8').split('\n').filter(Boolean);

async function parse(stdin: string | Buffer, ...args: string[]) {
  const ctx = testContext({ stdin });
  const code = await main(['node', 'cdc', 'parse', '--processed-at', AT, ...args], ctx);
  const invalid = ctx
    .err()
    .split('\n')
    .filter((l) => l.startsWith('invalid '));
  return { code, out: ctx.out(), err: ctx.err(), invalid, rows: ctx.out().split('\n').filter(Boolean) };
}

/** A holding envelope with a jsonb column `doc` added to its `after` row and schema. */
function withJsonColumn(doc: string): string {
  const event = JSON.parse(CREATE);
  const after = event.schema.fields.find((f: { field: string }) => f.field === 'after');
  after.fields.push({ type: 'string', optional: true, name: 'io.debezium.data.Json', version: 1, field: 'doc' });
  event.payload.after.doc = doc;
  return JSON.stringify(event);
}

/** A customers envelope whose `balance` (NUMERIC(12,2)) schema and value are replaced. */
function withBalance(parameters: Record<string, string>, value: unknown): string {
  const event = JSON.parse(customers[1]);
  const after = event.schema.fields.find((f: { field: string }) => f.field === 'after');
  after.fields.find((f: { field: string }) => f.field === 'balance').parameters = parameters;
  event.payload.after.balance = value;
  return JSON.stringify(event);
}

describe('nesting depth (issue 12 item 1)', () => {
  it('writes a jsonb value nested 3,000 and 100,000 levels deep, and the events around it', async () => {
    for (const depth of [3_000, 100_000]) {
      const doc = '['.repeat(depth) + '{"n":12345678901234567890}' + ']'.repeat(depth);
      const input = [CREATE, withJsonColumn(doc), CREATE].join('\n') + '\n';
      for (const format of ['text', 'csv', 'jsonl']) {
        const result = await parse(input, '--identity', 'holding_id', '--fields', 'doc,holding_stock', '-f', format);
        expect({ code: result.code, err: result.err.slice(0, 300) }).toEqual({ code: ExitCode.INVALID_INPUT, err: expect.any(String) });
        // The two plain creates have no `doc`: reported by line; the deep one is written whole.
        expect(result.invalid.map((l) => l.split(': ')[0])).toEqual(['invalid stdin:1', 'invalid stdin:3']);
        // Text and CSV write the Json column as compact JSON text, jsonl nests it as JSON.
        expect(result.out.includes(format === 'csv' ? doc.replace(/"/g, '""') : format === 'jsonl' ? `"new_value":${doc}` : doc)).toBe(true);
      }
    }
  });

  it('writes a deep value of a schemaless event tracked with --fields *', async () => {
    const depth = 20_000;
    const deep = '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
    const schemaless = `{"op":"c","after":{"id":1,"deep":${deep}},"source":{"ts_ms":1}}`;
    const result = await parse(`${schemaless}\n${CREATE}\n`, '--identity', 'id', '--fields', '*', '-f', 'jsonl');
    expect(result.invalid).toEqual([expect.stringMatching(/^invalid stdin:2: no identity column id/)]);
    expect(result.rows[0].includes(`"new_value":${deep},`)).toBe(true);
  });
});

describe('values that do not fit their schema (issue 12 item 2)', () => {
  it('reports a Decimal scale of -500,000,000 as invalid, in a few KB of output and memory', async () => {
    const bad = withBalance({ scale: '-500000000', 'connect.decimal.precision': '12' }, 'MDk=');
    expect(bad.length).toBeLessThan(8000);
    const before = process.memoryUsage().rss;
    const result = await parse([customers[1], bad, bad, bad, customers[1]].join('\n') + '\n', '--identity', 'id', '--fields', '*');
    expect(process.memoryUsage().rss - before).toBeLessThan(200 * 1024 * 1024);
    expect(result.code).toBe(ExitCode.INVALID_INPUT);
    expect(result.invalid).toEqual(
      [2, 3, 4].map((n) => `invalid stdin:${n}: column "balance": Decimal scale -500000000 is beyond PostgreSQL's limits (-1000 to 1000)`),
    );
    expect(result.out.length).toBeLessThan(10_000);
    const good = await parse(customers[1] + '\n', '--identity', 'id', '--fields', '*');
    expect(result.out).toBe(good.out + good.out);
  });

  it('reports a Decimal value that is not base64 instead of making up a number', async () => {
    const result = await parse(withBalance({ scale: '2' }, '!!not*base64%%') + '\n', '--identity', 'id', '--fields', 'balance');
    expect(result.code).toBe(ExitCode.INVALID_INPUT);
    expect(result.invalid).toEqual(['invalid stdin:1: column "balance": Decimal value "!!not*base64%%" is not base64']);
    expect(result.out).toBe('');
  });

  it('reports a ts_ms of 1e999 (or any non-int64) instead of printing 1E400', async () => {
    const update = holding[3];
    const lines = ['1e999', '1E400', '1.5', '"soon"', '99999999999999999999'].map((ts) => update.replace(/"ts_ms":\d+/g, `"ts_ms":${ts}`));
    const result = await parse([...lines, update].join('\n') + '\n', '-f', 'csv');
    expect(result.invalid).toEqual([
      'invalid stdin:1: source.ts_ms 1e999 is not a time in epoch milliseconds (an int64)',
      'invalid stdin:2: source.ts_ms 1E400 is not a time in epoch milliseconds (an int64)',
      'invalid stdin:3: source.ts_ms 1.5 is not a time in epoch milliseconds (an int64)',
      'invalid stdin:4: source.ts_ms "soon" is not a time in epoch milliseconds (an int64)',
      'invalid stdin:5: source.ts_ms 99999999999999999999 is not a time in epoch milliseconds (an int64)',
    ]);
    expect(result.out).not.toMatch(/1E400|1e999/);
    expect(result.rows).toHaveLength(3); // header + the good update's two rows
  });

  it('reports times out of range and a bad bit string by line, keeping the good records', async () => {
    const timeOutOfDay = CREATE.replace(/"datetime_created":\d+/, '"datetime_created":-210866803200000001');
    const flags = (() => {
      const event = JSON.parse(customers[1]);
      event.schema.fields.find((f: { field: string }) => f.field === 'after').fields.find((f: { field: string }) => f.field === 'flags').parameters.length =
        '2147483648';
      event.payload.after.flags = 'AA==';
      return JSON.stringify(event);
    })();
    const holdingResult = await parse(`${timeOutOfDay}\n${CREATE}\n`);
    expect(holdingResult.invalid).toEqual([
      expect.stringMatching(/^invalid stdin:1: column "datetime_created": MicroTimestamp -210866803200000001 us is beyond PostgreSQL's timestamp range/),
    ]);
    expect(holdingResult.rows).toHaveLength(2);
    const customersResult = await parse(`${flags}\n${customers[1]}\n`, '--identity', 'id', '--fields', '*');
    expect(customersResult.invalid).toEqual([expect.stringMatching(/^invalid stdin:1: column "flags": Bits length 2147483648 is beyond PostgreSQL's limits/)]);
    expect(customersResult.rows.length).toBeGreaterThan(0);
  });
});

describe('a stray `{` line (issue 12 item 6)', () => {
  it('recovers the event pretty-printed with indentation after it, with the right line numbers', async () => {
    const pretty = JSON.stringify(JSON.parse(CREATE), null, 2)
      .split('\n')
      .map((l) => '  ' + l)
      .join('\n');
    const n = pretty.split('\n').length;
    const result = await parse(`{\n${pretty}\n${CREATE}\n`);
    expect(result.invalid).toEqual([`invalid stdin:1: truncated JSON value: line ${n + 2} starts a new value before it closed`]);
    expect(result.rows).toHaveLength(4);
    expect(result.err).toContain('parse: 3 records; 2 events; 4 rows');
  });
});

describe('thousands of identical errors (issue 13 item 7)', () => {
  it('shows the first few of each reason, then one line with the count', async () => {
    const binary = Buffer.alloc(200_000);
    let seed = 11;
    for (let i = 0; i < binary.length; i++) {
      seed = (seed * 48271) % 2147483647;
      binary[i] = seed % 7 === 0 ? 10 : seed & 0xff;
    }
    const result = await parse(Buffer.concat([binary, Buffer.from(`\n${CREATE}\n`)]));
    expect(result.rows).toHaveLength(2);
    const summary = /(\d+) invalid/.exec(result.err.split('\n').filter(Boolean).at(-1)!)!;
    const total = Number(summary[1]);
    expect(total).toBeGreaterThan(1000);
    const shown = result.invalid.filter((l) => /^invalid stdin:\d+: /.test(l));
    const counted = result.invalid.filter((l) => / more records? not shown: /.test(l));
    expect(shown.length).toBeLessThanOrEqual(5 * counted.length + 10);
    const hidden = counted.map((l) => Number(/^invalid (\d+) more/.exec(l)![1]));
    expect(shown.length + hidden.reduce((a, b) => a + b, 0)).toBe(total);
  });

  it('a table parsed without --identity: five lines and a count', async () => {
    const input = Array.from({ length: 3000 }, () => customers[1]).join('\n') + '\n';
    const result = await parse(input);
    expect(result.invalid).toHaveLength(6);
    expect(result.invalid[0]).toMatch(/^invalid stdin:1: no identity column holding_id, user_id in the row/);
    expect(result.invalid[5]).toBe(
      'invalid 2995 more records not shown: no identity column holding_id, user_id in the row (the first 5 of each reason are shown)',
    );
    expect(result.err).toMatch(/3000 invalid\n$/);
  });
});
