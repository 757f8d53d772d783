/**
 * Progress on stderr. Spinners appear only when both stdout and stderr are TTYs and the output is
 * not JSON; otherwise the returned spinner does nothing, so pipes and logs stay clean.
 */
import type oraFunction from 'ora';
import type { Context } from '../../src/context';

export interface Spinner {
  update(text: string): void;
  succeed(text?: string): void;
  fail(text?: string): void;
  stop(): void;
}

const silent: Spinner = { update() {}, succeed() {}, fail() {}, stop() {} };

export function startSpinner(ctx: Context, text: string, options: { json?: boolean } = {}): Spinner {
  if (!ctx.stderrIsTTY || !ctx.stdoutIsTTY || options.json) return silent;
  // Loaded only when a spinner is shown: ora and its dependencies cost ~25 ms of start-up.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ora = require('ora') as typeof oraFunction;
  const spinner = ora({ text, stream: ctx.stderr, color: 'cyan', isEnabled: true }).start();
  if (!ctx.stderrColor) spinner.color = 'white';
  return {
    update: (t) => {
      spinner.text = t;
    },
    succeed: (t) => {
      spinner.succeed(t);
    },
    fail: (t) => {
      spinner.fail(t);
    },
    stop: () => {
      spinner.stop();
    },
  };
}
