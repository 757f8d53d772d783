/**
 * Colours for the command layer. One chalk instance per stream decision, so colour follows the
 * context (TTY, NO_COLOR, FORCE_COLOR, --no-color) and never a global.
 */
import type chalk from 'chalk';
import type { Context } from '../../src/context';

export type Style = chalk.Chalk;

export function stdoutStyle(ctx: Context): Style {
  return ctx.color ? coloured() : PLAIN;
}

export function stderrStyle(ctx: Context): Style {
  return ctx.stderrColor ? coloured() : PLAIN;
}

/** chalk, loaded only when there is colour to write (most runs have none: a pipe, NO_COLOR). */
function coloured(): Style {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Instance } = require('chalk') as typeof chalk;
  return new Instance({ level: 2 });
}

/**
 * What chalk at level 0 does, without loading it: every style (and chain of styles) returns its
 * arguments as text, one as `'' + arg`, several joined by spaces.
 */
const PLAIN: Style = new Proxy(function plain() {}, {
  get: (target, key): unknown => (key === 'level' ? 0 : key === 'prototype' ? (Reflect.get(target, key) as unknown) : PLAIN),
  apply: (_target, _this, args: unknown[]) => (args.length === 1 ? '' + String(args[0]) : args.join(' ')),
}) as unknown as Style;

/** Removes control characters (ANSI escapes, BEL, backspace, ...) from untrusted text before it reaches a terminal. */
export function sanitizeForTerminal(text: string): string {
  // Keep tab and newline; escape every other C0/C1 control character visibly, and the bidirectional
  // overrides and isolates, which can make a payload display reversed or hide part of a line.

  return text.replace(
    /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
