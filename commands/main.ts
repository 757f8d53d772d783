/**
 * The `cdc` program: global options, the command groups, and the one place where errors become
 * messages and exit codes.
 */
import { Command, CommanderError, Option } from 'commander';
import { colorEnabled, processContext, type Context } from '../src/context';
import { CdcError, ExitCode, ExitStatus, ServiceError, UsageError } from '../src/errors';
import { packageVersion } from '../src/package-root';
import { maskConnectionString } from '../src/secrets';
import { checkSettings, createSettings } from '../src/settings';
import { describeSettings, settingsFlagsOf } from './ui/settings-flags';
import { wireProcessSignals } from './ui/interrupt';
import { stackHint } from './ui/where';
import { sanitizeForTerminal, stderrStyle } from './ui/style';
import { argvForUnknownCommandHelp } from './unknown-command';

type Register = (program: Command, ctx: Context) => void;

/**
 * The command groups in help order, each module loaded only when its group is registered: a run
 * of one command does not load the other groups' modules (~10 ms of start-up, which is most of
 * what a short `cdc seed customers` costs beyond the load itself). Plain `require` because commander
 * needs the groups while the program is built, synchronously.
 */
const COMMAND_GROUPS: ReadonlyArray<readonly [string, () => Register]> = [
  ['parse', () => (require('./parse') as typeof import('./parse')).registerParse],
  ['connector', () => (require('./connector') as typeof import('./connector')).registerConnector],
  ['seed', () => (require('./seed') as typeof import('./seed')).registerSeed],
  ['pg', () => (require('./pg') as typeof import('./pg')).registerPg],
  ['watch', () => (require('./watch') as typeof import('./watch')).registerWatch],
  ['sink', () => (require('./sink') as typeof import('./sink')).registerSink],
  ['stack', () => (require('./stack') as typeof import('./stack')).registerStack],
  ['config', () => (require('./config') as typeof import('./config')).registerConfig],
  ['report', () => (require('./report') as typeof import('./report')).registerReport],
  ['serve', () => (require('./serve') as typeof import('./serve')).registerServe],
  ['demo', () => (require('./demo') as typeof import('./demo')).registerDemo],
  ['completion', () => (require('./completion') as typeof import('./completion')).registerCompletion],
];

/** Global options that take a value: their value is not the command word. */
const GLOBAL_OPTIONS_WITH_VALUE = new Set(['--context']);

/**
 * The command group `argv` runs (`seed` in `cdc --verbose seed customers`), or undefined for
 * anything else (`cdc --help`, `cdc help seed`, a typo): then every group is registered, so help
 * is complete and a misspelt command gets its suggestion.
 */
export function commandGroupOf(argv: string[]): string | undefined {
  const args = argv.slice(2);
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--') return undefined;
    if (arg.startsWith('-')) {
      if (GLOBAL_OPTIONS_WITH_VALUE.has(arg)) i++;
      continue;
    }
    return COMMAND_GROUPS.some(([name]) => name === arg) ? arg : undefined;
  }
  return undefined;
}

const EXIT_CODES_HELP = `
Examples:
  $ cdc parse fixtures/holding-events.jsonl               # Debezium events → holding_pivot rows
  $ cdc stack up && eval "$(cdc stack env)"               # a local PostgreSQL + Kafka + Connect
  $ cdc connector register holding --table bank.holding --topic-prefix dbserver1 --wait
  $ cdc watch dbserver1.bank.holding --exit-at-end | cdc parse > holding_pivot.txt
  $ cdc parse --help                                      # every command has its own help and examples

Exit codes:
  0    success
  1    runtime error (a service unreachable or failing, an I/O error)
  2    usage error (unknown option, missing or bad argument)
  3    invalid input (records that are not events, a bad config file, a malformed CSV row)
  4    not found (connector, topic, table, slot)
  5    degraded (a health check found something not fully running)
  6    failed (a health check found something FAILED)
  130  interrupted (Ctrl-C)

Environment:
  CDC_CONNECT_URL   Kafka Connect REST URL        (default http://localhost:8083)
  CDC_BROKERS       Kafka bootstrap servers       (default localhost:9092)
  DATABASE_URL      source PostgreSQL URL; PG* variables are honoured too
  CDC_TARGET_URL    the sinks' target PostgreSQL URL (password: CDC_TARGET_PASSWORD)
  CDC_MONGO_URL     MongoDB URL; S3: AWS_ENDPOINT_URL_S3, AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY
  CDC_CONFIG        config file with named contexts (default ~/.config/cdc/config.json)
  NO_COLOR          disable colour; FORCE_COLOR=1 forces it, FORCE_COLOR=0 disables it
Precedence for every setting: flag > environment > config context > the running \`cdc stack\` > default.`;

