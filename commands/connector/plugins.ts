/**
 * `cdc connector plugins`: the connector plugins installed on the worker.
 */
import type { Command } from 'commander';
import type { Context } from '../../src/context';
import type { ConnectFlags } from '../../src/connect/connection';
import { writeJson, writeTable } from '../ui/output';
import { sanitizeForTerminal } from '../ui/style';
import { addConnectOptions, withClient } from './common';

export function registerPluginsCommand(parent: Command, ctx: Context): void {
  const command = parent
    .command('plugins')
    .description('list the connector plugins installed on the worker')
    .option('--all', 'include transformations, predicates and converters (Kafka ≥ 3.2)')
    .option('--json', 'print JSON on stdout');
  addConnectOptions(command)
    .addHelpText(
      'after',
      `
Examples:
  cdc connector plugins
  cdc connector plugins --all --json | jq -r '.[].class'`,
    )
    .action(async (options: ConnectFlags & { json?: boolean; all?: boolean }) => {
      await withClient(ctx, options, async (client) => {
        const plugins = (await client.plugins(Boolean(options.all)))
          .map((p) => ({ class: p.class, type: p.type, version: p.version ?? null }))
          .sort((a, b) => a.type.localeCompare(b.type) || a.class.localeCompare(b.class));
        if (options.json) writeJson(ctx, plugins);
        else
          writeTable(
            ctx,
            ['CLASS', 'TYPE', 'VERSION'],
            plugins.map((p) => [p.class, p.type, p.version ?? ''].map(sanitizeForTerminal)),
          );
      });
    });
}
