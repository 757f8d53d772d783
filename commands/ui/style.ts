/**
 * Colours for the command layer. One chalk instance per stream decision, so colour follows the
 * context (TTY, NO_COLOR, FORCE_COLOR, --no-color) and never a global.
 */
import chalk from 'chalk';
import type { Context } from '../../src/context';

export type Style = chalk.Chalk;

export function stdoutStyle(ctx: Context): Style {
  return new chalk.Instance({ level: ctx.color ? 2 : 0 });
}

export function stderrStyle(ctx: Context): Style {
  return new chalk.Instance({ level: ctx.stderrColor ? 2 : 0 });
}

/** Removes control characters (ANSI escapes, BEL, backspace, ...) from untrusted text before it reaches a terminal. */
export function sanitizeForTerminal(text: string): string {
  // Keep tab and newline; escape every other C0/C1 control character visibly, and the bidirectional
  // overrides and isolates, which can make a payload display reversed or hide part of a line.

  return text.replace(
    /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
