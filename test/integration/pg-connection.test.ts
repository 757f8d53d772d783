/**
 * Connection precedence against the stack's real PostgreSQL: --pg-url > DATABASE_URL / PG* >
 * config context > default, each proven by a command that actually connects, with --verbose
 * saying which source won — and never the password.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describeResult, runCli, type CliResult } from '../helpers/run-cli';
import { stackUrls } from '../helpers/stack';

const { pgUrl } = stackUrls();
const stack = new URL(pgUrl);
const CLEAR = { DATABASE_URL: '', PGHOST: '', PGPORT: '', PGUSER: '', PGPASSWORD: '', PGDATABASE: '', PGSSLMODE: '' };
let dir: string;
let config: string;

function expectExit(result: CliResult, code: number): void {
  if (result.code !== code) throw new Error(`expected exit ${code}, got ${describeResult(result)}`);
}

/** A URL with everything right but the port: a connection through it would be refused. */
function wrongPort(): string {
  const url = new URL(pgUrl);
  url.port = '1';
  return url.toString();
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdc-pgconn-'));
  config = path.join(dir, 'config.json');
  fs.writeFileSync(config, JSON.stringify({ currentContext: 'stack', contexts: { stack: { pgUrl }, broken: { pgUrl: wrongPort() } } }), { mode: 0o600 });
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('PostgreSQL connection precedence', () => {
  const slots = (env: NodeJS.ProcessEnv, ...args: string[]) =>
    runCli(['--verbose', ...args, 'pg', 'slots', '--json'], { env: { ...CLEAR, CDC_CONFIG: config, ...env } });

  it('uses the config context when nothing else is set', async () => {
    const result = await slots({});
    expectExit(result, 0);
    expect(result.stderr).toMatch(/\(from context:stack\)/);
  });

  it('prefers DATABASE_URL to the context', async () => {
    const result = await slots({ DATABASE_URL: pgUrl }, '--context', 'broken');
    expectExit(result, 0);
    expect(result.stderr).toMatch(/\(from env:DATABASE_URL\)/);
  });

  it('lets PG* variables override single fields of the context', async () => {
    const result = await slots({ PGPORT: stack.port, PGPASSWORD: decodeURIComponent(stack.password) }, '--context', 'broken');
    expectExit(result, 0);
    expect(result.stderr).toMatch(/\(from env:PGPORT,PGPASSWORD\)/);
  });

  it('prefers --pg-url to everything', async () => {
    const result = await runCli(['--verbose', 'pg', 'slots', '--json', '--pg-url', pgUrl], {
      env: { ...CLEAR, CDC_CONFIG: config, DATABASE_URL: wrongPort() },
    });
    expectExit(result, 0);
    expect(result.stderr).toMatch(/\(from flag\)/);
  });

  it('says what to do when the chosen server refuses the connection', async () => {
    const result = await slots({}, '--context', 'broken');
    expectExit(result, 1);
    expect(result.stderr).toMatch(/cannot reach PostgreSQL at postgres:\/\/postgres@127\.0\.0\.1:1\/postgres: connection refused/);
    expect(result.stderr).toMatch(/hint: is PostgreSQL running on 127\.0\.0\.1:1\?/);
  });
});
