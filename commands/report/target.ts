/**
 * The flags `cdc report` and `cdc serve` share: the target database (resolved once by the settings
 * resolver, as for the sinks) and the schema of the history tables.
 */
import { type Command, Option } from 'commander';
import type { Context } from '../../src/context';
import type { PgTarget } from '../../src/settings';
import { addTargetOptions as addTargetConnectionOptions } from '../ui/settings-flags';

export interface TargetCliOptions {
  targetSchema?: string;
}

export function addTargetOptions(command: Command): Command {
  return addTargetConnectionOptions(command).addOption(new Option('--target-schema <name>', 'schema of the history tables'));
}

export function targetFor(ctx: Context): PgTarget {
  return ctx.settings.target;
}
