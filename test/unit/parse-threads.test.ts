/**
 * `cdc parse --threads N` (issue 14): worker threads give byte-identical stdout and stderr (rows,
 * problems with their lines, notes, summary) to one thread, on every fixture and on large mixes of
 * them that are cut into many chunks: invalid records, invalid UTF-8, a byte order mark, a
 * multi-line value (which hands the rest to one thread), CSV and jsonl. Runs the BUILT binary (run
 * `npm run build` first): the worker is compiled JavaScript.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describeResult, runCli } from '../helpers/run-cli';

const FIXTURES = path.resolve(__dirname, '../../fixtures');
const UNIT_FIXTURES = path.resolve(__dirname, 'fixtures');
const AT = ['--processed-at', '2026-01-01T00:00:00Z'];
const fixtures = fs.readdirSync(FIXTURES).filter((f) => f.endsWith('.jsonl'));
/** Every file of change events the repository has: the fixtures and the unit tests' own. */
const everyFixture = [
  ...fixtures.map((f) => path.join(FIXTURES, f)),
  ...fs
    .readdirSync(UNIT_FIXTURES)
    .filter((f) => f.endsWith('.jsonl'))
    .map((f) => path.join(UNIT_FIXTURES, f)),
];
const text = (f: string) => fs.readFileSync(path.join(FIXTURES, f), 'utf8');

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cdc-threads-'));
});
afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

async function same(file: string, ...args: string[]): Promise<{ stdout: string; stderr: string }> {
  const one = await runCli(['parse', ...AT, '--threads', '1', ...args, file], { timeoutMs: 120_000 });
  const two = await runCli(['parse', ...AT, '--threads', '3', ...args, file], { timeoutMs: 120_000 });
  expect({ code: two.code, stdout: two.stdout === one.stdout, stderr: two.stderr, why: two.code === one.code ? '' : describeResult(two) }).toEqual({
    code: one.code,
    stdout: true,
    stderr: one.stderr,
    why: '',
  });
  return one;
}

/** A file of many chunks: `lines` repeated, each copy numbered apart by its position. */
function big(name: string, lines: string[], copies: number, head = ''): string {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, head + Array.from({ length: copies }, () => lines.join('\n')).join('\n') + '\n');
  return file;
}

describe('cdc parse --threads (built binary)', () => {
  it.each(everyFixture.map((f) => path.relative(path.resolve(__dirname, '../..'), f)))(
    '%s: the same output and reports with 3 threads as with one, in every format',
    async (fixture) => {
      const file = path.resolve(__dirname, '../..', fixture);
      const identity = path.basename(file).startsWith('holding') ? 'holding_id,user_id' : 'id';
      for (const format of ['text', 'csv', 'jsonl']) await same(file, '--identity', identity, '--fields', '*', '-f', format);
      // Each fixture many times over, so that it is cut into chunks that several threads parse.
      const copies = Math.ceil(3_000_000 / fs.statSync(file).size);
      const many = big(`many-${path.basename(file)}`, fs.readFileSync(file, 'utf8').replace(/\n$/, '').split('\n'), copies);
      await same(many, '--identity', identity, '--fields', '*');
    },
  );

  it('a line too long to share (over 8 MiB) in the middle: one thread from it on, the same output', async () => {
    const lines = text('holding-events.jsonl').split('\n').filter(Boolean);
    const event = JSON.parse(lines[1]) as { payload: { after: Record<string, unknown> } };
    event.payload.after.holding_stock = 'x'.repeat(9 * 1024 * 1024);
    const file = big('long.jsonl', [...Array.from({ length: 600 }, () => lines).flat(), JSON.stringify(event), ...lines], 2);
    expect((await same(file)).stderr).toBe(
      `parse: ${2 * (601 * lines.length + 1)} records; ${2 * (601 * lines.length + 1)} events; ${4 * (601 * lines.length + 1)} rows; skipped: 0; 0 invalid\n`,
    );
  });

  it('a 1.5 MB mix of every fixture (invalid records, notes, tombstones), in text, csv and jsonl', async () => {
    const lines = fixtures.filter((f) => f !== 'holding-edge-cases.jsonl').flatMap((f) => text(f).split('\n').filter(Boolean));
    const file = big('mix.jsonl', [...lines, 'not json', '{"op":"c"}', ''], 60, '\ufeff');
    expect(fs.statSync(file).size).toBeGreaterThan(1_000_000);
    for (const format of ['text', 'csv', 'jsonl']) {
      const result = await same(file, '-f', format);
      expect(result.stderr).toMatch(/invalid \d+ more records not shown/);
    }
    // The workers did parse it (not a silent fallback to one thread).
    const json = await runCli(['parse', '--threads', '3', '--summary', 'json', file]);
    expect(JSON.parse(json.stderr.trim().split('\n').at(-1)!)).toMatchObject({ threads: 3 });
    const single = await runCli(['parse', '--threads', '1', '--summary', 'json', file]);
    expect(JSON.parse(single.stderr.trim().split('\n').at(-1)!).threads).toBeUndefined();
  });

  it('automatic: a large file with every core kept busy by other processes is parsed on one thread, with the same output', async () => {
    const lines = text('holding-events.jsonl').split('\n').filter(Boolean);
    const file = big('busy.jsonl', lines, Math.ceil((33 * 1024 * 1024) / (lines.join('\n').length + 1)));
    expect(fs.statSync(file).size).toBeGreaterThan(32 * 1024 * 1024);
    const busy = os.cpus().map(() => spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
    try {
      // Give the spinners time to be scheduled before the run measures the machine.
      await new Promise((resolve) => setTimeout(resolve, 300));
      const auto = await runCli(['parse', ...AT, '--summary', 'json', file], { timeoutMs: 120_000 });
      expect(auto.code).toBe(0);
      expect(JSON.parse(auto.stderr.trim().split('\n').at(-1)!).threads).toBeUndefined();
      const one = await runCli(['parse', ...AT, '--threads', '1', '--summary', 'json', file], { timeoutMs: 120_000 });
      expect(auto.stdout === one.stdout).toBe(true);
    } finally {
      for (const child of busy) child.kill('SIGKILL');
    }
  });

  it('invalid UTF-8 and binary lines keep their line numbers across chunks', async () => {
    const file = path.join(tmp, 'binary.jsonl');
    const good = text('holding-events.jsonl');
    const parts: Buffer[] = [];
    for (let i = 0; i < 300; i++) parts.push(Buffer.from(good), Buffer.from([0xff, 0xfe, 0x7b, 0x0a]), Buffer.from(`{"n":${i}}\n`));
    fs.writeFileSync(file, Buffer.concat(parts));
    await same(file);
  });

  it('a multi-line value in the middle: the rest goes through one thread, with the same lines and reasons', async () => {
    const lines = text('holding-events.jsonl').split('\n').filter(Boolean);
    const pretty = JSON.stringify(JSON.parse(lines[1]), null, 2);
    const file = path.join(tmp, 'pretty.jsonl');
    const body = Array.from({ length: 200 }, () => lines.join('\n')).join('\n');
    fs.writeFileSync(
      file,
      `${body}\n{\n${pretty
        .split('\n')
        .map((l) => '  ' + l)
        .join('\n')}\n${body}\n${pretty}\n${body}\n`,
    );
    const result = await same(file);
    expect(result.stderr).toMatch(/truncated JSON value: line \d+ starts a new value before it closed/);
  });
});
