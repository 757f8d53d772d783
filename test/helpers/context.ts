/**
 * A Context for tests: in-memory streams, chosen TTY flags and a fixed clock.
 * Read what a command wrote with `out()` and `err()`.
 */
import { PassThrough, Readable } from 'node:stream';
import type { Context } from '../../src/context';
import { createSettings } from '../../src/settings';

/**
 * A stack folder where no stack runs: commands run in unit tests never default to a stack the
 * developer happens to have running in the checkout. Tests about the stack pass their own.
 */
export const NO_STACK_DIR = '/nonexistent/cdc-unit-test-stack';

export interface TestContext extends Context {
  out(): string;
  err(): string;
}

export function testContext(
  options: {
    stdin?: string | Buffer | Readable;
    tty?: boolean;
    color?: boolean;
    env?: NodeJS.ProcessEnv;
    now?: Date;
  } = {},
): TestContext {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const outChunks: Buffer[] = [];
  const errChunks: Buffer[] = [];
  stdout.on('data', (chunk: Buffer) => outChunks.push(chunk));
  stderr.on('data', (chunk: Buffer) => errChunks.push(chunk));
  const stdin = options.stdin instanceof Readable ? options.stdin : Readable.from(options.stdin === undefined ? [] : [Buffer.from(options.stdin)]);
  const tty = options.tty ?? false;
  const now = options.now ?? new Date('2026-01-02T03:04:05.678Z');
  const env = { CDC_STACK_DIR: NO_STACK_DIR, ...options.env };
  return {
    stdin,
    stdout,
    stderr,
    stdinIsTTY: false,
    stdoutIsTTY: tty,
    stderrIsTTY: tty,
    color: options.color ?? false,
    stderrColor: options.color ?? false,
    env,
    cwd: process.cwd(),
    now: () => now,
    verbose: false,
    settings: createSettings({ env }),
    signal: new AbortController().signal,
    out: () => Buffer.concat(outChunks).toString('utf8'),
    err: () => Buffer.concat(errChunks).toString('utf8'),
  };
}
