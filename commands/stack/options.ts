/** Options shared by every `cdc stack` subcommand: the stack folder and the four ports. */
import * as path from 'node:path';
import type { Command } from 'commander';
import type { Context } from '../../src/context';
import { maskConnectionString } from '../../src/secrets';
import type { StackSettings, StackUrls } from '../../src/stack/settings';

export interface PortFlags {
  dir?: string;
  pgPort?: string;
  kafkaPort?: string;
  controllerPort?: string;
  connectPort?: string;
  json?: boolean;
}

export function withStackOptions(command: Command): Command {
  return command
    .option('--dir <folder>', 'stack folder for jars, data, logs and pid files (env CDC_STACK_DIR; default .stack/ in the cdc folder)')
    .option('--pg-port <port>', 'PostgreSQL port (env CDC_STACK_PG_PORT; default 15432)')
    .option('--kafka-port <port>', 'Kafka broker port (env CDC_STACK_KAFKA_PORT; default 19092)')
    .option('--controller-port <port>', 'KRaft controller port (env CDC_STACK_CONTROLLER_PORT; default 19093)')
    .option('--connect-port <port>', 'Kafka Connect REST port (env CDC_STACK_CONNECT_PORT; default 18083)');
}

/** flag > env > the ports of the stack recorded as running > default. */
export async function settingsFor(ctx: Context, flags: PortFlags): Promise<StackSettings> {
  const { resolveStackSettings, defaultStackDir } = await import('../../src/stack/settings');
  const { stackLayout } = await import('../../src/stack/layout');
  const { readState } = await import('../../src/stack/state');
  const dir = flags.dir ?? defaultStackDir(ctx.env);
  const running = readState(stackLayout(path.resolve(dir)))?.ports;
  return resolveStackSettings(
    { dir, pg: flags.pgPort, kafka: flags.kafkaPort, controller: flags.controllerPort, connect: flags.connectPort },
    ctx.env,
    running,
  );
}

/** The stack's URLs for printing: passwords masked. */
export function maskUrls(urls: StackUrls): StackUrls {
  return { ...urls, pgUrl: maskConnectionString(urls.pgUrl), targetUrl: maskConnectionString(urls.targetUrl) };
}
