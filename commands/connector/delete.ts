/**
 * `cdc connector delete NAME`: asks on a TTY (unless --yes), deletes, then says what is left
 * behind: stored offsets, the replication slot and the publication.
 */
import type { Command } from 'commander';
import type { Context } from '../../src/context';
import { CdcError, ExitCode } from '../../src/errors';
import type { ConnectFlags } from '../../src/connect/connection';
import type { DeleteReport } from '../../src/connect/delete';
import { confirm } from '../ui/confirm';
import { note, writeJson } from '../ui/output';
import { sanitizeForTerminal, stderrStyle } from '../ui/style';
import { addConnectOptions, withClient, connectorName } from './common';
import { formatBytes } from '../../src/bytes';

interface Options extends ConnectFlags {
  yes?: boolean;
  dropSlot?: boolean;
  dropPublication?: boolean;
  json?: boolean;
}

export function registerDeleteCommand(parent: Command, ctx: Context): void {
  const command = parent
    .command('delete')
    .alias('rm')
    .description('delete a connector and report what it leaves behind (offsets, replication slot, publication)')
    .argument('<name>', 'connector name', connectorName)
    .option('-y, --yes', 'do not ask for confirmation')
    .option('--drop-slot', "also drop the connector's replication slot (it holds WAL back) using its database.* settings")
    .option('--drop-publication', "also drop the connector's publication")
    .option('--json', 'print the report as JSON on stdout');
  addConnectOptions(command)
    .addHelpText(
      'after',
      `
Examples:
  cdc connector delete holding                 # asks first on a terminal; elsewhere exit 2: pass --yes
  cdc connector delete holding --yes --drop-slot --drop-publication

Connect keeps a deleted connector's offsets: re-creating it under the same name resumes from them
without a new snapshot. PostgreSQL keeps its replication slot, which retains WAL until dropped.`,
    )
    .action(async (name: string, options: Options) => {
      await withClient(ctx, options, async (client) => {
        // A name that does not exist is not found (exit 4) before anything is asked.
        const info = await client.connector(name);
        if (!(await confirm(ctx, `Delete connector '${sanitizeForTerminal(name)}' at ${client.url}?`, { yes: options.yes }))) {
          throw new CdcError('not deleted', { exitCode: ExitCode.RUNTIME });
        }
        const { deleteConnector } = await import('../../src/connect/delete');
        const report = await deleteConnector(
          client,
          name,
          { env: ctx.env, dropSlot: options.dropSlot, dropPublication: options.dropPublication, own: () => ctx.settings.pg },
          info,
        );
        note(ctx, `${stderrStyle(ctx).green('✓')} deleted ${sanitizeForTerminal(name)}`);
        if (options.json) writeJson(ctx, report);
        else for (const line of leftoverLines(report)) note(ctx, sanitizeForTerminal(line));
      });
    });
}

export function leftoverLines(report: DeleteReport): string[] {
  const lines: string[] = [];
  if (report.storedOffsets === undefined || report.storedOffsets > 0) {
    const count = report.storedOffsets === undefined ? '' : ` (${report.storedOffsets} source partition${report.storedOffsets === 1 ? '' : 's'})`;
    lines.push(`- stored offsets${count} stay in the worker's offsets topic: re-creating '${report.name}' resumes from them without a new snapshot`);
  }
  if (report.type === 'sink') {
    lines.push(`- consumer group 'connect-${report.name}' keeps its committed offsets (unless the config overrides the group id)`);
  }
  const pg = report.postgres;
  if (pg) {
    const dropSlot = `SELECT pg_drop_replication_slot('${pg.slot.name}');`;
    const dropPub = `DROP PUBLICATION "${pg.publication.name}";`;
    if (!pg.checked) {
      lines.push(`- could not check PostgreSQL ${pg.database}: ${pg.reason ?? 'unknown reason'}`);
      lines.push(`  check there: SELECT slot_name, active FROM pg_replication_slots WHERE slot_name = '${pg.slot.name}';`);
      lines.push(`               SELECT pubname FROM pg_publication WHERE pubname = '${pg.publication.name}';`);
      lines.push(`  and drop what you no longer need: ${dropSlot}  ${dropPub}`);
    } else {
      if (pg.slot.exists) {
        const retained = pg.slot.retainedBytes ? `, retains ${formatBytes(pg.slot.retainedBytes)} of WAL` : '';
        lines.push(
          `- replication slot '${pg.slot.name}' remains on ${pg.database} (${pg.slot.active ? 'still active' : 'inactive'}${retained}); it holds WAL back until dropped: ${dropSlot}`,
        );
      }
      if (pg.publication.exists) lines.push(`- publication '${pg.publication.name}' remains on ${pg.database}: ${dropPub}`);
    }
  }
  const done = [
    ...(pg?.dropped?.slot ? [`dropped replication slot '${pg.slot.name}'`] : []),
    ...(pg?.dropped?.publication ? [`dropped publication '${pg.publication.name}'`] : []),
  ];
  return [...done, ...(lines.length ? ['left behind:', ...lines] : ['nothing left behind'])];
}
