/**
 * Connection options every Postgres-facing command (`cdc pg`, `cdc seed`) shares, and the one
 * place they become a target; number parsers for their flags.
 */
import { Command, Option } from 'commander';
import type { Context } from '../../src/context';
import { UsageError } from '../../src/errors';
import { withPg, type PgTarget } from '../../src/pg/connection';
import { declareSettingsFlags } from '../ui/settings-flags';

export interface PgCliOptions {
  pgUrl?: string;
  database?: string;
}

export function addPgOptions(command: Command): Command {
  return declareSettingsFlags(command, 'pg')
    .addOption(new Option('--pg-url <url>', 'PostgreSQL URL (else DATABASE_URL, PG* variables, the config context, the running `cdc stack`, postgres://postgres:…@localhost:5432/postgres)'))
    .addOption(new Option('--database <name>', 'database to use instead of the one in the URL'));
}

export { withPg };

/** The source database, as resolved before the action (the flags in `options` were part of it). */
export async function pgTarget(ctx: Context, _options: PgCliOptions): Promise<PgTarget> {
  return ctx.settings.pg;
}

export function positiveInt(name: string, min = 1): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min) throw new UsageError(`${name} must be an integer ≥ ${min}, got ${JSON.stringify(value)}`);
    return n;
  };
}

/** Rates may be fractional: 0.5 rows/s is one row every two seconds. */
export function positiveNumber(name: string): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${name} must be a number > 0, got ${JSON.stringify(value)}`);
    return n;
  };
}
