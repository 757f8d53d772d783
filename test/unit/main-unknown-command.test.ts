import { Command } from 'commander';
import { main } from '../../commands/main';
import { argvForUnknownCommandHelp, findUnknownCommandWord } from '../../commands/unknown-command';
import { ExitCode } from '../../src/errors';
import { testContext } from '../helpers/context';

const argv = (...args: string[]) => ['node', 'cdc', ...args];

async function run(...args: string[]) {
  const ctx = testContext();
  const code = await main(argv(...args), ctx);
  return { code, out: ctx.out(), err: ctx.err() };
}

describe('an unknown command asked for help is an unknown command (issue 13, 6b)', () => {
  it.each([
    [['nosuch', '--help'], 'nosuch'],
    [['nosuch', '-h'], 'nosuch'],
    [['help', 'nosuch'], 'nosuch'],
    [['--context', 'x', 'nosuch', '--help'], 'nosuch'],
    [['--verbose', 'nosuch', 'sub', '--help'], 'nosuch'],
    [['connector', 'nosuch', '--help'], 'nosuch'],
    [['connector', 'help', 'nosuch'], 'nosuch'],
    [['pg', 'nosuch', 'deeper', '-h'], 'nosuch'],
  ])('cdc %j says %s is unknown on stderr and exits 2', async (args, word) => {
    const result = await run(...args);
    expect(result).toMatchObject({ code: ExitCode.USAGE, out: '' });
    expect(result.err).toContain(`unknown command '${word}'`);
    expect(result.err).toContain("Run 'cdc --help' to see the commands.");
  });

  it('keeps the did-you-mean, at the top and in a group', async () => {
    expect((await run('sed', '--help')).err).toContain('(Did you mean seed?)');
    expect((await run('connector', 'regster', '--help')).err).toContain('(Did you mean register?)');
    expect((await run('pg', 'slot', '-h')).err).toContain('(Did you mean slots?)');
  });

  it.each([
    [['--help']],
    [['help']],
    [['seed', '--help']],
    [['help', 'seed']],
    [['seed', 'customers', '--help']],
    [['connector', 'help', 'register']],
    [['--context', 'seed', 'watch', '--help']], // a context named like a command is an option value
    [['watch', 'some.topic', '--help']], // a command's arguments are not commands
    [['parse', 'nosuch.jsonl', '-h']],
  ])('cdc %j still prints help with exit 0', async (args) => {
    const result = await run(...args);
    expect(result.code).toBe(ExitCode.OK);
    expect(result.out).toMatch(/^Usage: cdc/);
    expect(result.err).toBe('');
  });
});

describe('the rule reads the registered tree, so it holds for commands added later', () => {
  // A program shaped like the coming `sink` group: known words pass, unknown ones are found.
  const program = new Command('cdc').option('--context <name>');
  const sink = program.command('sink');
  sink
    .command('postgres')
    .option('--table <name>')
    .action(() => undefined);
  sink
    .command('status')
    .alias('st')
    .action(() => undefined);
  program
    .command('report')
    .argument('[name]')
    .action(() => undefined);

  it.each([
    [['sink', 's3', '--help'], { index: 1 }],
    [['sink', 'help', 's3'], { index: 2, viaHelpCommand: 1 }],
    [['--context', 'sink', 'serve', '--help'], { index: 2 }],
    [['sink', 'postgres', '--table', 'status', '--help'], undefined],
    [['sink', 'st', '-h'], undefined],
    [['report', 'anything', '--help'], undefined],
  ])('%j → %j', (args, expected) => {
    expect(findUnknownCommandWord(program, args)).toEqual(expected);
  });

  it('drops only the help request, and only for an unknown word', () => {
    expect(argvForUnknownCommandHelp(program, argv('sink', 's3', '--help', '-h'))).toEqual(argv('sink', 's3'));
    expect(argvForUnknownCommandHelp(program, argv('sink', 'help', 's3'))).toEqual(argv('sink', 's3'));
    expect(argvForUnknownCommandHelp(program, argv('sink', 'postgres', '--help'))).toEqual(argv('sink', 'postgres', '--help'));
    expect(argvForUnknownCommandHelp(program, argv('sink', 's3'))).toEqual(argv('sink', 's3'));
  });
});
