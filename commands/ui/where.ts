/**
 * Saying where: the one line a writing command prints about the database it wrote into, and the
 * hint that a local `cdc stack` runs somewhere else than the service a command could not reach.
 * Never a password: addresses are host:port/database, URLs go through maskConnectionString.
 */
import type { Context } from '../../src/context';
import { maskConnectionString } from '../../src/secrets';
import type { PgTarget } from '../../src/settings';

/** 127.0.0.1:15432/postgres (and "(the running cdc stack)" when that is where it came from). */
export function pgAddress(target: PgTarget): string {
  const host = target.host.includes(':') || target.host.startsWith('/') ? `[${target.host}]` : target.host;
  return `${host}:${target.port}/${target.database}${target.layer === 'stack' ? ' (the running cdc stack)' : ''}`;
}

/** The Kafka Connect worker a command wrote to: its URL (never credentials), and whether it is the stack's. */
export function connectAddress(ctx: Context): string {
  const url = ctx.settings.connect.url;
  return `${url.value}${url.layer === 'stack' ? ' (the running cdc stack)' : ''}`;
}

const NAMES = { connect: 'Kafka Connect', kafka: 'Kafka', pg: 'PostgreSQL' } as const;

/**
 * For a service that did not answer: when a local stack is recorded as running and the command
 * was pointed elsewhere, where the stack has that service and what chose the other address. When
 * the stack itself was the target, that it is recorded as running but did not answer.
 */
export function stackHint(ctx: Context, service: 'connect' | 'kafka' | 'pg'): string | undefined {
  try {
    const stack = ctx.settings.stack;
    if (!stack) return undefined;
    const used =
      service === 'connect'
        ? { value: ctx.settings.connect.url.value, layer: ctx.settings.connect.url.layer, source: ctx.settings.connect.url.source }
        : service === 'kafka'
          ? { value: ctx.settings.kafka.brokers.value.join(','), layer: ctx.settings.kafka.brokers.layer, source: ctx.settings.kafka.brokers.source }
          : { value: ctx.settings.pg.display, layer: ctx.settings.pg.layer, source: ctx.settings.pg.source };
    const there = service === 'connect' ? stack.connectUrl : service === 'kafka' ? stack.brokers : stack.pgUrl && maskConnectionString(stack.pgUrl);
    if (!there) return undefined;
    if (used.layer === 'stack') {
      return `the cdc stack in ${stack.dir} is recorded as running but its ${NAMES[service]} did not answer: see \`cdc stack status\``;
    }
    return (
      `a cdc stack is running (${stack.dir}) with ${NAMES[service]} at ${there}; this command used ${maskConnectionString(used.value)} (from ${used.source}). ` +
      'To use the stack, leave that setting out or run eval "$(cdc stack env)"'
    );
  } catch {
    return undefined;
  }
}
