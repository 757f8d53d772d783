/** Flags `cdc sink postgres` and `cdc sink status` share, and their checks. */
import { Command, Option } from 'commander';
import type { Context } from '../../src/context';
import { UsageError } from '../../src/errors';
import { resolvePgTarget, type PgTarget } from '../../src/pg/connection';
import { verbose } from '../ui/output';

export const DEFAULT_GROUP = 'cdc-sink-postgres';

export function addKafkaOptions(command: Command): Command {
  return command
    .option('--brokers <list>', 'Kafka bootstrap servers (env CDC_BROKERS; default localhost:9092)')
    .option('--ssl', 'connect with TLS (env CDC_KAFKA_SSL=1)')
    .option('--ca-file <pem>', 'CA certificate(s) to trust (implies --ssl)')
    .option('--cert-file <pem>', 'client certificate for mutual TLS (with --key-file)')
    .option('--key-file <pem>', 'client private key for mutual TLS')
    .option('--insecure', 'TLS without verifying the server certificate (test clusters only)')
    .option('--sasl-mechanism <name>', 'plain, scram-sha-256 or scram-sha-512 (env CDC_KAFKA_SASL_MECHANISM); the password is read from CDC_KAFKA_PASSWORD')
    .option('--sasl-username <name>', 'SASL user (env CDC_KAFKA_SASL_USERNAME)');
}

export function addTargetUrlOption(command: Command): Command {
  return command.addOption(new Option('--target-url <url>', 'target PostgreSQL URL (env CDC_TARGET_URL; `cdc stack env` exports the stack\'s analytics database)'));
}

/**
 * --target-url > CDC_TARGET_URL. Never DATABASE_URL: that is the source, and history written there
 * by accident is worse than a clear error.
 */
export async function sinkTarget(ctx: Context, targetUrl: string | undefined): Promise<PgTarget> {
  const url = targetUrl || ctx.env.CDC_TARGET_URL;
  if (!url) throw new UsageError('no target database: pass --target-url or set CDC_TARGET_URL', 'with the local stack: eval "$(cdc stack env)" exports CDC_TARGET_URL');
  const target = await resolvePgTarget({}, { pgUrl: url });
  verbose(ctx, `target PostgreSQL: ${target.display} (from ${targetUrl ? 'flag' : 'env:CDC_TARGET_URL'})`);
  return target;
}

export function wholeNumber(text: string, flag: string, min: number, max: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || n < min || n > max) throw new UsageError(`${flag} must be a whole number from ${min} to ${max}, got '${text}'`);
  return n;
}
