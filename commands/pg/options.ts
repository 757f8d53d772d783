/**
 * Connection options every Postgres-facing command (`cdc pg`, `cdc seed`) shares, and the one
 * place they become a target (number flags: commands/ui/flags.ts).
 */
import { type Command, Option } from 'commander';
import type { Context } from '../../src/context';
import { withPg, type PgTarget } from '../../src/pg/connection';
import { textFlag } from '../ui/flags';
import { declareSettingsFlags } from '../ui/settings-flags';

export interface PgCliOptions {
  pgUrl?: string;
  database?: string;
}

export function addPgOptions(command: Command): Command {
  return declareSettingsFlags(command, 'pg')
    .addOption(
      new Option(
        '--pg-url <url>',
        'PostgreSQL URL (else DATABASE_URL, PG* variables, the config context, the running `cdc stack`, postgres://postgres:…@localhost:5432/postgres)',
      ).argParser(textFlag('--pg-url')),
    )
    .addOption(new Option('--database <name>', 'database to use instead of the one in the URL').argParser(textFlag('--database')));
}

export { withPg };

/** The source database, as resolved before the action (the flags in `options` were part of it). */
export async function pgTarget(ctx: Context, _options: PgCliOptions): Promise<PgTarget> {
  return ctx.settings.pg;
}
