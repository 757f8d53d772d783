/**
 * `cdc stack up`: start the stack (or reuse a healthy one) and wait until it is ready. On failure,
 * the end of the failing service's log is printed before the error.
 */
import { type Command, Option } from 'commander';
import type { Context } from '../../src/context';
import { UsageError } from '../../src/errors';
import { maskConnectionString } from '../../src/secrets';
import type { UpResult } from '../../src/stack/up';
import { note, writeJson } from '../ui/output';
import { secondsFlag } from '../ui/flags';
import { interruptible } from '../ui/interrupt';
import { startSpinner } from '../ui/spinner';
import { sanitizeForTerminal, stderrStyle } from '../ui/style';
import { maskUrls, settingsFor, withStackOptions, type PortFlags } from './options';

export function registerStackUp(stack: Command, ctx: Context): void {
  withStackOptions(stack.command('up'))
    .description('start the stack (or reuse a healthy one at the same ports) and wait until it is ready')
    .addOption(new Option('--keep-data', 'kept for old scripts: data is always kept now (cdc stack down --purge wipes it)').hideHelp())
    .option('--with <services>', `also start these, comma-separated: s3 (S3Proxy), mongo (mongo-java-server); env ${'CDC_STACK_WITH'}, or the config context's stackWith`)
    .addOption(new Option('--timeout <seconds>', 'readiness timeout per service').argParser(secondsFlag('--timeout')).default(120))
    .option('--json', 'print the started stack as JSON')
    .addHelpText('after', `
Examples:
  $ cdc stack up
  $ cdc stack up --pg-port 25432 --kafka-port 29092 --controller-port 29093 --connect-port 28083
  $ CDC_STACK_DIR=/tmp/cdc-stack cdc stack up --json`)
    .action(async (flags: PortFlags & { keepData?: boolean; timeout: number }) => {
      const timeout = Number(flags.timeout);
      if (!Number.isFinite(timeout) || timeout <= 0) throw new UsageError(`--timeout must be a positive number of seconds, got '${flags.timeout}'`);
      const settings = await settingsFor(ctx, flags);
      const { stackUp } = await import('../../src/stack/up');
      const { StackStartError } = await import('../../src/stack/errors');
      const spinner = startSpinner(ctx, 'starting the stack', { json: flags.json });
      // Ctrl-C while starting: stop the services already started instead of leaving them behind.
      const interrupt = interruptible(ctx);
      try {
        const result = await stackUp(settings, {
          env: ctx.env,
          timeoutMs: timeout * 1000,
          signal: interrupt,
          onProgress: (step, detail) => {
            spinner.update(detail);
            // Without a spinner, say why the first start takes longer.
            if (step === 'jars' && detail.startsWith('downloading') && !(ctx.stderrIsTTY && ctx.stdoutIsTTY && !flags.json)) note(ctx, detail);
          },
        });
        spinner.stop();
        if (flags.json) writeJson(ctx, { reused: result.reused, added: result.added, kept: result.kept, seconds: result.seconds, ...result.state, urls: maskUrls(result.state.urls) });
        reportStarted(ctx, result);
      } catch (err) {
        spinner.fail('the stack did not start');
        if (err instanceof StackStartError && err.logTail) {
          note(ctx, stderrStyle(ctx).dim(`--- last lines of ${err.logFile} ---`));
          note(ctx, sanitizeForTerminal(maskConnectionString(err.logTail)));
          note(ctx, stderrStyle(ctx).dim('---'));
        }
        throw err;
      }
    });
}

/** The summary on stderr: what runs where, what data was kept, where the logs are, how to use and stop it. */
function reportStarted(ctx: Context, result: UpResult): void {
  const { state } = result;
  const style = stderrStyle(ctx);
  note(ctx, result.reused
    ? `${style.green('stack already running')} in ${state.dir} (reused${result.added.length ? `; started ${result.added.join(' and ')}` : ''})`
    : `${style.green('stack ready')} in ${result.seconds.toFixed(1)} s${result.mavenRan ? ' (jars downloaded)' : ''}: ` +
      `PostgreSQL ${state.versions.postgres}, Kafka ${state.versions.kafka}, Debezium ${state.versions.debezium}`);
  note(ctx, `  PostgreSQL     ${maskConnectionString(state.urls.pgUrl)}`);
  note(ctx, `  Kafka          ${state.urls.brokers}`);
  note(ctx, `  Kafka Connect  ${state.urls.connectUrl}`);
  note(ctx, `  target DB      ${maskConnectionString(state.urls.targetUrl)}`);
  if (state.urls.s3Url) note(ctx, `  S3 (S3Proxy)   ${state.urls.s3Url}  bucket cdc, key minioadmin`);
  if (state.urls.mongoUrl) note(ctx, `  MongoDB wire   ${state.urls.mongoUrl}  (mongo-java-server, for tests)`);
  if (!result.reused) {
    if (result.kept.length === 0) note(ctx, 'data: fresh (nothing kept from an earlier run)');
    else {
      note(ctx, 'data kept from the last run (cdc stack down --purge wipes it):');
      for (const kept of result.kept) note(ctx, `  ${kept.service.padEnd(13)}  ${sanitizeForTerminal(kept.detail)}`);
    }
  }
  note(ctx, `data and logs: ${state.dir}`);
  note(ctx, 'point cdc at it: eval "$(cdc stack env)"; stop it: cdc stack down');
}
