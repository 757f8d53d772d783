/**
 * The last line of defence for secrets: a command group's stdout and stderr pass every write
 * through a Redactor, so a secret the command has seen is masked in any text that reaches the
 * terminal or a pipe — data, notes, --verbose lines and the error report alike — whatever key,
 * message or trace it sits in. The data layer masks too; this catches what it misses.
 */
import type { Writable } from 'node:stream';
import type { Context } from '../../src/context';
import { Redactor } from '../../src/secrets';

interface Guard {
  redactor: Redactor;
  /** `--show-secrets`: stdout is the user's explicit request for the clear text. */
  revealOnStdout: boolean;
}

const guards = new WeakMap<Context, Guard>();

/** The redactor of this run (one per context), fed with secret environment variables. */
export function redactorFor(ctx: Context): Redactor {
  return guard(ctx).redactor;
}

function guard(ctx: Context): Guard {
  let g = guards.get(ctx);
  if (!g) {
    const redactor = new Redactor();
    redactor.addEnv(ctx.env);
    g = { redactor, revealOnStdout: false };
    guards.set(ctx, g);
  }
  return g;
}

/** Lets stdout carry secrets in clear (`describe --show-secrets`); stderr stays guarded. */
export function revealSecretsOnStdout(ctx: Context): void {
  guard(ctx).revealOnStdout = true;
}

/** Wraps ctx.stdout and ctx.stderr (once) so that every write is redacted. */
export function guardOutput(ctx: Context): void {
  const g = guard(ctx);
  if (isGuarded(ctx.stdout)) return;
  ctx.stdout = redacting(ctx.stdout, (text) => (g.revealOnStdout ? text : g.redactor.redact(text)));
  ctx.stderr = redacting(ctx.stderr, (text) => g.redactor.redact(text));
}

const GUARDED = Symbol('redacting');

function isGuarded(stream: Writable): boolean {
  return Boolean((stream as unknown as Record<symbol, boolean>)[GUARDED]);
}

/**
 * The same stream (TTY flags, cursor functions for spinners, events) with `write` redacting.
 * Writes are whole lines or whole documents here, so a secret is never split across two writes.
 */
export function redacting<T extends Writable>(target: T, redact: (text: string) => string): T {
  const write = (chunk: unknown, ...rest: unknown[]): boolean => {
    const text = typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : undefined;
    const out = text === undefined ? chunk : redact(text);
    return (target.write as (...args: unknown[]) => boolean)(out, ...rest);
  };
  return new Proxy(target, {
    get(t, prop) {
      if (prop === 'write') return write;
      if (prop === GUARDED) return true;
      const value = Reflect.get(t, prop, t) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(t) : value;
    },
  });
}
