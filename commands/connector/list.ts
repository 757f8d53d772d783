/**
 * `cdc connector list`: one request (expand=status and info) for every connector's state.
 */
import type { Command } from 'commander';
import type { Context } from '../../src/context';
import type { ConnectFlags } from '../../src/connect/connection';
import { writeJson, writeTable } from '../ui/output';
import { sanitizeForTerminal, stdoutStyle } from '../ui/style';
import { addConnectOptions, withClient } from './common';
import { colorState } from './render';

const EXAMPLES = `
Examples:
  cdc connector list
  cdc connector list --json | jq -r '.[] | select(.health != "RUNNING") | .name'
  cdc connector list | awk -F'\\t' '$3 != "RUNNING"'     # piped: tab-separated NAME TYPE STATE TASKS`;

export function registerListCommand(parent: Command, ctx: Context): void {
  const command = parent.command('list').alias('ls').description('list connectors with their state and running tasks').option('--json', 'print JSON on stdout');
  addConnectOptions(command)
    .addHelpText('after', EXAMPLES)
    .action(async (options: ConnectFlags & { json?: boolean }) => {
      await withClient(ctx, options, async (client) => {
        const { summarizeStatus } = await import('../../src/connect/status');
        const expanded = await client.listExpanded();
        const rows = Object.keys(expanded)
          .sort()
          .map((name) => {
            const entry = expanded[name];
            const summary = entry.status ? summarizeStatus(entry.status, (t) => client.redactor.redact(t)) : undefined;
            return {
              name,
              type: entry.info?.type ?? entry.status?.type ?? 'unknown',
              class: entry.info?.config['connector.class'] ?? null,
              state: summary?.connector.state ?? 'UNKNOWN',
              health: summary?.health ?? 'DEGRADED',
              tasks: summary?.tasks.map((t) => ({ id: t.id, state: t.state })) ?? [],
              taskCount: summary?.taskCount ?? '0/0',
            };
          });
        if (options.json) {
          writeJson(
            ctx,
            rows.map(({ taskCount: _t, ...row }) => row),
          );
          return;
        }
        const style = stdoutStyle(ctx);
        writeTable(
          ctx,
          ['NAME', 'TYPE', 'STATE', 'TASKS'],
          rows.map((r) => {
            const notRunning = r.tasks.filter((t) => t.state !== 'RUNNING').map((t) => t.state);
            const taskCell = notRunning.length ? `${r.taskCount} (${[...new Set(notRunning)].join(', ')})` : r.taskCount;
            return [
              sanitizeForTerminal(r.name),
              sanitizeForTerminal(r.type),
              ctx.stdoutIsTTY ? colorState(style, r.state) : sanitizeForTerminal(r.state),
              sanitizeForTerminal(taskCell),
            ];
          }),
        );
      });
    });
}