/** The program; with `onlyGroup`, just that command group (see commandGroupOf). */
export function buildProgram(ctx: Context, onlyGroup?: string): Command {
  const program = new Command('cdc');
  program
    .description('Operate Change Data Capture pipelines: PostgreSQL → Debezium on Kafka Connect → Kafka → consumers')
    .version(packageVersion(), '-V, --version')
    .addOption(new Option('--no-color', 'disable colour (also: NO_COLOR=1)'))
    .option('--verbose', 'print diagnostics to stderr')
    .option('--context <name>', 'use this context of the config file instead of the current one')
    .showSuggestionAfterError(true)
    .addHelpText('after', EXIT_CODES_HELP)
    .configureOutput({
      writeOut: (text) => ctx.stdout.write(text),
      writeErr: (text) => ctx.stderr.write(text),
      // Line by line: chalk would reopen the colour after the final newline, leaving an empty escape pair.
      // Escaped first (commander quotes the user's arguments), coloured after.
      outputError: (text, write) => write(sanitizeForTerminal(text).replace(/[^\n]+/g, (line) => stderrStyle(ctx).red(line))),
    })
    .exitOverride()
    .hook('preAction', (_program, actionCommand) => {
      const globals = program.opts<{ color: boolean; verbose?: boolean; context?: string }>();
      ctx.color = colorEnabled(ctx.env, ctx.stdoutIsTTY, !globals.color);
      ctx.stderrColor = colorEnabled(ctx.env, ctx.stderrIsTTY, !globals.color);
      ctx.verbose = Boolean(globals.verbose);
      ctx.configContext = globals.context;
      resolveSettings(ctx, actionCommand, globals.context);
    });

  for (const [name, load] of COMMAND_GROUPS) {
    if (onlyGroup === undefined || name === onlyGroup) load()(program, ctx);
  }

  // Subcommands inherit output routing and exit behaviour.
  for (const command of allCommands(program)) {
    command.exitOverride().configureOutput(program.configureOutput());
  }
  return program;
}

/**
 * The one settings resolution, before any action: the command's connection flags, --context and
 * the running local stack go into `ctx.settings`; the services the command uses are resolved now,
 * so a bad URL, an empty flag or an unknown --context stops it before it does anything.
 */
function resolveSettings(ctx: Context, command: Command, contextName: string | undefined): void {
  const { flags, services, early } = settingsFlagsOf(command);
  const env = ctx.env;
  ctx.settings = createSettings({
    env,
    flags,
    contextName,
    stack: () => (require('../src/stack/running') as typeof import('../src/stack/running')).runningStack(env),
  });
  if (contextName !== undefined) void ctx.settings.context;
  checkSettings(ctx.settings, early);
  describeSettings(
    ctx,
    services.filter((service) => early.includes(service)),
  );
}

function allCommands(command: Command): Command[] {
  return command.commands.flatMap((child) => [child, ...allCommands(child)]);
}

/** Runs `cdc` with the given argv and returns the exit code. Never throws. Without `ctx`: the process's own streams and signals. */
export async function main(argv: string[], ctx?: Context): Promise<number> {
  if (ctx) return run(argv, ctx);
  const own = processContext();
  const unwire = wireProcessSignals(own);
  try {
    return await run(argv, own);
  } finally {
    unwire();
  }
}

