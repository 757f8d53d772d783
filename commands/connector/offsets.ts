/**
 * `cdc connector offsets NAME`: the stored source offsets (Kafka ≥ 3.5); `--reset` stops the
 * connector and deletes them (Kafka ≥ 3.6), so that resuming starts over.
 */
import type { Command } from 'commander';
import type { Context } from '../../src/context';
import { CdcError, ExitCode } from '../../src/errors';
import type { ConnectFlags } from '../../src/connect/connection';
import { confirm } from '../ui/confirm';
import { note, writeJson, writeTable } from '../ui/output';
import { sanitizeForTerminal, stderrStyle } from '../ui/style';
import { addConnectOptions, withClient, connectorName } from './common';

export function registerOffsetsCommand(parent: Command, ctx: Context): void {
  const command = parent
    .command('offsets')
    .description('show the stored source offsets of a connector, or reset them')
    .argument('<name>', 'connector name', connectorName)
    .option('--reset', 'stop the connector and delete its offsets (it stays STOPPED)')
    .option('-y, --yes', 'do not ask before --reset')
    .option('--json', 'print JSON on stdout');
  addConnectOptions(command)
    .addHelpText(
      'after',
      `
Examples:
  cdc connector offsets holding
  cdc connector offsets holding --json | jq '.offsets[0].offset.lsn'
  cdc connector offsets holding --reset --yes && cdc connector resume holding --wait

After a reset, a Debezium connector starts over on resume: a new snapshot (per snapshot.mode),
then streaming from its replication slot.`,
    )
    .action(async (name: string, options: ConnectFlags & { json?: boolean; reset?: boolean; yes?: boolean }) => {
      await withClient(ctx, options, async (client) => {
        const { readOffsets, resetOffsets } = await import('../../src/connect/offsets');
        if (options.reset) {
          if (!(await confirm(ctx, `Stop connector '${sanitizeForTerminal(name)}' and delete its offsets?`, { yes: options.yes }))) {
            throw new CdcError('offsets not reset', { exitCode: ExitCode.RUNTIME });
          }
          const result = await resetOffsets(client, name);
          const style = stderrStyle(ctx);
          if (result.stopped) note(ctx, `${style.green('✓')} stopped ${sanitizeForTerminal(name)}`);
          note(ctx, `${style.green('✓')} ${sanitizeForTerminal(result.message || 'offsets reset')}`);
          note(ctx, `${sanitizeForTerminal(name)} stays STOPPED; start it over with: cdc connector resume ${sanitizeForTerminal(name)}`);
          if (options.json) writeJson(ctx, { name, reset: true, stopped: result.stopped, message: result.message });
          return;
        }
        const offsets = await readOffsets(client, name);
        if (options.json) {
          writeJson(ctx, { name, offsets });
          return;
        }
        if (offsets.length === 0) note(ctx, `no stored offsets for ${sanitizeForTerminal(name)} (not started yet, or reset)`);
        writeTable(
          ctx,
          ['PARTITION', 'OFFSET'],
          offsets.map((o) => [JSON.stringify(o.partition), o.offset === null ? 'null' : JSON.stringify(o.offset)]),
        );
      });
    });
}
