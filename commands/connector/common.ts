/**
 * What every `cdc connector` subcommand shares: the connection options, opening the client (with
 * --verbose request logging), and scrubbing secrets from any error on its way out.
 */
import type { Command } from 'commander';
import type { Context } from '../../src/context';
import type { ConnectClient } from '../../src/connect/client';
import type { ConnectFlags } from '../../src/connect/connection';
import type { Redactor } from '../../src/secrets';
import { verbose } from '../ui/output';
import { UsageError } from '../../src/errors';
import { fileFlag, repeatable, secondsFlag, textFlag } from '../ui/flags';
import { redactorFor } from '../ui/redact';
import { declareSettingsFlags } from '../ui/settings-flags';

export function addConnectOptions(command: Command): Command {
  return declareSettingsFlags(command, 'connect')
    .option(
      '--connect-url <url>',
      'Kafka Connect REST URL (env CDC_CONNECT_URL; else the config context, the running `cdc stack`, http://localhost:8083)',
      textFlag('--connect-url'),
    )
    .option('--connect-user <name>', 'basic-auth user (env CDC_CONNECT_USER); the password comes from CDC_CONNECT_PASSWORD', textFlag('--connect-user'))
    .option('--ca-file <pem>', 'CA certificate(s) to trust for an https:// worker', fileFlag('--ca-file'))
    .option('--cert-file <pem>', 'client certificate for mutual TLS', fileFlag('--cert-file'))
    .option('--key-file <pem>', 'private key of the client certificate', fileFlag('--key-file'))
    .option('--timeout <seconds>', 'time limit per request', secondsFlag('--timeout'), 60);
}

/** Opens the client, runs `fn`, and redacts every secret the client saw from a thrown error. */
export async function withClient<T>(ctx: Context, flags: ConnectFlags, fn: (client: ConnectClient) => Promise<T>): Promise<T> {
  const redactor = redactorFor(ctx);
  try {
    const { connectOptions, createConnectClient } = await import('../../src/connect/connection');
    const options = connectOptions(ctx.settings.connect, flags);
    const client = await createConnectClient(options, redactor, {
      onRequest: (e) =>
        verbose(
          ctx,
          `${e.method} ${e.path} → ${e.status ?? 'no answer'} (${e.ms} ms${e.attempt > 1 ? `, attempt ${e.attempt}` : ''})${e.retrying ? ` retrying: ${e.retrying}` : ''}`,
        ),
    });
    return await fn(client);
  } catch (err) {
    throw scrubError(err, redactor);
  }
}

function scrubError(err: unknown, redactor: Redactor): unknown {
  if (!(err instanceof Error)) return err;
  err.message = redactor.redact(err.message);
  const e = err as Error & { hint?: string; cause?: unknown };
  if (typeof e.hint === 'string') (e as { hint?: string }).hint = redactor.redact(e.hint);
  if (e.cause instanceof Error) {
    e.cause.message = redactor.redact(e.cause.message);
    if (e.cause.stack) e.cause.stack = redactor.redact(e.cause.stack);
  } else if (e.cause !== undefined) {
    Object.defineProperty(e, 'cause', { value: redactor.redact(String(e.cause)) });
  }
  if (err.stack) err.stack = redactor.redact(err.stack);
  return err;
}

/**
 * A connector name given on the command line: Kafka Connect refuses (or, in a URL path,
 * misreads) empty names, '/', control characters and surrounding spaces; refused here as usage errors.
 */
export function connectorName(text: string): string {
  const bad =
    text.trim() === ''
      ? 'is empty'
      : text.includes('/')
        ? "contains '/'"
        : /[\u0000-\u001f\u007f-\u009f]/.test(text)
          ? 'contains control characters'
          : text.trim() !== text
            ? 'has leading or trailing spaces'
            : undefined;
  if (bad) throw new UsageError(`the connector name ${JSON.stringify(text)} ${bad}`, 'connector names are letters, digits, - and _');
  return text;
}

/** For `<names...>`: each name checked, all collected. */
export const connectorNames = repeatable(connectorName);

/** Commander's collector for repeatable options. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Reads all of stdin as text. */
export async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}
