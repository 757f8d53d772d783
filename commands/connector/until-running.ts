/**
 * `--wait` of register, resume and restart: one connector after another until it and all its
 * tasks are RUNNING, a spinner while waiting and one line when it is. The polling itself (and what
 * counts as done after a restart) is src/connect/wait.ts.
 */
import type { ConnectClient } from '../../src/connect/client';
import type { RestartPlan } from '../../src/connect/restart-watch';
import type { StatusSummary } from '../../src/connect/status';
import type { Context } from '../../src/context';
import { note } from '../ui/output';
import { startSpinner } from '../ui/spinner';
import { sanitizeForTerminal, stderrStyle } from '../ui/style';

export interface UntilRunning {
  name: string;
  /** After a restart: the states before it, so that they are not taken for the outcome. */
  restart?: RestartPlan;
  /** An updated connector restarts; its old (maybe FAILED) state lingers for a moment. */
  initialDelayMs?: number;
}

export async function untilRunning(
  ctx: Context,
  client: ConnectClient,
  items: UntilRunning[],
  options: { timeoutMs: number; json?: boolean },
): Promise<StatusSummary[]> {
  const { waitUntilRunning } = await import('../../src/connect/wait');
  const summaries: StatusSummary[] = [];
  for (const item of items) {
    const name = sanitizeForTerminal(item.name);
    const spinner = startSpinner(ctx, `waiting for ${name} to run`, { json: options.json });
    const summary = await waitUntilRunning(client, item.name, {
      timeoutMs: options.timeoutMs,
      initialDelayMs: item.initialDelayMs,
      restart: item.restart,
      onPoll: (s) => spinner.update(`${name}: connector ${s.connector.state}, tasks ${s.taskCount} running`),
    }).finally(() => spinner.stop());
    note(ctx, `${stderrStyle(ctx).green('✓')} ${name} RUNNING (${summary.taskCount} tasks)`);
    summaries.push(summary);
  }
  return summaries;
}
