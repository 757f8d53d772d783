/**
 * Ctrl-C (SIGINT) and SIGTERM, handled in one place for every command. `main` wires the process's
 * signals to `ctx.signal`. A command that stops cleanly (watch, the sinks, seed, stack up, serve)
 * claims the signal with `interruptible(ctx)`: the first signal then aborts `ctx.signal`, the
 * command writes what it has, reports, and ends with exit 130. For a command that did not claim
 * it, the signal ends the process at once, as if cdc had no handler (exit 130 in the shell). A
 * second signal always ends the process at once.
 *
 * A clean stop is usually over in a moment, but it can wait: for the batch being written, or for a
 * consumer group's join, which lasts until a member that died is given up (its session timeout,
 * 30 s). On a terminal, a stop still going after a second says so, and how to end it now.
 */
import type { Context } from '../../src/context';

const claimed = new WeakSet<Context>();

/** The command stops cleanly on Ctrl-C: the signal it should pass down and watch. */
export function interruptible(ctx: Context): AbortSignal {
  claimed.add(ctx);
  return ctx.signal;
}

/** Gives `ctx` a signal aborted by the process's first SIGINT or SIGTERM; returns the unwiring. */
export function wireProcessSignals(ctx: Context): () => void {
  const controller = new AbortController();
  ctx.signal = controller.signal;
  let slowStop: NodeJS.Timeout | undefined;
  const remove = (): void => {
    process.removeListener('SIGINT', onInt);
    process.removeListener('SIGTERM', onTerm);
  };
  const on = (signal: NodeJS.Signals): void => {
    remove();
    if (claimed.has(ctx)) {
      controller.abort(signal);
      if (ctx.stderrIsTTY) {
        slowStop = setTimeout(
          () => ctx.stderr.write(`stopping cleanly… (${signal === 'SIGINT' ? 'Ctrl-C' : 'the signal'} again ends it at once)\n`),
          SLOW_STOP_MS,
        );
        slowStop.unref();
      }
    }
    // Nothing stops cleanly on it: what the shell expects from an interrupted program, at once.
    else process.kill(process.pid, signal);
  };
  const onInt = (): void => on('SIGINT');
  const onTerm = (): void => on('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  return () => {
    remove();
    clearTimeout(slowStop);
  };
}

/** How long a clean stop runs before a terminal is told how to end it at once. */
export const SLOW_STOP_MS = 1000;
