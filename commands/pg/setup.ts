/**
 * `cdc pg setup`: the replication role, publication, slot and replica identity a connector needs,
 * made once by a DBA; idempotent; --dry-run prints the SQL (password masked).
 */
import type { Command } from 'commander';
import type { Context } from '../../src/context';
import { UsageError } from '../../src/errors';
import type { PgTarget } from '../../src/pg/connection';
import { parseQualifiedName, type QualifiedName } from '../../src/pg/identifiers';
import { checkReplicationName, replicationNames } from '../../src/pg/names';
import type { SetupReport } from '../../src/pg/setup';
import { note, writeJson } from '../ui/output';
import { sanitizeForTerminal, stderrStyle } from '../ui/style';
import { addPgOptions, pgTarget, withPg, type PgCliOptions } from './options';

interface SetupCliOptions extends PgCliOptions {
  name?: string;
  slot?: string;
  publication?: string;
  tables?: string[];
  user?: string;
  passwordEnv?: string;
  replicaIdentityFull?: boolean;
  dryRun?: boolean;
  json?: boolean;
}

const EXAMPLES = `
Examples:
  $ CDC_PW=… cdc pg setup --name finance --tables finance.customers,finance.products,finance.orders,finance.order_items \\
      --user cdc_user --password-env CDC_PW --replica-identity-full
  $ cdc pg setup --slot cdc_pgoutput --publication cdc_publication --tables finance.orders --dry-run
  $ cdc pg check --name finance --table finance.orders --pg-url postgres://cdc_user@127.0.0.1:15432/postgres

Names: --name CONNECTOR gives the slot and publication that \`cdc connector register CONNECTOR\`
uses (slot CONNECTOR, publication CONNECTOR_pub); --slot and --publication choose others, which
register then takes with --slot and --publication. Running it again changes nothing that is in place.
The role gets LOGIN, REPLICATION, CONNECT, USAGE on the schemas and SELECT on the tables: no
ownership, since the publication is made here.`;

/** `--tables a,b --tables c`: comma-separated, commas inside double quotes kept. */
export function splitTables(values: string[]): QualifiedName[] {
  const names: string[] = [];
  for (const value of values) {
    let current = '';
    let quoted = false;
    for (const ch of value) {
      if (ch === '"') quoted = !quoted;
      if (ch === ',' && !quoted) {
        names.push(current.trim());
        current = '';
      } else current += ch;
    }
    names.push(current.trim());
  }
  return names.map((n) => parseQualifiedName(n));
}

export function registerSetup(pg: Command, ctx: Context): void {
  addPgOptions(pg.command('setup'))
    .description('create the replication role, publication and slot for CDC (idempotent; --dry-run prints the SQL)')
    .option('--name <connector>', 'connector name: slot and publication named as `connector register` names them')
    .option('--slot <name>', 'replication slot (pgoutput) to create (default: from --name)')
    .option('--publication <name>', 'publication to create or extend (default: from --name)')
    .option('--tables <schema.table,…>', 'tables to capture, comma-separated (repeatable); also --table', (v: string, p: string[] = []) => [...p, v])
    .option('--table <schema.table>', 'a table to capture (repeatable)', (v: string, p: string[] = []) => [...p, v])
    .option('--user <role>', 'replication role to create or complete, with only the rights Debezium needs')
    .option('--password-env <VAR>', "the role's password, from this environment variable (never on the command line)")
    .option('--replica-identity-full', 'set REPLICA IDENTITY FULL on the tables (updates and deletes carry the whole old row)')
    .option('--dry-run', 'print the SQL that would run (password masked); change nothing')
    .option('--json', 'print the report as JSON on stdout')
    .addHelpText('after', EXAMPLES)
    .action(async (options: SetupCliOptions & { table?: string[] }) => {
      const tables = splitTables([...(options.tables ?? []), ...(options.table ?? [])]);
      if (tables.length === 0) throw new UsageError('name the tables to capture with --tables schema.table,…');
      if (options.name !== undefined && options.name.trim() === '') throw new UsageError('--name is empty');
      const names = replicationNames(options.name, {
        slot: options.slot === undefined ? undefined : checkReplicationName(options.slot, '--slot'),
        publication: options.publication === undefined ? undefined : checkReplicationName(options.publication, '--publication'),
      });
      if (!names.slot || !names.publication) {
        throw new UsageError('name the slot and publication: --name CONNECTOR (as `connector register CONNECTOR` names them), or --slot and --publication');
      }
      if (options.passwordEnv !== undefined && options.user === undefined) throw new UsageError('--password-env sets the password of --user: give --user too');
      if (options.user !== undefined && options.user === '') throw new UsageError('--user is empty');
      let password: string | undefined;
      if (options.passwordEnv !== undefined) {
        password = ctx.env[options.passwordEnv];
        if (!password) throw new UsageError(`--password-env ${options.passwordEnv}: that environment variable is ${password === '' ? 'empty' : 'not set'}`);
      }
      const target = await pgTarget(ctx, options);
      const { runSetup } = await import('../../src/pg/setup');
      const report = await withPg(target, (client) =>
        runSetup(client, {
          tables,
          slot: names.slot as string,
          publication: names.publication as string,
          user: options.user === undefined ? undefined : { name: options.user, password },
          replicaIdentityFull: Boolean(options.replicaIdentityFull),
          dryRun: Boolean(options.dryRun),
        }),
      );
      if (options.json) writeJson(ctx, { target: target.display, ...report });
      else render(ctx, target, report, options.name);
    });
}

function render(ctx: Context, target: PgTarget, report: SetupReport, name: string | undefined): void {
  const style = stderrStyle(ctx);
  if (report.dryRun) {
    // The plan is the data: SQL on stdout, runnable in psql except for the masked password.
    ctx.stdout.write(`-- cdc pg setup on ${target.display}${report.statements.length ? ' (password masked)' : ': nothing to change'}\n`);
    for (const s of report.statements) ctx.stdout.write(`-- ${s.why}\n${s.sql};\n`);
  } else {
    for (const s of report.statements) note(ctx, `${style.green('✔')} ${sanitizeForTerminal(s.why)}`);
    for (const u of report.unchanged) note(ctx, `${style.dim('·')} ${sanitizeForTerminal(u)} ${style.dim('(already)')}`);
    note(ctx, report.statements.length ? `done on ${target.display}` : `nothing to change on ${target.display}`);
  }
  const who = report.user ? ` --user ${report.user} --password-env VAR` : '';
  // --publication also tells register that the publication exists (Debezium must not change it).
  note(
    ctx,
    `next: cdc connector register ${name ?? 'CONNECTOR'} --table ${report.tables.join(' --table ')}${who} --slot ${report.slot} --publication ${report.publication}`,
  );
  note(
    ctx,
    `      cdc pg check --slot ${report.slot} --publication ${report.publication} --table ${report.tables.join(' --table ')}${report.user ? ` (as ${report.user}: --pg-url postgres://${report.user}@…)` : ''}`,
  );
}
