/**
 * `cdc pg check` and `cdc pg slots`: what CDC needs from PostgreSQL, and the replication slots
 * that hold its WAL.
 */
import type { Command } from 'commander';
import type { Context } from '../src/context';
import { ExitCode, ExitStatus, UsageError } from '../src/errors';
import type { PgTarget } from '../src/pg/connection';
import { parseIdentifier, parseQualifiedName } from '../src/pg/identifiers';
import type { CheckItem, CheckReport } from '../src/pg/check';
import { formatBytes, type SlotInfo } from '../src/pg/slots';
import { checkReplicationName, replicationNames } from '../src/pg/names';
import { registerSetup } from './pg/setup';
import { addPgOptions, pgTarget, withPg, type PgCliOptions } from './pg/options';
import { confirm } from './ui/confirm';
import { textFlag } from './ui/flags';
import { pgAddress } from './ui/where';
import { note, writeJson, writeTable } from './ui/output';
import { startSpinner } from './ui/spinner';
import { sanitizeForTerminal, stderrStyle, stdoutStyle } from './ui/style';

const CHECK_EXAMPLES = `
Examples:
  $ cdc pg check                                        # server settings, role, slots, publications
  $ cdc pg check --table bank.holding                   # … and what Debezium needs from that table
  $ cdc pg check --table bank.holding --name holding --fix   # apply the safe fixes (REPLICA IDENTITY FULL, publication holding_pub)
  $ cdc pg check --slot cdc_pgoutput --publication cdc_publication --table finance.orders   # after cdc pg setup
  $ cdc pg check --json | jq '.items[] | select(.status != "OK")'

Exit status: 0 when nothing FAILs (WARNs included), 6 when an item FAILs.
--fix never changes server settings or role rights and never restarts anything: those fixes are printed.`;

const SLOTS_EXAMPLES = `
Examples:
  $ cdc pg slots                                        # slots with the WAL each one retains
  $ cdc pg slots --json
  $ cdc pg slots --drop old_connector_slot --yes        # drop an inactive slot without asking`;

interface CheckOptions extends PgCliOptions {
  table?: string[];
  name?: string;
  slot?: string;
  publication?: string;
  fix?: boolean;
  json?: boolean;
}
interface SlotsOptions extends PgCliOptions {
  drop?: string;
  yes?: boolean;
  json?: boolean;
}

