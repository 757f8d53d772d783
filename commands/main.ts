/**
 * The `cdc` program: global options, the command groups, and the one place where errors become
 * messages and exit codes.
 */
import { Command, CommanderError, Option } from 'commander';
import { colorEnabled, processContext, type Context } from '../src/context';
import { CdcError, ExitCode, ExitStatus, UsageError } from '../src/errors';
import { packageVersion } from '../src/package-root';
import { maskConnectionString } from '../src/secrets';
import { stderrStyle } from './ui/style';
import { registerConfig } from './config';
import { registerConnector } from './connector';
import { registerParse } from './parse';
import { registerPg } from './pg';
import { registerSeed } from './seed';
import { registerStack } from './stack';
import { registerWatch } from './watch';

const EXIT_CODES_HELP = `
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
  DATABASE_URL      PostgreSQL URL; PG* variables are honoured too
  CDC_CONFIG        config file with named contexts (default ~/.config/cdc/config.json)
  NO_COLOR          disable colour; FORCE_COLOR forces it
Precedence for every setting: flag > environment > config context > default.`;

export function buildProgram(ctx: Context): Command {
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
      outputError: (text, write) => write(stderrStyle(ctx).red(text)),
    })
    .exitOverride()
    .hook('preAction', () => {
      const globals = program.opts<{ color: boolean; verbose?: boolean; context?: string }>();
      ctx.color = colorEnabled(ctx.env, ctx.stdoutIsTTY, !globals.color);
      ctx.stderrColor = colorEnabled(ctx.env, ctx.stderrIsTTY, !globals.color);
      ctx.verbose = Boolean(globals.verbose);
      ctx.configContext = globals.context;
    });

  registerParse(program, ctx);
  registerConnector(program, ctx);
  registerSeed(program, ctx);
  registerPg(program, ctx);
  registerWatch(program, ctx);
  registerStack(program, ctx);
  registerConfig(program, ctx);

  // Subcommands inherit output routing and exit behaviour.
  for (const command of allCommands(program)) {
    command.exitOverride().configureOutput(program.configureOutput());
  }
  return program;
}

function allCommands(command: Command): Command[] {
  return command.commands.flatMap((child) => [child, ...allCommands(child)]);
}

/** Runs `cdc` with the given argv and returns the exit code. Never throws. */
export async function main(argv: string[], ctx: Context = processContext()): Promise<number> {
  const program = buildProgram(ctx);
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
    return ExitCode.USAGE;
  }
  if (err instanceof ExitStatus) return err.exitCode;
  if (err instanceof CdcError) {
    ctx.stderr.write(`${style.red('error:')} ${maskConnectionString(err.message)}\n`);
    if (err.hint) ctx.stderr.write(`${style.dim('hint:')} ${maskConnectionString(err.hint)}\n`);
    if (err instanceof UsageError) ctx.stderr.write(`Run 'cdc --help' or 'cdc <command> --help' for usage.\n`);
    if (ctx.verbose && err.cause) ctx.stderr.write(maskConnectionString(String((err.cause as Error).stack ?? err.cause)) + '\n');
    return err.exitCode;
  }
  if (isBrokenPipe(err)) return ExitCode.OK;
  const error = err as Error;
  ctx.stderr.write(`${style.red('internal error:')} ${maskConnectionString(error?.message ?? String(err))}\n`);
  ctx.stderr.write(`This is a bug in cdc ${packageVersion()} (node ${process.version}). Please report it with the command you ran.\n`);
  if (ctx.verbose && error?.stack) ctx.stderr.write(maskConnectionString(error.stack) + '\n');
  return ExitCode.RUNTIME;
}

function isBrokenPipe(err: unknown): boolean {
  return (err as NodeJS.ErrnoException)?.code === 'EPIPE';
}
