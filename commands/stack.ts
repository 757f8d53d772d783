/**
 * `cdc stack up|down|status|logs|env`: a local PostgreSQL + Kafka + Kafka Connect/Debezium stack
 * without Docker, for development and the integration tests.
 */
import { type Command, Option } from 'commander';
import type { Context } from '../src/context';
import { ExitCode, ExitStatus, UsageError } from '../src/errors';
import { maskConnectionString } from '../src/secrets';
import { stackEnv } from '../src/stack/settings';
import { maskEnv, maskUrls, settingsFor, withStackOptions, type PortFlags } from './stack/options';
import { registerStackUp } from './stack/up';
import { note, warn, writeJson, writeLine, writeTable } from './ui/output';
import { intFlag } from './ui/flags';
import { sanitizeForTerminal } from './ui/style';

export function registerStack(program: Command, ctx: Context): void {
  const stack = program
    .command('stack')
    .description('run a local PostgreSQL + Kafka + Kafka Connect (Debezium) stack without Docker')
    .addHelpText(
      'after',
      `
Needs Java 17+, PostgreSQL server binaries and (for the first start only) Maven.
Ports (defaults): PostgreSQL 15432, Kafka 19092, KRaft controller 19093, Connect 18083;
with --with s3,mongo also S3 (S3Proxy) 19000 and MongoDB wire protocol (mongo-java-server) 17017.

Examples:
  $ cdc stack up                      # start (or reuse) the stack and wait until ready
  $ cdc stack up --with s3,mongo      # plus an S3 API and a MongoDB wire-protocol server
  $ eval "$(cdc stack env)"           # point cdc at it
  $ cdc stack status --json
  $ cdc stack logs connect -n 100
  $ cdc stack down`,
    );

  registerStackUp(stack, ctx);

  withStackOptions(stack.command('down'))
    .description('stop every process of the stack and check that no process or port is left')
    .option('--purge', 'also wipe the data (databases, topics, connectors, buckets, collections); jars and logs stay')
    .option('--json', 'print what was stopped as JSON')
    .addHelpText(
      'after',
      `
Data stays in the stack folder for the next 'cdc stack up' (as docker compose keeps named volumes);
--purge wipes it. Logs stay either way.

Examples:
  $ cdc stack down
  $ cdc stack down --purge            # the next 'up' starts from empty services
  $ cdc stack down --dir /tmp/cdc-stack`,
    )
    .action(async (flags: PortFlags & { purge?: boolean }) => {
      const settings = await settingsFor(ctx, flags, { preferRunning: true });
      const { stackDown } = await import('../src/stack/down');
      const result = await stackDown(settings.dir, settings.ports, ctx.env, { purge: flags.purge });
      if (flags.json) writeJson(ctx, result);
      else {
        for (const s of result.stopped) note(ctx, `${s.service.padEnd(9)} ${s.outcome}${s.pid ? ` (pid ${s.pid})` : ''}`);
        if (flags.purge) note(ctx, result.purged.length > 0 ? `wiped the data: ${result.purged.join(', ')}` : 'no data to wipe');
        else note(ctx, `data kept in ${settings.dir} for the next 'cdc stack up' (wipe it with: cdc stack down --purge)`);
      }
      if (result.portsInUse.length > 0) {
        warn(ctx, `port(s) ${result.portsInUse.join(', ')} still in use by a program this stack did not start`);
        throw new ExitStatus(ExitCode.RUNTIME);
      }
    });

  withStackOptions(stack.command('status'))
    .description('check each service for real (login, metadata request, /health and plugins)')
    .option('--json', 'print the status as JSON')
    .addHelpText(
      'after',
      `
Exit status: 0 when every service is healthy, 5 when only some are, 1 when none is.

Examples:
  $ cdc stack status
  $ cdc stack status --json | jq -r .state`,
    )
    .action(async (flags: PortFlags) => {
      const settings = await settingsFor(ctx, flags, { preferRunning: true });
      const { stackStatus } = await import('../src/stack/status');
      const status = await stackStatus(settings);
      const services = status.services.map((s) => ({ ...s, detail: maskConnectionString(s.detail) }));
      const urls = maskUrls(status.urls);
      const env = maskEnv(stackEnv(status.urls));
      if (flags.json) {
        writeJson(ctx, { ...status, urls, services, env });
      } else {
        writeTable(
          ctx,
          ['service', 'state', 'port', 'pid', 'detail'],
          services.map((s) => [s.service, s.healthy ? 'up' : 'down', String(s.port), s.pid === null ? '-' : String(s.pid), sanitizeForTerminal(s.detail)]),
        );
        note(ctx, `stack ${status.state} (${status.dir}); logs: ${status.logs}`);
        note(ctx, `environment ('eval "$(cdc stack env)"' sets it; secrets masked here):`);
        for (const [name, value] of Object.entries(env)) note(ctx, `  ${name}=${value}`);
      }
      if (status.state === 'degraded') throw new ExitStatus(ExitCode.DEGRADED);
      if (status.state === 'stopped') throw new ExitStatus(ExitCode.RUNTIME);
    });

  withStackOptions(stack.command('logs'))
    .description("print the end of a service's log (postgres, kafka, connect, s3, mongo, maven), or all of them")
    .argument('[service]', 'postgres | kafka | connect | s3 | mongo | maven')
    .addOption(new Option('-n, --lines <count>', 'how many lines from the end').argParser(intFlag('--lines', { min: 1, max: 10_000_000 })).default(50))
    .option('--path', 'print the log file path(s) instead')
    .addHelpText(
      'after',
      `
Examples:
  $ cdc stack logs connect -n 200
  $ tail -f "$(cdc stack logs kafka --path)"`,
    )
    .action(async (service: string | undefined, flags: PortFlags & { lines: number; path?: boolean }) => {
      const names = ['postgres', 'kafka', 'connect', 's3', 'mongo', 'maven'] as const;
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
        if (flags.path) {
          writeLine(ctx, layout.log(name));
          continue;
        }
        if (!service) writeLine(ctx, `==> ${layout.log(name)} <==`);
        writeLine(ctx, sanitizeForTerminal(maskConnectionString(tailFile(layout.log(name), lines))));
      }
    });

  withStackOptions(stack.command('env'))
    .description('print shell exports that point cdc at the stack: eval "$(cdc stack env)"')
    .addHelpText(
      'after',
      `
Prints CDC_CONNECT_URL, CDC_BROKERS, DATABASE_URL (with the stack's throwaway password
'postgres', the same as docker-compose.yml) and CDC_TARGET_URL (the sinks' target database
'analytics', user and password 'analytics'); with s3 running also AWS_ACCESS_KEY_ID,
AWS_SECRET_ACCESS_KEY, AWS_REGION, AWS_ENDPOINT_URL_S3 and AWS_REQUEST_CHECKSUM_CALCULATION /
AWS_RESPONSE_CHECKSUM_VALIDATION=WHEN_REQUIRED (S3Proxy lacks the SDK's default CRC32 headers);
with mongo running CDC_MONGO_URL. The credentials are throwaway ones, printed for 'eval'.

Examples:
  $ eval "$(cdc stack env)"
  $ cdc stack env --pg-port 25432`,
    )
    .action(async (flags: PortFlags) => {
      const settings = await settingsFor(ctx, flags, { preferRunning: true });
      const { stackUrls } = await import('../src/stack/settings');
      const { stackLayout } = await import('../src/stack/layout');
      const { readState } = await import('../src/stack/state');
      const urls = stackUrls(settings.ports, settings.with);
      if (!readState(stackLayout(settings.dir))) warn(ctx, `no stack recorded as running in ${settings.dir}; start one with 'cdc stack up'`);
      writeLine(
        ctx,
        `export ${Object.entries(stackEnv(urls))
          .map(([name, value]) => `${name}=${shellQuote(value)}`)
          .join(' ')}`,
      );
    });
}

/** Values are URLs and fixed words; quote anything else a shell would split or expand. */
function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
