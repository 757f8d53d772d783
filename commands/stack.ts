/**
 * `cdc stack up|down|status|logs|env`: a local PostgreSQL + Kafka + Kafka Connect/Debezium stack
 * without Docker, for development and the integration tests.
 */
import * as path from 'node:path';
import { Command, Option } from 'commander';
import type { Context } from '../src/context';
import { ExitCode, ExitStatus, UsageError } from '../src/errors';
import { maskConnectionString } from '../src/secrets';
import type { StackSettings } from '../src/stack/settings';
import { writeJson, writeLine, writeTable, note, warn } from './ui/output';
import { startSpinner } from './ui/spinner';
import { sanitizeForTerminal, stderrStyle } from './ui/style';

interface PortFlags {
  dir?: string;
  pgPort?: string;
  kafkaPort?: string;
  controllerPort?: string;
  connectPort?: string;
  json?: boolean;
}

function withStackOptions(command: Command): Command {
  return command
    .option('--dir <folder>', 'stack folder for jars, data, logs and pid files (env CDC_STACK_DIR; default .stack/ in the cdc folder)')
    .option('--pg-port <port>', 'PostgreSQL port (env CDC_STACK_PG_PORT; default 15432)')
    .option('--kafka-port <port>', 'Kafka broker port (env CDC_STACK_KAFKA_PORT; default 19092)')
    .option('--controller-port <port>', 'KRaft controller port (env CDC_STACK_CONTROLLER_PORT; default 19093)')
    .option('--connect-port <port>', 'Kafka Connect REST port (env CDC_STACK_CONNECT_PORT; default 18083)');
}

/** flag > env > the ports of the stack recorded as running > default. */
async function settingsFor(ctx: Context, flags: PortFlags): Promise<StackSettings> {
  const { resolveStackSettings, defaultStackDir } = await import('../src/stack/settings');
  const { stackLayout } = await import('../src/stack/layout');
  const { readState } = await import('../src/stack/state');
  const dir = flags.dir ?? defaultStackDir(ctx.env);
  const running = readState(stackLayout(path.resolve(dir)))?.ports;
  return resolveStackSettings(
    { dir, pg: flags.pgPort, kafka: flags.kafkaPort, controller: flags.controllerPort, connect: flags.connectPort },
    ctx.env,
    running,
  );
}

