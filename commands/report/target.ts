/**
 * The target database (where `cdc sink postgres` writes history), as the settings resolver chose
 * it: --target-url > CDC_TARGET_URL > context targetUrl > the running stack's > default.
 */
import { Command, Option } from 'commander';
import type { Context } from '../../src/context';
import type { PgTarget } from '../../src/pg/connection';
import { addTargetOptions as addTargetConnectionOptions } from '../ui/settings-flags';

export interface TargetCliOptions {
  targetUrl?: string;
  targetSchema?: string;
}

export function addTargetOptions(command: Command): Command {
  return addTargetConnectionOptions(command)
    .addOption(new Option('--target-schema <name>', 'schema of the history tables'));
}

export async function targetFor(ctx: Context, _options: TargetCliOptions): Promise<PgTarget> {
  return ctx.settings.target;
}
