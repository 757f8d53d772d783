import { buildProgram, commandGroupOf, HELP_LINES, main, needsOnlyHelpLines } from '../../commands/main';
import { ExitCode } from '../../src/errors';
import { testContext } from '../helpers/context';

const argv = (...args: string[]) => ['node', 'cdc', ...args];

describe('commandGroupOf: which command group a run needs', () => {
  it.each([
    [['seed', 'customers', '--limit', '5'], 'seed'],
    [['--verbose', 'pg', 'check'], 'pg'],
    [['--context', 'seed', 'watch', 'topic'], 'watch'], // a context named like a group is an option value
    [['--context=prod', '--no-color', 'connector', 'list'], 'connector'],
    [['--help'], undefined],
    [[], undefined],
    [['help', 'seed'], undefined],
    [['sed', 'customers'], undefined], // a typo: every group, so the suggestion can name the right one
    [['--', 'seed'], undefined],
  ])('%j → %s', (args, group) => {
    expect(commandGroupOf(argv(...args))).toBe(group);
  });
});

describe('cdc --help without loading any command group', () => {
  it.each([
    [['--help'], true],
    [['-h'], true],
    [[], true],
    [['--version'], true],
    [['--no-color', '--context', 'x', '--help'], true],
    [['help'], false],
    [['parse', '--help'], false],
    [['--', 'parse'], false],
  ])('%j: only the help lines: %s', (args, only) => {
    expect(needsOnlyHelpLines(argv(...args))).toBe(only);
  });

  it('the help lines of every group are the lines its real commands give (same root help, width 80 and 200)', () => {
    for (const width of [80, 200]) {
      const real = buildProgram(testContext());
      const lines = buildProgram(testContext(), HELP_LINES);
      real.configureHelp({ ...real.configureHelp(), helpWidth: width });
      lines.configureHelp({ ...lines.configureHelp(), helpWidth: width });
      expect(lines.helpInformation()).toBe(real.helpInformation());
      expect(lines.commands.map((c) => [c.name(), (c as unknown as { _hidden: boolean })._hidden])).toEqual(
        real.commands.map((c) => [c.name(), (c as unknown as { _hidden: boolean })._hidden]),
      );
    }
  });
});

describe('cdc with only the needed command group loaded', () => {
  it('cdc --help still lists every command group', async () => {
    const ctx = testContext();
    expect(await main(argv('--help'), ctx)).toBe(ExitCode.OK);
    for (const group of ['parse', 'connector', 'seed', 'pg', 'watch', 'stack', 'config']) {
      expect(ctx.out()).toMatch(new RegExp(`^  ${group}\\b`, 'm'));
    }
  });

  it('cdc help seed and cdc seed --help show the seed commands', async () => {
    for (const args of [
      ['help', 'seed'],
      ['seed', '--help'],
      ['--context', 'x', 'seed', '--help'],
    ]) {
      const ctx = testContext();
      expect(await main(argv(...args), ctx)).toBe(ExitCode.OK);
      expect(ctx.out()).toContain('customers');
      expect(ctx.out()).toContain('holdings');
    }
  });

  it('a misspelt command group still gets its suggestion', async () => {
    const ctx = testContext();
    expect(await main(argv('sed', 'customers'), ctx)).toBe(ExitCode.USAGE);
    expect(ctx.err()).toContain("unknown command 'sed'");
    expect(ctx.err()).toContain('seed');
  });

  it('a misspelt subcommand gets a suggestion from its group', async () => {
    const ctx = testContext();
    expect(await main(argv('pg', 'slot'), ctx)).toBe(ExitCode.USAGE);
    expect(ctx.err()).toContain('slots');
  });
});
