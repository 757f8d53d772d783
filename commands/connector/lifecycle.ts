/**
 * `pause`, `resume`, `stop`, `restart`: one request each per connector, gated on the worker's
 * version where the endpoint is newer (stop: Kafka 3.5; restart with tasks: 3.0).
 */
import type { Command } from 'commander';
import type { Context } from '../../src/context';
import type { ConnectClient } from '../../src/connect/client';
import type { ConnectFlags } from '../../src/connect/connection';
import type { RestartPlan } from '../../src/connect/restart-watch';
import { note, writeJson } from '../ui/output';
import { sanitizeForTerminal, stderrStyle } from '../ui/style';
import { secondsFlag } from '../ui/flags';
import { addConnectOptions, connectorNames, withClient } from './common';
import { untilRunning } from './until-running';

interface WaitOptions extends ConnectFlags {
  wait?: boolean;
  waitTimeout: number;
  json?: boolean;
}

async function waitFor(ctx: Context, client: ConnectClient, names: string[], options: WaitOptions, restarts = new Map<string, RestartPlan>()): Promise<void> {
  if (!options.wait) return;
  await untilRunning(
    ctx,
    client,
    names.map((name) => ({ name, restart: restarts.get(name) })),
    { timeoutMs: Number(options.waitTimeout) * 1000, json: options.json },
  );
}

export function registerLifecycleCommands(parent: Command, ctx: Context): void {
  const simple: { name: 'pause' | 'resume' | 'stop'; description: string; done: string; example: string }[] = [
    { name: 'pause', description: 'pause connectors (tasks keep their assignment; resume continues)', done: 'paused', example: 'cdc connector pause holding' },
    { name: 'resume', description: 'resume paused or stopped connectors', done: 'resumed', example: 'cdc connector resume holding --wait' },
    {
      name: 'stop',
      description: 'stop connectors: tasks shut down, config and offsets stay (Kafka ≥ 3.5)',
      done: 'stopped',
      example: 'cdc connector stop holding',
    },
  ];
  for (const spec of simple) {
    const command = parent.command(spec.name).description(spec.description).argument('<names...>', 'connector names', connectorNames);
    if (spec.name === 'resume') {
      command
        .option('--wait', 'wait until the connector and its tasks are RUNNING')
        .option('--wait-timeout <seconds>', 'how long --wait waits', secondsFlag('--wait-timeout'), 60);
    }
    addConnectOptions(command)
      .addHelpText('after', `\nExamples:\n  ${spec.example}\n  ${spec.example.replace('holding', 'holding orders')}`)
      .action(async (names: string[], options: WaitOptions) => {
        await withClient(ctx, options, async (client) => {
          if (spec.name === 'stop') {
            const { requireFeature } = await import('../../src/connect/version');
            requireFeature((await client.server()).version, 'stop', 'stopping a connector');
          }
          for (const name of names) {
            await client[spec.name](name);
            note(ctx, `${stderrStyle(ctx).green('✓')} ${spec.done} ${sanitizeForTerminal(name)}`);
          }
          await waitFor(ctx, client, names, options);
        });
      });
  }

  const restart = parent
    .command('restart')
    .description('restart connectors, optionally with their tasks')
    .argument('<names...>', 'connector names', connectorNames)
    .option('--include-tasks', 'restart the tasks too')
    .option('--failed-only', 'restart only instances that are FAILED')
    .option('--wait', 'wait until the connector and its tasks are RUNNING')
    .option('--wait-timeout <seconds>', 'how long --wait waits', secondsFlag('--wait-timeout'), 60)
    .option('--json', 'print the statuses Connect returns as JSON');
  addConnectOptions(restart)
    .addHelpText(
      'after',
      `
Examples:
  cdc connector restart holding
  cdc connector restart holding --include-tasks --failed-only --wait`,
    )
    .action(async (names: string[], options: WaitOptions & { includeTasks?: boolean; failedOnly?: boolean }) => {
      await withClient(ctx, options, async (client) => {
        if (options.includeTasks || options.failedOnly) {
          const { requireFeature } = await import('../../src/connect/version');
          requireFeature((await client.server()).version, 'restartWithTasks', '--include-tasks / --failed-only');
        }
        const results = [];
        const restarts = new Map<string, RestartPlan>();
        const { restartPlan } = await import('../../src/connect/restart-watch');
        for (const name of names) {
          // --wait compares with the states before the restart, so it never mistakes them for the outcome.
          const before = options.wait ? await client.status(name) : undefined;
          const status = await client.restart(name, { includeTasks: options.includeTasks, onlyFailed: options.failedOnly });
          if (before) restarts.set(name, restartPlan(before, status));
          results.push({
            name,
            restarting: status ? [status.connector.state, ...status.tasks.map((t) => t.state)].filter((s) => s === 'RESTARTING').length : null,
          });
          note(
            ctx,
            `${stderrStyle(ctx).green('✓')} restarted ${sanitizeForTerminal(name)}${options.includeTasks ? ' with tasks' : ''}${options.failedOnly ? ' (failed instances only)' : ''}`,
          );
        }
        if (options.json) writeJson(ctx, results);
        await waitFor(ctx, client, names, options, restarts);
      });
    });
}
