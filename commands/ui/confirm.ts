/**
 * Asking before destructive actions. Only on a TTY; elsewhere the caller must pass --yes.
 */
import * as readline from 'node:readline/promises';
import type { Context } from '../../src/context';
import { UsageError } from '../../src/errors';

export async function confirm(ctx: Context, question: string, options: { yes?: boolean }): Promise<boolean> {
  if (options.yes) return true;
  if (!ctx.stdinIsTTY || !ctx.stderrIsTTY) {
    throw new UsageError(`${question} — refusing without a terminal to ask on`, 'pass --yes to confirm');
  }
  const rl = readline.createInterface({ input: ctx.stdin, output: ctx.stderr });
  try {
    const answer = await rl.question(`${question} [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}
