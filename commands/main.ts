/**
 * The `cdc` program: global options, the command groups, and the one place where errors become
 * messages and exit codes.
 */
import './load-commander';
import { Command, CommanderError, Option } from 'commander';
import { colorEnabled, processContext, type Context } from '../src/context';
import { CdcError, ExitCode, ExitStatus, ServiceError, UsageError } from '../src/errors';
import { packageVersion } from '../src/package-root';
import { wireProcessSignals } from './ui/interrupt';
import { sanitizeForTerminal, stderrStyle } from './ui/style';
import { argvForUnknownCommandHelp } from './unknown-command';

type Register = (program: Command, ctx: Context) => void;

/**
 * A command group: its name, its module (loaded only when the group is registered: a run of one
 * command does not load the other groups' modules), and its line in `cdc --help` — the command
 * term and description — so that the root help and `--version` load no group at all (each group
 * module costs start-up, and `cdc --help` has to start fast). test/unit/main-groups.test.ts checks
 * these lines against the groups themselves. Plain `require` because commander needs the groups
 * while the program is built, synchronously.
 */
interface CommandGroup {
  name: string;
  load: () => Register;
  /** Commands the group adds to the program, as `cdc --help` lists them: [name, term, description, hidden]. */
  help: ReadonlyArray<readonly [string, string, string, boolean?]>;
}

const COMMAND_GROUPS: readonly CommandGroup[] = [
  {
    name: 'parse',
    load: () => (require('./parse') as typeof import('./parse')).registerParse,
    help: [['parse', 'parse [options] [files...]', 'Turn Debezium change events into holding_pivot rows (one row per tracked field per event)']],
  },
  {
    name: 'connector',
    load: () => (require('./connector') as typeof import('./connector')).registerConnector,
    help: [['connector', 'connector', 'register and operate Kafka Connect connectors (Debezium PostgreSQL made safe)']],
  },
  {
    name: 'seed',
    load: () => (require('./seed') as typeof import('./seed')).registerSeed,
    help: [['seed', 'seed', 'load and drive the source database: customers CSV, holdings and finance workloads']],
  },
  {
    name: 'pg',
    load: () => (require('./pg') as typeof import('./pg')).registerPg,
    help: [['pg', 'pg', 'set up and check what CDC needs from PostgreSQL; list and drop replication slots']],
  },
  {
    name: 'watch',
    load: () => (require('./watch') as typeof import('./watch')).registerWatch,
    help: [['watch', 'watch [options] <topic...>', 'show the change events of Kafka topics: decoded and coloured on a terminal, JSON lines in a pipe']],
  },
  {
    name: 'sink',
    load: () => (require('./sink') as typeof import('./sink')).registerSink,
    help: [['sink', 'sink', 'land change events in a store, postgres (SCD2 history tables, exactly once), mongo (documents), s3 (objects), status']],
  },
  {
    name: 'stack',
    load: () => (require('./stack') as typeof import('./stack')).registerStack,
    help: [['stack', 'stack', 'run a local PostgreSQL + Kafka + Kafka Connect (Debezium) stack without Docker']],
  },
  {
    name: 'config',
    load: () => (require('./config') as typeof import('./config')).registerConfig,
    help: [['config', 'config', 'manage named contexts (Connect URL, brokers, PostgreSQL URL, TLS) in the config file']],
  },
  {
    name: 'report',
    load: () => (require('./report') as typeof import('./report')).registerReport,
    help: [['report', 'report [options] [name]', 'answer the finance and holdings questions from the history tables, now or --at any moment']],
  },
  {
    name: 'serve',
    load: () => (require('./serve') as typeof import('./serve')).registerServe,
    help: [['serve', 'serve [options]', 'serve the reports as a read-only HTTP JSON API with OpenAPI docs at /docs']],
  },
  {
    name: 'demo',
    load: () => (require('./demo') as typeof import('./demo')).registerDemo,
    help: [['demo', 'demo [options]', 'run the finance pipeline end to end: stack, source, connector, sink, workload, reports']],
  },
  {
    name: 'completion',
    load: () => (require('./completion') as typeof import('./completion')).registerCompletion,
    help: [
      ['completion', 'completion <shell>', 'print the shell completion script (commands, flags, connector, topic and context names)'],
      ['__complete', '__complete [words...]', 'the candidates for the last word (used by the completion scripts)', true],
    ],
  },
];

/** Global options that take a value: their value is not the command word. */
const GLOBAL_OPTIONS_WITH_VALUE = new Set(['--context']);

/**
 * The command group `argv` runs (`seed` in `cdc --verbose seed customers`), or undefined for
 * anything else (`cdc --help`, `cdc help seed`, a typo): then every group is registered, so help
 * is complete and a misspelt command gets its suggestion.
 */
export function commandGroupOf(argv: string[]): string | undefined {
  const word = commandWord(argv);
  return word !== undefined && COMMAND_GROUPS.some(({ name }) => name === word) ? word : undefined;
}

/** The first argument that is not an option (`--` counts as one), or undefined when there is none. */
function commandWord(argv: string[]): string | undefined {
  const args = argv.slice(2);
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--') return arg;
    if (arg.startsWith('-')) {
      if (GLOBAL_OPTIONS_WITH_VALUE.has(arg)) i++;
      continue;
    }
    return arg;
  }
  return undefined;
}

/**
 * Only options (`cdc --help`, `cdc --version`, plain `cdc`): the program with each group's help
 * line and none of its modules. Anything else runs with the real groups.
 */
export const HELP_LINES = ' help lines';

export function needsOnlyHelpLines(argv: string[]): boolean {
  return commandWord(argv) === undefined;
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

/**
 * The program; with `onlyGroup`, just that command group (see commandGroupOf); with `HELP_LINES`,
 * every group as its line of the root help only (see needsOnlyHelpLines).
 */
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

  if (onlyGroup === HELP_LINES) {
    const terms = new Map<string, string>();
    for (const group of COMMAND_GROUPS) {
      for (const [name, term, description, hidden] of group.help) {
        program.command(name, { hidden }).description(description);
        terms.set(name, term);
      }
    }
    const help = program.createHelp();
    program.configureHelp({ subcommandTerm: (command) => terms.get(command.name()) ?? help.subcommandTerm(command) });
  } else {
    for (const { name, load } of COMMAND_GROUPS) {
      if (onlyGroup === undefined || name === onlyGroup) load()(program, ctx);
    }
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
  // Loaded here, not at start-up: `cdc --help` and `--version` resolve nothing.
  const { checkSettings, createSettings } = require('../src/settings') as typeof import('../src/settings');
  const { describeSettings, settingsFlagsOf } = require('./ui/settings-flags') as typeof import('./ui/settings-flags');
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
  const program = buildProgram(ctx, needsOnlyHelpLines(argv) ? HELP_LINES : commandGroupOf(argv));
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
    const elsewhere =
      err instanceof ServiceError && err.unreachable ? (require('./ui/where') as typeof import('./ui/where')).stackHint(ctx, err.unreachable) : undefined;
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
  return sanitizeForTerminal((require('../src/secrets') as typeof import('../src/secrets')).maskConnectionString(text));
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
