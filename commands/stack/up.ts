/**
 * `cdc stack up`: start the stack (or reuse a healthy one) and wait until it is ready. On failure,
 * the end of the failing service's log is printed before the error.
 */
import { Command, Option } from 'commander';
import type { Context } from '../../src/context';
import { UsageError } from '../../src/errors';
import { maskConnectionString } from '../../src/secrets';
import type { UpResult } from '../../src/stack/up';
import { note, writeJson } from '../ui/output';
import { startSpinner } from '../ui/spinner';
import { sanitizeForTerminal, stderrStyle } from '../ui/style';
import { maskUrls, settingsFor, withStackOptions, type PortFlags } from './options';

export function registerStackUp(stack: Command, ctx: Context): void {
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
      const { stackUp } = await import('../../src/stack/up');
      const { StackStartError } = await import('../../src/stack/errors');
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
          onProgress: (step, detail) => {
            spinner.update(detail);
            // Without a spinner, say why the first start takes longer.
            if (step === 'jars' && detail.startsWith('downloading') && !(ctx.stderrIsTTY && ctx.stdoutIsTTY && !flags.json)) note(ctx, detail);
          },
        });
        spinner.stop();
        if (flags.json) writeJson(ctx, { reused: result.reused, seconds: result.seconds, ...result.state, urls: maskUrls(result.state.urls) });
        reportStarted(ctx, result);
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
}

/** The summary on stderr: what runs where, where the logs are, how to use and stop it. */
function reportStarted(ctx: Context, result: UpResult): void {
  const { state } = result;
  const style = stderrStyle(ctx);
  note(ctx, result.reused
    ? `${style.green('stack already running')} in ${state.dir} (reused)`
    : `${style.green('stack ready')} in ${result.seconds.toFixed(1)} s${result.mavenRan ? ' (jars downloaded)' : ''}: ` +
      `PostgreSQL ${state.versions.postgres}, Kafka ${state.versions.kafka}, Debezium ${state.versions.debezium}`);
  note(ctx, `  PostgreSQL     ${maskConnectionString(state.urls.pgUrl)}`);
  note(ctx, `  Kafka          ${state.urls.brokers}`);
  note(ctx, `  Kafka Connect  ${state.urls.connectUrl}`);
  note(ctx, `  target DB      ${maskConnectionString(state.urls.targetUrl)}`);
  note(ctx, `logs: ${state.logs}`);
  note(ctx, 'point cdc at it: eval "$(cdc stack env)"; stop it: cdc stack down');
}
