/**
 * The decoders' bounds (issue 12 item 2) against what Debezium really writes: a row of PostgreSQL's
 * extreme but valid values (numeric with 1000 digits and scale 1000, an unconstrained numeric with
 * thousands of digits, timestamps at both ends of PostgreSQL's range and ±infinity, 24:00:00, BIT(70),
 * VARBIT, NaN and infinite floats, a jsonb nested 3,000 deep) goes through `cdc watch | cdc parse`
 * with no record invalid and every value exact; the same event with one value pushed past a bound
 * is reported. Debezium's own int64 overflow (a timestamp past 294247 AD in microseconds) is reported
 * as beyond PostgreSQL's range rather than printed as a date 290,000 years BC.
 */
import type { Client } from 'pg';
import { removeDebeziumPipeline, runShell, withPg as withPgAt } from '../helpers/pipeline';
import { describeResult, runCli, type CliResult } from '../helpers/run-cli';
import { stackUrls } from '../helpers/stack';
import { uniqueName } from './watch-helpers';

const urls = stackUrls();
const name = uniqueName('parsex');
const topic = `${name}.${name}.ext`;
const env = { CDC_BROKERS: urls.brokers, CDC_CONNECT_URL: urls.connectUrl, PGPASSWORD: new URL(urls.pgUrl).password };
const pgUrlNoPassword = (() => {
  const u = new URL(urls.pgUrl);
  u.password = '';
  return u.toString();
})();
const withPg = <T>(fn: (c: Client) => Promise<T>): Promise<T> => withPgAt(urls.pgUrl, fn);

const NINES = '9'.repeat(1000);
const TINY = '0.' + '0'.repeat(999) + '1';
const FREE = '9'.repeat(3000) + '.' + '1'.repeat(3000);
const DEEP = '['.repeat(3000) + ']'.repeat(3000);

beforeAll(async () => {
  await withPg(async (c) => {
    await c.query(`create schema "${name}"`);
    await c.query(`create table "${name}".ext (id int primary key, n_big numeric(1000,0), n_tiny numeric(1000,1000), n_free numeric,
      money_max money, ts_hi timestamp, ts_lo timestamp, ts_inf timestamp, ts_ninf timestamp, ts_ms timestamp(3), tz_hi timestamptz,
      d_hi date, d_lo date, t_end time, t_ms time(3), bits bit(70), vbits varbit, f_nan float8, f_inf float8, r_ninf real,
      span interval, doc jsonb, nums numeric[])`);
  });
  const registered = await runCli(
    ['connector', 'register', name, '--table', `${name}.ext`, '--pg-url', pgUrlNoPassword, '--topic-prefix', name, '--wait', '--wait-timeout', '120'],
    { env, timeoutMs: 150_000 },
  );
  if (registered.code !== 0) throw new Error(`cdc connector register failed\n${describeResult(registered)}`);
}, 180_000);

afterAll(() => removeDebeziumPipeline(urls, env, { connector: name, schema: name, topic }), 120_000);

it("decodes PostgreSQL's extreme values exactly, and reports the event once a value is pushed past a bound", async () => {
  await withPg(async (c) => {
    await c.query(
      `insert into "${name}".ext values (1, $1, $2, $3, '92233720368547758.07', '294246-12-31 23:59:59.999999',
      '4713-01-01 00:00:00 BC', 'infinity', '-infinity', '2026-01-02 03:04:05.678', 'infinity', '5874897-12-31', '4713-01-01 BC',
      '24:00:00', '23:59:59.999', B'1' || repeat('0', 68)::varbit || B'1', B'00101', 'NaN', 'Infinity', '-Infinity',
      '-100 years 3 days 04:05:06.789', $4::jsonb, '{1.5,-2.25}')`,
      [NINES, TINY, FREE, DEEP],
    );
    await c.query(`insert into "${name}".ext (id, ts_hi) values (2, '294276-12-31 23:59:59.999999')`);
  });
  let events: CliResult | undefined;
  for (const deadline = Date.now() + 90_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 500))) {
    events = await runCli(['watch', topic, '--exit-at-end', '-q'], { env });
    if (events.code === 0 && events.stdout.trim().split('\n').length >= 2) break;
  }
  const line = events!.stdout.trim().split('\n')[0];
  expect(line).toContain('"op":"c"');

  const result = await runShell(
    `cdc watch ${topic} --exit-at-end -q | cdc parse --identity id --fields '*' --format jsonl --processed-at 2026-01-01T00:00:00Z`,
    env,
  );
  const why = describeResult(result).slice(0, 4000);
  expect({ code: result.code, why }).toEqual({ code: 3, why });
  // Row 2: Debezium wrote 294276-12-31 as -9223372036853775810 µs (its int64 overflowed).
  expect(result.stderr.split('\n').filter((l) => l.startsWith('invalid'))).toEqual([
    'invalid stdin:2: column "ts_hi": MicroTimestamp -9223372036853775810 us is beyond PostgreSQL\'s timestamp range (4713 BC to 294276 AD)',
  ]);
  const rows = Object.fromEntries(
    result.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: number; change_field: string; new_value: unknown })
      .filter((r) => r.id === 1)
      .map((r) => [r.change_field, r.new_value]),
  );
  expect(rows).toMatchObject({
    n_big: NINES,
    n_tiny: TINY,
    n_free: FREE,
    money_max: '92233720368547758.07',
    ts_hi: '+294246-12-31T23:59:59.999999',
    ts_inf: 'infinity',
    ts_ninf: '-infinity',
    ts_ms: '2026-01-02T03:04:05.678',
    d_hi: '+5874897-12-31',
    t_end: '24:00:00.000000',
    t_ms: '23:59:59.999',
    bits: '1' + '0'.repeat(68) + '1',
    f_nan: 'NaN',
    f_inf: 'Infinity',
    r_ninf: '-Infinity',
    nums: ['1.5', '-2.25'],
  });
  expect(String(rows.ts_lo)).toMatch(/^-004712-01-0\dT00:00:00\.000000$/);
  expect(String(rows.vbits)).toMatch(/^0*101$/);
  expect(JSON.stringify(rows.doc)).toBe(DEEP);

  // The same event with its numeric(1000,0) declared as scale -500000000: reported, the rest kept.
  const hostile = line.replaceAll('"scale":"0","connect.decimal.precision":"1000"', '"scale":"-500000000","connect.decimal.precision":"1000"');
  expect(hostile).not.toBe(line);
  const mixed = await runShell(
    `printf '%s\\n%s\\n' '${hostile.replace(/'/g, "'\\''")}' '${line.replace(/'/g, "'\\''")}' | cdc parse --identity id --fields '*' --format jsonl`,
    env,
  );
  expect(mixed.code).toBe(3);
  expect(mixed.stderr).toContain(`invalid stdin:1: column "n_big": Decimal scale -500000000 is beyond PostgreSQL's limits (-1000 to 1000)`);
  expect(mixed.stdout.trim().split('\n')).toHaveLength(Object.keys(rows).length);
}, 180_000);