export function registerStack(program: Command, ctx: Context): void {
  const stack = program
    .command('stack')
    .description('run a local PostgreSQL + Kafka + Kafka Connect (Debezium) stack without Docker')
    .addHelpText('after', `
Needs Java 17+, PostgreSQL server binaries and (for the first start only) Maven.
Ports (defaults): PostgreSQL 15432, Kafka 19092, KRaft controller 19093, Connect 18083.

Examples:
  $ cdc stack up                      # start (or reuse) the stack and wait until ready
  $ eval "$(cdc stack env)"           # point cdc at it
  $ cdc stack status --json
  $ cdc stack logs connect -n 100
  $ cdc stack down`);

  withStackOptions(stack.command('up'))
    .description('start the stack (or reuse a healthy one at the same ports) and wait until it is ready')
    .option('--keep-data', 'keep the data of the previous run instead of starting from a fresh cluster')
    .addOption(new Option('--timeout <seconds>', 'readiness timeout per service').default('120'))
    .option('--json', 'print the started stack as JSON')
    .addHelpText('after', `
Examples:
  $ cdc stack up
  $ cdc stack up --pg-port 25432 --kafka-port 29092 --controller-port 29093 --connect-port 28083
  $ CDC_STACK_DIR=/tmp/cdc-stack cdc stack up --json`)
    .action(async (flags: PortFlags & { keepData?: boolean; timeout: string }) => {
      const timeout = Number(flags.timeout);
      if (!Number.isFinite(timeout) || timeout <= 0) throw new UsageError(`--timeout must be a positive number of seconds, got '${flags.timeout}'`);
      const settings = await settingsFor(ctx, flags);
      const { stackUp } = await import('../src/stack/up');
      const { StackStartError } = await import('../src/stack/errors');
      const spinner = startSpinner(ctx, 'starting the stack', { json: flags.json });
      // Ctrl-C while starting: stop the services already started instead of leaving them behind.
      const interrupt = new AbortController();
      const onSigint = (): void => interrupt.abort();
      process.once('SIGINT', onSigint);
      try {
        const result = await stackUp(settings, {
          env: ctx.env,
          keepData: flags.keepData,
          timeoutMs: timeout * 1000,
          signal: interrupt.signal,
          onProgress: (step, detail) => (ctx.stderrIsTTY && ctx.stdoutIsTTY && !flags.json ? spinner.update(detail) : step === 'jars' && !detail.includes('cached') ? note(ctx, detail) : undefined),
        });
        spinner.stop();
        if (flags.json) writeJson(ctx, { reused: result.reused, seconds: result.seconds, ...result.state, urls: { ...result.state.urls, pgUrl: maskConnectionString(result.state.urls.pgUrl) } });
        const { state } = result;
        const style = stderrStyle(ctx);
        note(ctx, result.reused
          ? `${style.green('stack already running')} in ${state.dir} (reused)`
          : `${style.green('stack ready')} in ${result.seconds.toFixed(1)} s${result.mavenRan ? ' (jars downloaded)' : ''}: PostgreSQL ${state.versions.postgres}, Kafka ${state.versions.kafka}, Debezium ${state.versions.debezium}`);
        note(ctx, `  PostgreSQL     ${maskConnectionString(state.urls.pgUrl)}`);
        note(ctx, `  Kafka          ${state.urls.brokers}`);
        note(ctx, `  Kafka Connect  ${state.urls.connectUrl}`);
        note(ctx, `logs: ${state.logs}`);
        note(ctx, `point cdc at it: eval "$(cdc stack env)"; stop it: cdc stack down`);
      } catch (err) {
        spinner.fail('the stack did not start');
        if (err instanceof StackStartError && err.logTail) {
          note(ctx, stderrStyle(ctx).dim(`--- last lines of ${err.logFile} ---`));
          note(ctx, sanitizeForTerminal(maskConnectionString(err.logTail)));
          note(ctx, stderrStyle(ctx).dim('---'));
        }
        throw err;
      } finally {
        process.off('SIGINT', onSigint);
      }
    });

  withStackOptions(stack.command('down'))
    .description('stop every process of the stack and check that no process or port is left')
    .option('--json', 'print what was stopped as JSON')
    .addHelpText('after', `
Data and logs stay in the stack folder until the next 'cdc stack up' (which starts fresh).

Examples:
  $ cdc stack down
  $ cdc stack down --dir /tmp/cdc-stack`)
    .action(async (flags: PortFlags) => {
      const settings = await settingsFor(ctx, flags);
      const { stackDown } = await import('../src/stack/down');
      const result = await stackDown(settings.dir, settings.ports, ctx.env);
      if (flags.json) writeJson(ctx, result);
      else for (const s of result.stopped) note(ctx, `${s.service.padEnd(9)} ${s.outcome}${s.pid ? ` (pid ${s.pid})` : ''}`);
      if (result.portsInUse.length > 0) {
        warn(ctx, `port(s) ${result.portsInUse.join(', ')} still in use by a program this stack did not start`);
        throw new ExitStatus(ExitCode.RUNTIME);
      }
    });

  withStackOptions(stack.command('status'))
    .description('check each service for real (login, metadata request, /health and plugins)')
    .option('--json', 'print the status as JSON')
    .addHelpText('after', `
Exit status: 0 when every service is healthy, 5 when only some are, 1 when none is.

Examples:
  $ cdc stack status
  $ cdc stack status --json | jq -r .state`)
    .action(async (flags: PortFlags) => {
      const settings = await settingsFor(ctx, flags);
      const { stackStatus } = await import('../src/stack/status');
      const status = await stackStatus(settings);
      const services = status.services.map((s) => ({ ...s, detail: maskConnectionString(s.detail) }));
      const urls = { ...status.urls, pgUrl: maskConnectionString(status.urls.pgUrl) };
      if (flags.json) {
        writeJson(ctx, { ...status, urls, services });
      } else {
        writeTable(ctx, ['service', 'state', 'port', 'pid', 'detail'], services.map((s) => [
          s.service, s.healthy ? 'up' : 'down', String(s.port), s.pid === null ? '-' : String(s.pid), sanitizeForTerminal(s.detail),
        ]));
        note(ctx, `stack ${status.state} (${status.dir}); logs: ${status.logs}`);
      }
      if (status.state === 'degraded') throw new ExitStatus(ExitCode.DEGRADED);
      if (status.state === 'stopped') throw new ExitStatus(ExitCode.RUNTIME);
    });

  withStackOptions(stack.command('logs'))
    .description("print the end of a service's log (postgres, kafka, connect, maven), or all of them")
    .argument('[service]', 'postgres | kafka | connect | maven')
    .addOption(new Option('-n, --lines <count>', 'how many lines from the end').default('50'))
    .option('--path', 'print the log file path(s) instead')
    .addHelpText('after', `
Examples:
  $ cdc stack logs connect -n 200
  $ tail -f "$(cdc stack logs kafka --path)"`)
    .action(async (service: string | undefined, flags: PortFlags & { lines: string; path?: boolean }) => {
      const names = ['postgres', 'kafka', 'connect', 'maven'] as const;
      if (service !== undefined && !names.includes(service as (typeof names)[number])) {
        throw new UsageError(`unknown service '${service}'`, `choose one of ${names.join(', ')}`);
      }
      const lines = Number(flags.lines);
      if (!Number.isInteger(lines) || lines <= 0) throw new UsageError(`--lines must be a positive whole number, got '${flags.lines}'`);
      const settings = await settingsFor(ctx, flags);
      const { stackLayout } = await import('../src/stack/layout');
      const { tailFile } = await import('../src/stack/errors');
      const fs = await import('node:fs');
      const layout = stackLayout(settings.dir);
      const chosen = service ? [service as (typeof names)[number]] : names.filter((n) => fs.existsSync(layout.log(n)));
      if (chosen.length === 0) warn(ctx, `no logs in ${layout.logs} yet; start the stack with 'cdc stack up'`);
      for (const name of chosen) {
        if (flags.path) { writeLine(ctx, layout.log(name)); continue; }
        if (!service) writeLine(ctx, `==> ${layout.log(name)} <==`);
        writeLine(ctx, sanitizeForTerminal(maskConnectionString(tailFile(layout.log(name), lines))));
      }
    });

  withStackOptions(stack.command('env'))
    .description('print shell exports that point cdc at the stack: eval "$(cdc stack env)"')
    .addHelpText('after', `
Prints CDC_CONNECT_URL, CDC_BROKERS and DATABASE_URL (with the stack's throwaway password
'postgres', the same as docker-compose.yml) so that 'eval' can use them.

Examples:
  $ eval "$(cdc stack env)"
  $ cdc stack env --pg-port 25432`)
    .action(async (flags: PortFlags) => {
      const settings = await settingsFor(ctx, flags);
      const { stackUrls } = await import('../src/stack/settings');
      const { stackLayout } = await import('../src/stack/layout');
      const { readState } = await import('../src/stack/state');
      const urls = stackUrls(settings.ports);
      if (!readState(stackLayout(settings.dir))) warn(ctx, `no stack recorded as running in ${settings.dir}; start one with 'cdc stack up'`);
      writeLine(ctx, `export CDC_CONNECT_URL=${urls.connectUrl} CDC_BROKERS=${urls.brokers} DATABASE_URL=${urls.pgUrl}`);
    });
}
