/**
 * The target database (where `cdc sink postgres` writes history): --target-url > CDC_TARGET_URL.
 * TODO(settings): replaced by ctx.settings once the one resolver lands.
 */
import { Command, Option } from 'commander';
import type { Context } from '../../src/context';
import { resolvePgTarget, type PgTarget } from '../../src/pg/connection';
import { verbose } from '../ui/output';

export interface TargetCliOptions {
  targetUrl?: string;
  targetSchema?: string;
}

export function addTargetOptions(command: Command): Command {
  return command
    .addOption(new Option('--target-url <url>', 'target PostgreSQL URL (else CDC_TARGET_URL, the context, the running stack)'))
    .addOption(new Option('--target-schema <name>', 'schema of the history tables'));
}

export async function targetFor(ctx: Context, options: TargetCliOptions): Promise<PgTarget> {
  const url = options.targetUrl || ctx.env.CDC_TARGET_URL;
  const target = await resolvePgTarget(ctx.env, { pgUrl: url }, ctx.configContext);
  verbose(ctx, `target PostgreSQL: ${target.display} (from ${url ? (options.targetUrl ? 'flag' : 'env:CDC_TARGET_URL') : target.source})`);
  return target;
}
