import { spawn } from 'node:child_process';
import * as net from 'node:net';
import { main } from '../../commands/main';
import { testContext } from '../helpers/context';
import { CDC_BIN } from '../helpers/run-cli';

async function run(args: string[]) {
  const ctx = testContext({ env: { CDC_BROKERS: '127.0.0.1:1', CDC_CONFIG: '/nonexistent/config.json' } });
  const code = await main(['node', 'cdc', 'watch', ...args], ctx);
  return { code, out: ctx.out(), err: ctx.err() };
}

describe('cdc watch: usage errors before any connection', () => {
  it.each([
    [['t', '--from', '10', '--since', '5m'], /--from and --since cannot be combined/],
    [['t', '--group', 'g', '--partition', '0'], /--partition cannot be combined with --group/],
    [['t', '--group', 'g', '--since', '5m'], /--group carries on from the group's committed offsets/],
    [['t', '--op', 'c,z'], /unknown operation z/],
    [['t', '--max-messages', 'ten'], /--max-messages must be a whole number/],
    [['t', '--from', 'soon'], /is not a position/],
    [['t', '--changes', '--raw'], /choose one of --changes, --full and --raw/],
    [['t', '--partition', 'x'], /not a list of partition numbers/],
    [['t', '-o', 'yaml'], /Allowed choices are pretty, jsonl, records/],
    // Issue 12 items 10-12: empty, negative, huge and out-of-range values name their flag.
    [['t', '--group', ''], /--group needs a group name/],
    [['t', '--group', '  '], /--group needs a group name/],
    [['t', '--key', ''], /--key '' names no key field or value/],
    [['t', '--key', '='], /--key '=' names no key field or value/],
    [['t', '--key', '=5'], /--key '=5' names no key field or value/],
    [['t', '--table', ''], /--table '' is not a table name/],
    [['t', '--table', 'bank.'], /--table 'bank\.' is not a table name/],
    [['t', '--since', '99999d'], /--since '99999d' is before 1970-01-01/],
    [['t', '--since', ''], /--since '' is neither a duration nor a time/],
    [['t', '--from', ''], /--from '' is not a position/],
    [['t', '--partition', ''], /--partition '' is not a list/],
    [['t', '--max-messages', '-1'], /--max-messages must be a whole number/],
    [['t', '--max-messages', '99999999999999999999'], /--max-messages must be at most 9007199254740991/],
    [['t', '--reconnect-for', '0'], /--reconnect-for must be a whole number above 0/],
    [['t', '--reconnect-for', '99999999999'], /--reconnect-for must be at most 2147483/],
    [['t', '--on-error', 'maybe'], /Allowed choices are stop, skip/],
    [[''], /'' is not a Kafka topic name/],
    [['a/b'], /'a\/b' is not a Kafka topic name/],
  ])('%j', async (args, message) => {
    const result = await run(args);
    expect(result.code).toBe(2);
    expect(result.err).toMatch(message);
    expect(result.out).toBe('');
  });

  it('--help has examples and documents the default start and the Ctrl-C exit code', async () => {
    const result = await run(['--help']);
    expect(result.code).toBe(0);
    expect(result.out).toContain('Examples:');
    expect(result.out).toContain('at the beginning of every partition');
    expect(result.out).toContain('130');
  });

  it('an unreachable broker is a clear error within seconds, not a stack trace', async () => {
    const started = Date.now();
    const result = await run(['t', '--exit-at-end']);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/^error: cannot reach Kafka at 127\.0\.0\.1:1 \(env:CDC_BROKERS\)/);
    expect(result.err).not.toMatch(/\n\s+at /);
    expect(Date.now() - started).toBeLessThan(15_000);
  });
});

describe('cdc watch: a broker port that accepts connections but never answers (the built binary)', () => {
  let server: net.Server;
  let port: number;
  const sockets: net.Socket[] = [];
  beforeAll(async () => {
    server = net.createServer((socket) => {
      sockets.push(socket);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as net.AddressInfo).port;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  function watchSilent(interruptAfterMs?: number): Promise<{ code: number | null; stderr: string; ms: number }> {
    return new Promise((resolve) => {
      const started = Date.now();
      const child = spawn(process.execPath, [CDC_BIN, 'watch', 't', '--brokers', `127.0.0.1:${port}`], {
        env: { ...process.env, NO_COLOR: '1', CDC_CONFIG: '/nonexistent/config.json' },
      });
      let stderr = '';
      child.stderr.on('data', (c: Buffer) => {
        stderr += c.toString();
      });
      const kill = setTimeout(() => child.kill('SIGKILL'), 60_000);
      if (interruptAfterMs !== undefined) setTimeout(() => child.kill('SIGINT'), interruptAfterMs);
      child.on('close', (code) => {
        clearTimeout(kill);
        resolve({ code, stderr, ms: Date.now() - started });
      });
    });
  }

  it('is a clear error within about 5 s, not a 30 s stall', async () => {
    const result = await watchSilent();
    expect(result).toEqual({ code: 1, stderr: expect.stringMatching(/^error: cannot reach Kafka at 127\.0\.0\.1:\d+ \(flag\)/), ms: expect.any(Number) });
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.ms).toBeLessThan(15_000);
  }, 70_000);

  it('Ctrl-C while connecting ends as an interruption (exit 130, summary line) within seconds', async () => {
    const result = await watchSilent(1000);
    expect(result).toEqual({ code: 130, stderr: expect.stringMatching(/^cdc watch: interrupted — 0 events written/), ms: expect.any(Number) });
    expect(result.stderr).not.toMatch(/error/);
    expect(result.ms).toBeLessThan(15_000);
  }, 70_000);
});
