/**
 * Writing data and diagnostics. Data goes to stdout only; warnings, notes and progress to stderr.
 */
import type TableClass from 'cli-table3';
import type { Context } from '../../src/context';
import { stderrStyle, stdoutStyle } from './style';

export function writeLine(ctx: Context, line: string): void {
  ctx.stdout.write(line + '\n');
}

/** `--json` output: one pretty-printed JSON document on a TTY, compact when piped. */
export function writeJson(ctx: Context, value: unknown): void {
  ctx.stdout.write(JSON.stringify(value, null, ctx.stdoutIsTTY ? 2 : undefined) + '\n');
}

export function note(ctx: Context, message: string): void {
  ctx.stderr.write(message + '\n');
}

export function warn(ctx: Context, message: string): void {
  ctx.stderr.write(`${stderrStyle(ctx).yellow('warning:')} ${message}\n`);
}

export function verbose(ctx: Context, message: string): void {
  if (ctx.verbose) ctx.stderr.write(`${stderrStyle(ctx).dim(message)}\n`);
}

/**
 * A table: boxed with cli-table3 on a TTY; plain tab-separated rows (no header decoration, no
 * colour) when piped, so `cut`, `awk` and `sort` work on it.
 */
export function writeTable(ctx: Context, head: string[], rows: string[][]): void {
  if (!ctx.stdoutIsTTY) {
    for (const row of rows) ctx.stdout.write(row.map((cell) => cell.replace(/[\t\n]/g, ' ')).join('\t') + '\n');
    return;
  }
  // Loaded only for terminal tables: piped output never needs it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Table = require('cli-table3') as typeof TableClass;
  // Coloured with our own chalk instance (ctx.color decides), not cli-table3's colour names: those go
  // through @colors/colors, which makes its own terminal guess (off whenever CI is set).
  const style = stdoutStyle(ctx);
  const table = new Table({
    head: head.map((cell) => style.cyan(cell)),
    style: { head: [], border: [] },
  });
  table.push(...rows);
  ctx.stdout.write(table.toString() + '\n');
}
