import { main } from '../../commands/main';
import { colorEnabled } from '../../src/context';
import { ExitCode } from '../../src/errors';
import { testContext } from '../helpers/context';
import { runCli } from '../helpers/run-cli';

describe('cdc main', () => {
  it('prints help with the exit codes on stdout and exits 0', async () => {
    const ctx = testContext();
    const code = await main(['node', 'cdc', '--help'], ctx);
    expect(code).toBe(ExitCode.OK);
    expect(ctx.out()).toContain('Exit codes:');
    expect(ctx.err()).toBe('');
  });

  it('exits 2 on an unknown option, with the message on stderr only', async () => {
    const ctx = testContext();
    const code = await main(['node', 'cdc', '--bogus'], ctx);
    expect(code).toBe(ExitCode.USAGE);
    expect(ctx.out()).toBe('');
    expect(ctx.err()).toContain("unknown option '--bogus'");
  });

  it('runs as a subprocess from bin/cdc.js', async () => {
    const result = await runCli(['--version']);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});

describe('cdc main in a pipe whose reader went away', () => {
  it('exits 0 without a stack trace when stdout is closed (cdc … | head)', async () => {
    const { spawn } = await import('node:child_process');
    const { CDC_BIN } = await import('../helpers/run-cli');
    const child = spawn(process.execPath, [CDC_BIN, 'connector', 'register', '--help'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy(); // the reader is gone before cdc writes: every write fails with EPIPE
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
  });

  it('reports any other write error on stderr with exit 1', async () => {
    const ctx = testContext();
    const failing = ctx.stdout;
    failing.write = () => {
      failing.emit('error', Object.assign(new Error('disk full'), { code: 'ENOSPC' }));
      return false;
    };
    const code = await main(['node', 'cdc', '--help'], ctx);
    expect(code).toBe(ExitCode.RUNTIME);
    expect(ctx.err()).toContain('cannot write the output: disk full');
  });
});

describe('cdc --help', () => {
  it('shows examples, the exit codes and the environment', async () => {
    const ctx = testContext();
    await main(['node', 'cdc', '--help'], ctx);
    const help = ctx.out();
    expect(help).toMatch(/Examples:\n {2}\$ cdc parse fixtures\/holding-events.jsonl/);
    expect(help.indexOf('Examples:')).toBeLessThan(help.indexOf('Exit codes:'));
    expect(help).toContain('NO_COLOR');
  });

  it('is what plain `cdc` prints, on stdout with exit 0', async () => {
    const ctx = testContext();
    expect(await main(['node', 'cdc'], ctx)).toBe(ExitCode.OK);
    expect(ctx.out()).toMatch(/^Usage: cdc \[options\] \[command\]/);
    expect(ctx.err()).toBe('');
  });
});

describe('colour rules', () => {
  it.each([
    // env, isTTY, --no-color, expected
    [{}, true, false, true],
    [{}, false, false, false],
    [{}, true, true, false],
    [{ NO_COLOR: '1' }, true, false, false],
    [{ NO_COLOR: '' }, true, false, true], // no-color.org: an empty NO_COLOR is unset
    [{ FORCE_COLOR: '1' }, false, false, true],
    [{ FORCE_COLOR: '0' }, true, false, false], // as in Node and chalk: 0 means no colour
    [{ FORCE_COLOR: 'false' }, true, false, false],
    [{ FORCE_COLOR: '' }, false, false, true], // set but empty: forced, as chalk reads it
    [{ FORCE_COLOR: '0' }, false, false, false],
    [{ FORCE_COLOR: '1', NO_COLOR: '1' }, false, false, false],
    [{ FORCE_COLOR: '1' }, false, true, false],
    [{ TERM: 'dumb' }, true, false, false],
  ])('colorEnabled(%j, tty=%s, --no-color=%s) is %s', (env, tty, flag, expected) => {
    expect(colorEnabled(env, tty, flag)).toBe(expected);
  });

  // `cdc parse` on a bad record writes a red "invalid" and a red count to stderr: a visible probe.
  const badInput = '{"op":"x","after":{}}\n';
  const run = async (args: string[], env: NodeJS.ProcessEnv, tty: boolean) => {
    const ctx = testContext({ stdin: badInput, tty, env });
    // As processContext() would decide before the command line is read.
    ctx.color = colorEnabled(env, tty);
    ctx.stderrColor = colorEnabled(env, tty);
    const code = await main(['node', 'cdc', ...args, '--processed-at', '2026-01-01T00:00:00Z'], ctx);
    return { code, err: ctx.err(), out: ctx.out() };
  };
  const ESC = '\u001b[';

  it('colours stderr on a terminal, and never off one', async () => {
    expect((await run(['parse'], {}, true)).err).toContain(`${ESC}31minvalid${ESC}39m`);
    expect((await run(['parse'], {}, false)).err).not.toContain(ESC);
  });

  it.each([
    ['--no-color before the command', ['--no-color', 'parse'], {}],
    ['--no-color after the command', ['parse', '--no-color'], {}],
    ['NO_COLOR', ['parse'], { NO_COLOR: '1' }],
  ])('%s turns colour off on a terminal', async (_name, args, env) => {
    const result = await run(args, env, true);
    expect(result.code).toBe(ExitCode.INVALID_INPUT);
    expect(result.err).toContain('invalid stdin:1: unknown op "x"');
    expect(result.err).not.toContain(ESC);
  });

  it('FORCE_COLOR colours stderr in a pipe; stdout data never carries colour', async () => {
    const result = await run(['parse'], { FORCE_COLOR: '1' }, false);
    expect(result.err).toContain(`${ESC}31minvalid${ESC}39m`);
    expect(result.out).not.toContain(ESC);
  });

  it('--no-color also holds for usage errors reported before the command runs', async () => {
    const ctx = testContext({ tty: true, color: true });
    expect(await main(['node', 'cdc', '--no-color', '--bogus'], ctx)).toBe(ExitCode.USAGE);
    expect(ctx.err()).toBe("error: unknown option '--bogus'\n");
    const coloured = testContext({ tty: true, color: true });
    await main(['node', 'cdc', '--bogus'], coloured);
    expect(coloured.err()).toBe(`${ESC}31merror: unknown option '--bogus'${ESC}39m\n`);
  });
});
