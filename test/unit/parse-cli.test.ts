/**
 * `cdc parse` as a user runs it: the BUILT binary (run `npm run build` first), exit codes, stdout,
 * stderr, pipes.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CDC_BIN, describeResult, runCli } from '../helpers/run-cli';

const ROOT = path.resolve(__dirname, '../..');
const AT = ['--processed-at', '2026-01-01T00:00:00Z'];
const fixture = (name: string) => path.join(ROOT, 'fixtures', name);
const lines = (text: string) => text.split('\n').filter(Boolean);
const holdingLines = fs.readFileSync(fixture('holding-events.jsonl'), 'utf8').split('\n');
const CREATE = holdingLines[1];

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cdc-parse-'));
});
afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('cdc parse (built binary)', () => {
  it('runs the README main job on the bundled fixture: rows on stdout, summary on stderr, exit 0', async () => {
    const result = await runCli(['parse', fixture('holding-events.jsonl'), ...AT], { cwd: ROOT });
    expect({ code: result.code, result: describeResult(result) }).toMatchObject({ code: 0 });
    expect(lines(result.stdout)).toHaveLength(14);
    expect(lines(result.stdout)[0]).toBe('1000,1,holding_stock,None,VFIAX,2020-09-05T10:15:20.123456,None,None,2026-01-01T00:00:00.000Z,r');
    expect(result.stderr).toBe('parse: 8 records; 7 events; 14 rows; skipped: 1 tombstone; 0 invalid\n');
  });

  it('reads stdin', async () => {
    const result = await runCli(['parse', '--format', 'csv', ...AT], { input: fs.readFileSync(fixture('holding-events.jsonl')) });
    expect(result.code).toBe(0);
    expect(lines(result.stdout)[0]).toBe(
      'holding_id,user_id,change_field,old_value,new_value,datetime_created,datetime_updated,datetime_deleted,datetime_inserted,op\r',
    );
    expect(lines(result.stdout)).toHaveLength(15);
  });

  it('reports each invalid record with file and line, writes the good ones, and exits 3', async () => {
    const result = await runCli(['parse', 'fixtures/holding-edge-cases.jsonl', ...AT], { cwd: ROOT });
    expect(result.code).toBe(3);
    expect(lines(result.stdout)).toHaveLength(10);
    const invalid = lines(result.stderr).filter((l) => l.startsWith('invalid '));
    expect(invalid.map((l) => l.split(': ')[0])).toEqual([43, 44, 45, 46].map((n) => `invalid fixtures/holding-edge-cases.jsonl:${n}`));
    expect(result.stderr).toContain('note: update events without `before` (REPLICA IDENTITY DEFAULT)');
    expect(result.stderr).toContain('parse: 16 records; 7 events; 10 rows; skipped: 2 tombstone, 1 truncate, 1 message, 1 heartbeat, 2 transaction; 4 invalid');
  });

  it('--skip-invalid still reports but exits 0; --strict stops at the first and exits 3', async () => {
    const skip = await runCli(['parse', '--skip-invalid', fixture('holding-edge-cases.jsonl'), ...AT]);
    expect(skip.code).toBe(0);
    expect(lines(skip.stdout)).toHaveLength(10);
    expect(skip.stderr).toContain('4 invalid');
    const strict = await runCli(['parse', '--strict', fixture('holding-edge-cases.jsonl'), ...AT]);
    expect(strict.code).toBe(3);
    expect(lines(strict.stdout)).toHaveLength(8);
    expect(lines(strict.stderr).filter((l) => l.startsWith('invalid '))).toHaveLength(1);
    expect(strict.stderr).toContain('stopped at the first invalid record');
  });

  it('exits 4 for a missing file and 2 for a bad option, without output on stdout', async () => {
    const missing = await runCli(['parse', 'nope.jsonl']);
    expect([missing.code, missing.stdout]).toEqual([4, '']);
    expect(missing.stderr).toContain('error: no such file: nope.jsonl');
    const bad = await runCli(['parse', '--format', 'xml']);
    expect([bad.code, bad.stdout]).toEqual([2, '']);
  });

  it('survives truncated input, invalid UTF-8, binary garbage and a 10 MB line', async () => {
    const big = CREATE.replace('"holding_stock":"SCHB"', `"holding_stock":"${'Z'.repeat(10 * 1024 * 1024)}"`);
    let seed = 11;
    const garbage = Buffer.alloc(100_000).map(() => {
      seed = (seed * 48271) % 2147483647;
      return seed & 0xff;
    });
    const input = Buffer.concat([
      Buffer.from(CREATE + '\n'),
      garbage,
      Buffer.from('\n'),
      Buffer.from([0x7b, 0xc3, 0x28, 0x7d, 0x0a]),
      Buffer.from(big + '\n'),
      Buffer.from(CREATE.slice(0, 1500)), // cut off: no closing brace, no newline
    ]);
    const result = await runCli(['parse', ...AT], { input, timeoutMs: 60_000 });
    expect({ code: result.code, signal: result.signal }).toEqual({ code: 3, signal: null });
    const rows = lines(result.stdout);
    expect(rows).toHaveLength(4);
    expect(rows[2].length).toBeGreaterThan(10 * 1024 * 1024);
    expect(result.stderr).toContain('invalid UTF-8');
    expect(result.stderr).not.toContain('internal error');
    expect(lines(result.stderr).at(-1)).toMatch(/^parse: \d+ records; 2 events; 4 rows; .*\d+ invalid$/);
  });

  it('exits cleanly when the reader goes away (cdc parse | head -1)', async () => {
    const file = path.join(tmp, 'many.jsonl');
    fs.writeFileSync(file, (CREATE + '\n').repeat(5000));
    const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn('bash', ['-c', `set -o pipefail; "${process.execPath}" "${CDC_BIN}" parse "${file}" | head -1`], {
        env: { ...process.env, NO_COLOR: '1' },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => {
        stdout += c.toString();
      });
      child.stderr.on('data', (c: Buffer) => {
        stderr += c.toString();
      });
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
    expect(result).toEqual({ code: 0, stdout: expect.stringMatching(/^1001,2,holding_stock,None,SCHB,.*,c\n$/), stderr: '' });
  });

  it('writes each row as soon as its event arrives in a live pipe (before stdin closes)', async () => {
    const child = spawn(process.execPath, [CDC_BIN, 'parse', ...AT], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    const firstRows = new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no row within 10 s; stdout so far: ${stdout}`)), 10_000);
      child.stdout.on('data', (c: Buffer) => {
        stdout += c.toString();
        if (lines(stdout).length >= 2) {
          clearTimeout(timer);
          resolve(stdout);
        }
      });
    });
    child.stdin.write(CREATE + '\n');
    const seen = await firstRows; // stdin is still open here
    expect(lines(seen)).toEqual([expect.stringMatching(/^1001,2,holding_stock,None,SCHB,/), expect.stringMatching(/^1001,2,holding_quantity,None,100,/)]);
    const exit = new Promise<number | null>((resolve) => child.on('close', resolve));
    child.stdin.end(holdingLines[3] + '\n');
    expect(await exit).toBe(0);
    expect(lines(stdout)).toHaveLength(4);
  });
});
