/**
 * `cdc demo`: the whole finance pipeline in one command for a newcomer. The steps are those of
 * src/demo; this file checks the flags, shows progress on stderr and prints the reports.
 */
import type { Command } from 'commander';
import type { Context } from '../src/context';
import { ExitCode, ExitStatus, InterruptedError, UsageError } from '../src/errors';
import type { DemoResult } from '../src/demo';
import { intFlag, secondsFlag } from './ui/flags';
import { note } from './ui/output';
import { startSpinner } from './ui/spinner';
import { stderrStyle, stdoutStyle } from './ui/style';
import { renderReport } from './report/render';
import { onInterrupt } from './seed/render';
import { settingsFor } from './stack/options';
import { demoDocument, nextSteps } from './demo/render';

interface DemoFlags {
  ops: number;
  seed: number;
  stack: boolean;
  timeout: number;
  json?: boolean;
}

const EXAMPLES = `
Examples:
  $ cdc demo                                  # stack, finance source, connector, sink, reports
  $ cdc demo --ops 500                        # a longer workload (a second run adds to the first)
  $ cdc demo --json | jq '.reports[] | {report, rows}'
  $ cdc report open-orders --target-schema analytics   # afterwards: any report, --at any moment
  $ cdc stack down                            # stop everything (data kept; --purge wipes it)

What it builds (and a second run finds and reuses): source schema finance (customers, products,
orders, order_items) with role cdc_user, slot cdc_pgoutput and publication cdc_publication;
connector cdc-demo writing topics demo.finance.*; history tables and the four views in schema
analytics of the target database, written by sink group cdc-demo.
The stack's ports and folder come from CDC_STACK_* as for \`cdc stack up\`; --no-stack uses the
services the environment names (DATABASE_URL, CDC_TARGET_URL, CDC_BROKERS, CDC_CONNECT_URL) and
takes the role's password from CDC_DEMO_PASSWORD.`;

export function registerDemo(program: Command, ctx: Context): void {
  program
    .command('demo')
    .description('run the finance pipeline end to end: stack, source, connector, sink, workload, reports')
    .option('--ops <n>', 'workload moves (each one transaction)', intFlag('--ops', { min: 1, max: 100_000 }), 200)
    .option('--seed <n>', 'seed of the starting set and the workload', intFlag('--seed', { min: 0, max: 2 ** 31 - 1 }), 1)
    .option('--no-stack', 'do not start the local stack: use the services the environment names')
    .option('--timeout <seconds>', 'give up on a connector wait after this long', secondsFlag('--timeout'), 180)
    .option('--json', 'one JSON document: what was built, the workload, the sink passes and the four reports')
    .addHelpText('after', EXAMPLES)
    .action(async (flags: DemoFlags) => {
      if (!flags.stack && !ctx.env.CDC_DEMO_PASSWORD) {
        throw new UsageError(
          "--no-stack needs CDC_DEMO_PASSWORD: the password for the demo's replication role cdc_user",
          'with the local stack it is made once and kept in the stack folder',
        );
      }
      const stack = flags.stack ? await settingsFor(ctx, {}) : undefined;
      const { runDemo } = await import('../src/demo');
      const spinner = startSpinner(ctx, 'cdc demo', { json: flags.json });
      const style = stderrStyle(ctx);
      const interrupt = onInterrupt(ctx);
      let result: DemoResult;
      try {
        result = await runDemo({
          stack,
          settings: ctx.settings,
          env: ctx.env,
          ops: flags.ops,
          seed: flags.seed,
          timeoutMs: flags.timeout * 1000,
          signal: interrupt.signal,
          onStep: (step, detail) => {
            spinner.stop();
            note(ctx, `${style.cyan('▸')} ${detail}`);
            spinner.update(detail);
          },
          onProgress: (detail) => spinner.update(detail),
        });
      } catch (err) {
        spinner.stop();
        if (interrupt.signal.aborted) throw err instanceof InterruptedError ? err : new ExitStatus(ExitCode.INTERRUPTED);
        throw err;
      } finally {
        spinner.stop();
        interrupt.dispose();
      }
      if (flags.json) {
        const { stringifyLossless } = await import('../src/json');
        ctx.stdout.write(stringifyLossless(demoDocument(result), ctx.stdoutIsTTY ? 2 : 0) + '\n');
      } else {
        for (const report of result.reports) {
          ctx.stdout.write(`${ctx.stdoutIsTTY ? stdoutStyle(ctx).bold(report.report) : `# ${report.report}`}\n`);
          renderReport(ctx, report, ctx.stdoutIsTTY ? 'table' : 'csv', false);
        }
      }
      for (const line of nextSteps(result)) note(ctx, line);
    });
}
