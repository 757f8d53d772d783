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
