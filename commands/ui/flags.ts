/**
 * Flag validators, used as commander argument parsers: a bad value is a usage error naming the
 * flag as soon as the command line is parsed, before any connection is opened or anything is
 * written. Every number flag of every command goes through `intFlag`, `numberFlag` or
 * `secondsFlag`; strings that must not be empty through `textFlag`; files through `fileFlag`.
 */
import { statSync } from 'node:fs';
import { Option } from 'commander';
import { NotFoundError, UsageError } from '../../src/errors';

interface Range {
  min?: number;
  max?: number;
}

/** Node's timers overflow past 2^31-1 ms (~24.8 days): a longer wait would fire at once. */
export const MAX_SECONDS = Math.floor((2 ** 31 - 1) / 1000);

const shown = (text: string) => JSON.stringify(text);

/** A whole number in [min, max] (defaults: 0 … Number.MAX_SAFE_INTEGER); `1e3`, `0x10`, `1.5`, '' refused. */
export function intFlag(flag: string, range: Range = {}): (text: string) => number {
  const min = range.min ?? 0;
  const max = range.max ?? Number.MAX_SAFE_INTEGER;
  return (text) => {
    const value = Number(text);
    if (!/^\s*\d+\s*$/.test(text) || value < min) {
      throw new UsageError(`${flag} must be a whole number${min === 1 ? ' above 0' : min > 1 ? ` of at least ${min}` : ''}, got ${shown(text)}`);
    }
    if (value > max || !Number.isSafeInteger(value)) throw new UsageError(`${flag} must be at most ${max}, got ${shown(text)}`);
    return value;
  };
}

/** A decimal number above 0 (or at least `min`), at most `max`: rates, fractions of a second. */
export function numberFlag(flag: string, range: Range = {}): (text: string) => number {
  const max = range.max ?? Number.MAX_SAFE_INTEGER;
  return (text) => {
    const value = Number(text);
    const tooSmall = range.min === undefined ? !(value > 0) : !(value >= range.min);
    if (!/^\s*(\d+(\.\d*)?|\.\d+)\s*$/.test(text) || !Number.isFinite(value) || tooSmall) {
      throw new UsageError(`${flag} must be a number ${range.min === undefined ? 'above 0' : `of at least ${range.min}`}, got ${shown(text)}`);
    }
    if (value > max) throw new UsageError(`${flag} must be at most ${max}, got ${shown(text)}`);
    return value;
  };
}

/** Seconds above 0 (fractions allowed), at most `max` (default: what a timer can wait). Returns seconds. */
export function secondsFlag(flag: string, range: { max?: number } = {}): (text: string) => number {
  return numberFlag(flag, { max: Math.min(range.max ?? MAX_SECONDS, MAX_SECONDS) });
}

/** A port number (1-65535), kept as the text given: connector configs hold strings. */
export function portText(flag: string): (text: string) => string {
  const check = intFlag(flag, { min: 1, max: 65_535 });
  return (text) => String(check(text));
}

/** A string that is not empty or blank; with `pattern`, one that matches it (`what` says what is wanted). */
export function textFlag(flag: string, check?: { pattern: RegExp; what: string }): (text: string) => string {
  return (text) => {
    if (text.trim() === '') throw new UsageError(`${flag} is empty`, `give ${flag} a value, or leave the flag out`);
    if (check && !check.pattern.test(text)) throw new UsageError(`${flag} must be ${check.what}, got ${shown(text)}`);
    return text;
  };
}

/** A positional argument that must not be empty (`cdc parse ''`): a usage error naming it. */
export function argText(name: string, hint: string): (text: string) => string {
  return (text) => {
    if (text.trim() === '') throw new UsageError(`the ${name} argument is empty`, hint);
    return text;
  };
}

/** A repeatable flag: each value validated by `parse`, all collected in order. */
export function repeatable<T = string>(parse: (text: string) => T = (text) => text as unknown as T): (text: string, previous?: T[]) => T[] {
  return (text, previous = []) => [...previous, parse(text)];
}

/**
 * A file that must exist and be a regular file (a certificate, a key, an input): a missing one is
 * not found (exit 4), a directory or an empty path a usage error (exit 2); both name flag and path.
 */
export function fileFlag(flag: string): (text: string) => string {
  return (text) => {
    if (text.trim() === '') throw new UsageError(`${flag} is empty`, `give ${flag} the path of a file`);
    let stat;
    try {
      stat = statSync(text);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') throw new NotFoundError(`${flag} ${text}: no such file`);
      throw new UsageError(`${flag} ${text}: cannot read it (${code ?? (err as Error).message})`);
    }
    if (stat.isDirectory()) throw new UsageError(`${flag} ${text} is a directory, not a file`);
    return text;
  };
}

/**
 * `--session-timeout <seconds>` of every command that reads as a consumer group (the sinks, `watch
 * --group`): how long a member that went silent (a kill -9, a lost machine) keeps its partitions
 * before the group hands them on. Whole seconds; the broker allows only its own range
 * (group.min.session.timeout.ms … group.max.session.timeout.ms, 6 s … 30 min by default) and its
 * refusal names this flag (src/kafka/client.ts).
 */
export function sessionTimeoutOption(): Option {
  return new Option(
    '--session-timeout <seconds>',
    'consumer group session timeout: a member silent this long (killed) loses its partitions to the others; a restart after a kill -9 waits for it (default 30; brokers allow 6–1800 unless configured otherwise)',
  ).argParser(intFlag('--session-timeout', { min: 1, max: 3600 }));
}

/** A checked seconds flag in ms; undefined (the flag left out) stays undefined: the consumer core's default. */
export function secondsToMs(seconds: number | undefined): number | undefined {
  return seconds === undefined ? undefined : seconds * 1000;
}
