/**
 * The context every command runs with: streams, TTY flags, colour, environment and clock.
 * Nothing in `src/` reads `process.*` directly; tests build a context with buffers and a fixed clock.
 */
import type { Readable, Writable } from 'node:stream';
import type { Settings } from './settings';

export interface Context {
  stdin: Readable;
  stdout: Writable;
  /**
   * The file descriptor behind stdout when it is the process's own (undefined in tests): a bulk
   * writer (commands/ui/bulk-writer.ts) writes it from libuv's thread pool.
   */
  stdoutFd?: number;
  stderr: Writable;
  stdinIsTTY: boolean;
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
  /** Colour on stdout: a TTY, no NO_COLOR, no --no-color (FORCE_COLOR forces it, FORCE_COLOR=0 stops it). */
  color: boolean;
  /** Colour on stderr, decided the same way for stderr. */
  stderrColor: boolean;
  env: NodeJS.ProcessEnv;
  cwd: string;
  now(): Date;
  /** Verbose diagnostics on stderr (--verbose). */
  verbose: boolean;
  /** The config-file context chosen with --context (else the file's current one). */
  configContext?: string;
  /**
   * Every connection setting, resolved flag > env > config context > running stack > default.
   * `commands/main.ts` replaces it before each command's action with one that knows the
   * command's flags, --context and the running stack.
   */
  settings: Settings;
  /**
   * Aborted by the first Ctrl-C (SIGINT) or SIGTERM, for the commands that stop cleanly on it
   * (they claim it with `interruptible(ctx)`, commands/ui/interrupt.ts). Pass it down; never
   * listen to process signals yourself.
   */
  signal: AbortSignal;
}

/** Colour rules of https://no-color.org and FORCE_COLOR, applied to one stream. */
export function colorEnabled(env: NodeJS.ProcessEnv, isTTY: boolean, noColorFlag = false): boolean {
  if (noColorFlag) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  // FORCE_COLOR=0/false means "no colour" to Node and chalk alike; any other value forces it.
  if (env.FORCE_COLOR === '0' || env.FORCE_COLOR === 'false') return false;
  if (env.FORCE_COLOR !== undefined) return true;
  if (env.TERM === 'dumb') return false;
  return isTTY;
}

export function processContext(): Context {
  const env = process.env;
  const stdoutIsTTY = Boolean(process.stdout.isTTY);
  const stderrIsTTY = Boolean(process.stderr.isTTY);
  return {
    // process.stdin is made on first use (~1.5 ms): most commands never read it.
    get stdin(): Readable {
      return process.stdin;
    },
    stdout: process.stdout,
    stdoutFd: 1,
    stderr: process.stderr,
    // Asked on first use: node:tty loads net and the stream modules (~2 ms when stdout and stderr
    // are files), and only commands that may read stdin ask.
    get stdinIsTTY(): boolean {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      return (require('node:tty') as typeof import('node:tty')).isatty(0);
    },
    stdoutIsTTY,
    stderrIsTTY,
    color: colorEnabled(env, stdoutIsTTY),
    stderrColor: colorEnabled(env, stderrIsTTY),
    env,
    cwd: process.cwd(),
    now: () => new Date(),
    verbose: false,
    // Made on first use (`cdc --help` needs none); main replaces it before each command's action.
    get settings(): Settings {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const settings = (require('./settings') as typeof import('./settings')).createSettings({ env });
      Object.defineProperty(this, 'settings', { value: settings, writable: true, enumerable: true, configurable: true });
      return settings;
    },
    set settings(value: Settings) {
      Object.defineProperty(this, 'settings', { value, writable: true, enumerable: true, configurable: true });
    },
    // Replaced by `main` with one the process's signals abort.
    signal: new AbortController().signal,
  };
}