async function run(argv: string[], ctx: Context): Promise<number> {
  // Plain `cdc` asks what it can do: the help on stdout with exit 0 (commander would print it to stderr).
  if (argv.length <= 2) argv = [...argv, '--help'];
  // --no-color must also hold for errors commander reports before any action hook runs.
  const end = argv.indexOf('--');
  if ((end === -1 ? argv : argv.slice(0, end)).includes('--no-color')) ctx.color = ctx.stderrColor = false;
  const program = buildProgram(ctx, commandGroupOf(argv));
  // `cdc report --help` without a `report` command: an unknown command (exit 2), not the root help.
  argv = argvForUnknownCommandHelp(program, argv);
  // A reader that goes away early (`cdc … | head`) is normal in pipes, not a crash. Commands that
  // stream (parse, watch) add their own listener to stop reading; this one keeps the others quiet.
  let outputFailed = false;
  ctx.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE' || ctx.stdout.listenerCount('error') > 1) return;
    outputFailed = true;
    ctx.stderr.write(`error: cannot write the output: ${err.message}\n`);
  });
  try {
    await program.parseAsync(argv);
    return outputFailed ? ExitCode.RUNTIME : ExitCode.OK;
  } catch (err) {
    const code = reportError(ctx, err);
    return code === ExitCode.OK && outputFailed ? ExitCode.RUNTIME : code;
  }
}

export function reportError(ctx: Context, err: unknown): number {
  const style = stderrStyle(ctx);
  if (err instanceof CommanderError) {
    // Help and version were printed already; commander has printed its own usage errors.
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') {
      return ExitCode.OK;
    }
    if (err.code === 'commander.executeSubCommandAsync') return err.exitCode;
    if (err.code === 'commander.unknownCommand') ctx.stderr.write(`Run 'cdc --help' to see the commands.\n`);
    return ExitCode.USAGE;
  }
  if (err instanceof ExitStatus) return err.exitCode;
  if (err instanceof CdcError) {
    // Messages quote files, names and server text: escaped first, coloured after.
    ctx.stderr.write(`${style.red('error:')} ${shown(err.message)}\n`);
    if (err.hint) ctx.stderr.write(`${style.dim('hint:')} ${shown(err.hint)}\n`);
    const elsewhere = err instanceof ServiceError && err.unreachable ? stackHint(ctx, err.unreachable) : undefined;
    if (elsewhere) ctx.stderr.write(`${style.dim('hint:')} ${shown(elsewhere)}\n`);
    if (err instanceof UsageError) ctx.stderr.write(`Run 'cdc --help' or 'cdc <command> --help' for usage.\n`);
    // The causes' messages, never a driver's stack trace (it can quote what it was given).
    if (ctx.verbose) for (const cause of causesOf(err)) ctx.stderr.write(`${style.dim('cause:')} ${shown(cause)}\n`);
    return err.exitCode;
  }
  if (isBrokenPipe(err)) return ExitCode.OK;
  const error = err as Error;
  ctx.stderr.write(`${style.red('internal error:')} ${shown(error?.message ?? String(err))}\n`);
  ctx.stderr.write(`This is a bug in cdc ${packageVersion()} (node ${process.version}). Please report it with the command you ran.\n`);
  if (ctx.verbose && error?.stack) ctx.stderr.write(shown(error.stack) + '\n');
  return ExitCode.RUNTIME;
}

function shown(text: string): string {
  return sanitizeForTerminal(maskConnectionString(text));
}

/** The chain of causes as `Name: message` lines (at most 5; cycles stop it). */
function causesOf(err: Error): string[] {
  const lines: string[] = [];
  const seen = new Set<unknown>([err]);
  let cause = (err as { cause?: unknown }).cause;
  while (cause !== undefined && cause !== null && !seen.has(cause) && lines.length < 5) {
    seen.add(cause);
    const e = cause as { name?: string; code?: string; message?: string };
    lines.push(cause instanceof Error || e.message !== undefined ? `${e.name ?? 'Error'}${e.code ? ` (${e.code})` : ''}: ${e.message}` : String(cause));
    cause = (cause as { cause?: unknown }).cause;
  }
  return lines;
}

function isBrokenPipe(err: unknown): boolean {
  return (err as NodeJS.ErrnoException)?.code === 'EPIPE';
}
