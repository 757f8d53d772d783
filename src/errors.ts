/**
 * Typed errors and the exit codes they map to. Library code throws these; only
 * `commands/main.ts` turns them into a message and an exit code.
 */
export const ExitCode = {
  OK: 0,
  /** A runtime failure: a service unreachable, a server error, an I/O error. */
  RUNTIME: 1,
  /** The command line was wrong: unknown option, missing argument, bad flag value. */
  USAGE: 2,
  /** Input data was invalid: a record that is not an event, a bad config file, a malformed CSV row. */
  INVALID_INPUT: 3,
  /** The thing named does not exist: connector, topic, table, slot. */
  NOT_FOUND: 4,
  /** Health checks: something works but not fully (a connector RUNNING with a task PAUSED, a WARN). */
  DEGRADED: 5,
  /** Health checks: something is FAILED (a task, a `cdc pg check` item). */
  FAILED: 6,
  /** Interrupted by Ctrl-C (SIGINT), as shells report it. */
  INTERRUPTED: 130,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export class CdcError extends Error {
  readonly exitCode: ExitCodeValue;
  /** What the user can do about it; printed on its own line after the message. */
  readonly hint?: string;
  constructor(message: string, options: { exitCode?: ExitCodeValue; hint?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.exitCode = options.exitCode ?? ExitCode.RUNTIME;
    this.hint = options.hint;
  }
}

/** Wrong command line. The CLI prints the command's usage line after it. */
export class UsageError extends CdcError {
  constructor(message: string, hint?: string) {
    super(message, { exitCode: ExitCode.USAGE, hint });
  }
}

/** Invalid input data (files, stdin, config). */
export class InputError extends CdcError {
  constructor(message: string, hint?: string) {
    super(message, { exitCode: ExitCode.INVALID_INPUT, hint });
  }
}

export class NotFoundError extends CdcError {
  constructor(message: string, hint?: string) {
    super(message, { exitCode: ExitCode.NOT_FOUND, hint });
  }
}

/** A service (Postgres, Kafka, Kafka Connect) could not be reached or answered with an error. */
export class ServiceError extends CdcError {
  /**
   * Set when the service did not answer at all (as opposed to answering with an error): the CLI
   * then checks whether a local `cdc stack` runs elsewhere and says so.
   */
  readonly unreachable?: 'connect' | 'kafka' | 'pg';
  constructor(message: string, options: { hint?: string; cause?: unknown; exitCode?: ExitCodeValue; unreachable?: 'connect' | 'kafka' | 'pg' } = {}) {
    super(message, { exitCode: options.exitCode ?? ExitCode.RUNTIME, hint: options.hint, cause: options.cause });
    this.unreachable = options.unreachable;
  }
}

/** Thrown when the user interrupts (SIGINT); the CLI exits 130 without a stack trace. */
export class InterruptedError extends CdcError {
  constructor(message = 'interrupted') {
    super(message, { exitCode: ExitCode.INTERRUPTED });
  }
}

/**
 * Ends the command with a non-zero exit code after it has already reported what it needs to
 * (a health check that found a FAILED task, a parse run with invalid records). Nothing more is printed.
 */
export class ExitStatus extends CdcError {
  constructor(exitCode: ExitCodeValue) {
    super(`exit status ${exitCode}`, { exitCode });
  }
}
