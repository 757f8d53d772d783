/**
 * Ctrl-C (SIGINT) and SIGTERM, handled in one place for every command. `main` wires the process's
 * signals to `ctx.signal`. A command that stops cleanly (watch, the sinks, seed, stack up, serve)
 * claims the signal with `interruptible(ctx)`: the first signal then aborts `ctx.signal`, the
 * command writes what it has, reports, and ends with exit 130. For a command that did not claim
 * it, the signal ends the process at once, as if cdc had no handler (exit 130 in the shell). A
 * second signal always ends the process at once.
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
  const remove = (): void => {
    process.removeListener('SIGINT', onInt);
    process.removeListener('SIGTERM', onTerm);
  };
  const on = (signal: NodeJS.Signals): void => {
    remove();
    if (claimed.has(ctx)) controller.abort(signal);
    // Nothing stops cleanly on it: what the shell expects from an interrupted program, at once.
    else process.kill(process.pid, signal);
  };
  const onInt = (): void => on('SIGINT');
  const onTerm = (): void => on('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  return remove;
}