export function registerPg(program: Command, ctx: Context): void {
  const pg = program.command('pg').description('set up and check what CDC needs from PostgreSQL; list and drop replication slots');
  registerSetup(pg, ctx);

  addPgOptions(pg.command('check'))
    .description('check wal_level, slots, senders, role rights, publications and tables for CDC')
    .option('--table <schema.table...>', 'also check these tables (REPLICA IDENTITY, primary key, publication)')
    .option('--name <connector>', 'the connector: its slot and publication as `connector register` / `pg setup --name` name them', textFlag('--name'))
    .option('--slot <name>', "the connector's replication slot (default: from --name): checked alone, idle is fine", textFlag('--slot'))
    .option('--publication <name>', "the connector's publication (default: from --name): tables must be in it, --fix adds them", textFlag('--publication'))
    .option('--fix', 'apply the safe fixes: REPLICA IDENTITY FULL, publication membership')
    .option('--json', 'print the report as JSON on stdout')
    .addHelpText('after', CHECK_EXAMPLES)
    .action(async (options: CheckOptions) => {
      const tables = (options.table ?? []).map((t) => parseQualifiedName(t));
      if (options.name !== undefined && options.name.trim() === '') throw new UsageError('--name is empty');
      const { slot, publication } = replicationNames(options.name, {
        slot: options.slot === undefined ? undefined : checkReplicationName(options.slot, '--slot'),
        publication: options.publication === undefined ? undefined : parseIdentifier(options.publication, 'publication'),
      });
      const target = await pgTarget(ctx, options);
      const { runPgCheck } = await import('../src/pg/check');
      const spinner = startSpinner(ctx, `Checking ${target.display}`, { json: options.json });
      let report: CheckReport;
      try {
        report = await withPg(target, (client) => runPgCheck(client, { tables, publication, slot, fix: Boolean(options.fix) }));
      } finally {
        spinner.stop();
      }
      if (options.json) writeJson(ctx, { target: target.display, ...report });
      else renderCheck(ctx, target, report);
      const applied = report.fixes.filter((f) => f.ok).length;
      if (applied > 0) note(ctx, `${applied} fix${applied === 1 ? '' : 'es'} applied at ${pgAddress(target)}`);
      if (report.counts.FAIL > 0) throw new ExitStatus(ExitCode.FAILED);
    });

  addPgOptions(pg.command('slots'))
    .description('list replication slots with the WAL each retains; drop an inactive one')
    .option('--drop <name>', 'drop this inactive slot')
    .option('-y, --yes', 'do not ask before dropping')
    .option('--json', 'print the slots as JSON on stdout')
    .addHelpText('after', SLOTS_EXAMPLES)
    .action(async (options: SlotsOptions) => {
      if (options.drop !== undefined) checkReplicationName(options.drop, '--drop slot');
      const target = await pgTarget(ctx, options);
      const { listSlots, findSlot, dropSlot } = await import('../src/pg/slots');
      await withPg(target, async (client) => {
        if (options.drop !== undefined) {
          const slot = await findSlot(client, options.drop);
          const question = `Drop replication slot ${slot.name} (${slot.active ? 'ACTIVE' : 'inactive'}, retains ${formatBytes(slot.retainedBytes)})? A connector using it must snapshot again.`;
          if (!slot.active && !(await confirm(ctx, question, { yes: options.yes }))) {
            note(ctx, 'Nothing dropped.');
            return;
          }
          const dropped = await dropSlot(client, options.drop);
          if (options.json) writeJson(ctx, { dropped: slotJson(dropped) });
          note(ctx, `${stderrStyle(ctx).green('✔')} dropped replication slot ${sanitizeForTerminal(dropped.name)} at ${pgAddress(target)}`);
          return;
        }
        const slots = await listSlots(client);
        if (options.json) return writeJson(ctx, slots.map(slotJson));
        if (slots.length === 0 && ctx.stdoutIsTTY) return note(ctx, `No replication slots on ${target.display}.`);
        // Names come from the server, possibly made by anyone: no control characters reach the terminal.
        writeTable(
          ctx,
          ['SLOT', 'PLUGIN', 'TYPE', 'DATABASE', 'ACTIVE', 'RETAINED WAL', 'WAL STATUS'],
          slots.map((s) =>
            [
              s.name,
              s.plugin ?? '-',
              s.type,
              s.database ?? '-',
              s.active ? `yes (pid ${s.activePid})` : 'no',
              ctx.stdoutIsTTY ? formatBytes(s.retainedBytes) : String(s.retainedBytes ?? ''),
              s.walStatus ?? '-',
            ].map(sanitizeForTerminal),
          ),
        );
      });
    });
}

function slotJson(s: SlotInfo) {
  return {
    name: s.name,
    plugin: s.plugin,
    type: s.type,
    database: s.database,
    active: s.active,
    activePid: s.activePid,
    retainedBytes: s.retainedBytes,
    walStatus: s.walStatus,
    restartLsn: s.restartLsn,
    confirmedFlushLsn: s.confirmedFlushLsn,
  };
}

function renderCheck(ctx: Context, target: PgTarget, report: CheckReport): void {
  const label = (item: CheckItem) => (item.subject ? `${item.check} ${item.subject}` : item.check);
  if (!ctx.stdoutIsTTY) {
    // Piped: one item per line, tab-separated: status, check, subject, detail, fix.
    for (const item of report.items)
      ctx.stdout.write(
        [item.status, item.check, item.subject ?? '', item.detail, item.fix ?? ''].map((c) => sanitizeForTerminal(c.replace(/[\t\n]/g, ' '))).join('\t') + '\n',
      );
  } else {
    const style = stdoutStyle(ctx);
    const paint = { OK: style.green, WARN: style.yellow, FAIL: style.red };
    const width = Math.max(...report.items.map((i) => label(i).length));
    ctx.stdout.write(`${style.bold(`PostgreSQL ${report.serverVersion}`)} at ${target.display} as ${report.user}\n`);
    for (const item of report.items) {
      ctx.stdout.write(
        `${paint[item.status](item.status.padEnd(4))}  ${sanitizeForTerminal(label(item).padEnd(width))}  ${sanitizeForTerminal(item.detail)}\n`,
      );
      if (item.fix && item.status !== 'OK')
        ctx.stdout.write(
          `${' '.repeat(width + 8)}${style.dim('fix:')} ${sanitizeForTerminal(item.fix)}${item.fixable ? style.dim(' (--fix applies it)') : ''}\n`,
        );
    }
  }
  const style = stderrStyle(ctx);
  for (const fix of report.fixes) note(ctx, fix.ok ? `${style.green('fixed:')} ${fix.sql}` : `${style.red('fix failed:')} ${fix.sql}: ${fix.error}`);
  const { OK, WARN, FAIL } = report.counts;
  note(ctx, `${OK} OK, ${WARN} WARN, ${FAIL} FAIL`);
}
