import { main } from '../../commands/main';
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
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
  });

  it('reports any other write error on stderr with exit 1', async () => {
    const ctx = testContext();
    const failing = ctx.stdout;
    failing.write = () => { failing.emit('error', Object.assign(new Error('disk full'), { code: 'ENOSPC' })); return false; };
    const code = await main(['node', 'cdc', '--help'], ctx);
    expect(code).toBe(ExitCode.RUNTIME);
    expect(ctx.err()).toContain('cannot write the output: disk full');
  });
});
