import { main } from '../../commands/main';
import { testContext } from '../helpers/context';

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
