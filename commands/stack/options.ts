/** Options shared by every `cdc stack` subcommand: the stack folder, the ports and the extras. */
import * as path from 'node:path';
import type { Command } from 'commander';
import { textFlag } from '../ui/flags';
import type { Context } from '../../src/context';
import { maskConnectionString } from '../../src/secrets';
import type { StackSettings, StackUrls } from '../../src/stack/settings';

export interface PortFlags {
  dir?: string;
  pgPort?: string;
  kafkaPort?: string;
  controllerPort?: string;
  connectPort?: string;
  s3Port?: string;
  mongoPort?: string;
  with?: string;
  json?: boolean;
}

export function withStackOptions(command: Command): Command {
  return command
    .option('--dir <folder>', 'stack folder for jars, data, logs and pid files (env CDC_STACK_DIR; default .stack/ in a cdc checkout, else $XDG_STATE_HOME/cdc/stack, ~/.local/state/cdc/stack)', textFlag('--dir'))
    .option('--pg-port <port>', 'PostgreSQL port (env CDC_STACK_PG_PORT; default 15432)')
    .option('--kafka-port <port>', 'Kafka broker port (env CDC_STACK_KAFKA_PORT; default 19092)')
    .option('--controller-port <port>', 'KRaft controller port (env CDC_STACK_CONTROLLER_PORT; default 19093)')
    .option('--connect-port <port>', 'Kafka Connect REST port (env CDC_STACK_CONNECT_PORT; default 18083)')
    .option('--s3-port <port>', 'S3 API port, with --with s3 (env CDC_STACK_S3_PORT; default 19000)')
    .option('--mongo-port <port>', 'MongoDB port, with --with mongo (env CDC_STACK_MONGO_PORT; default 17017)');
}

/**
 * Ports: flag > env > the stack recorded as running > default. Extras: `--with` > CDC_STACK_WITH >
 * the running stack's > the config context's `stackWith` > none; `status`, `env` and `down`
 * (`preferRunning`) describe what runs, so the running stack's extras come first for them.
 */
export async function settingsFor(ctx: Context, flags: PortFlags, options: { preferRunning?: boolean } = {}): Promise<StackSettings> {
  const { resolveStackSettings, defaultStackDir } = await import('../../src/stack/settings');
  const { stackLayout } = await import('../../src/stack/layout');
  const { readState } = await import('../../src/stack/state');
  const { contextSettings, readConfigFile } = await import('../../src/config/config-file');
  const dir = flags.dir ?? defaultStackDir(ctx.env);
  const running = readState(stackLayout(path.resolve(dir)));
  const contextWith = contextSettings(await readConfigFile(ctx.env), ctx.configContext).stackWith;
  const runningWith = options.preferRunning && running?.with ? running.with.join(',') : undefined;
  return resolveStackSettings(
    {
      dir, pg: flags.pgPort, kafka: flags.kafkaPort, controller: flags.controllerPort, connect: flags.connectPort,
      s3: flags.s3Port, mongo: flags.mongoPort, with: flags.with ?? runningWith, contextWith,
    },
    ctx.env,
    running,
  );
}

/** The stack's URLs for printing: passwords masked. */
export function maskUrls(urls: StackUrls): StackUrls {
  return { ...urls, pgUrl: maskConnectionString(urls.pgUrl), targetUrl: maskConnectionString(urls.targetUrl) };
}

/** `cdc stack env`'s variables for showing (status): URL passwords and the S3 secret masked. */
export function maskEnv(env: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).map(([name, value]) => [name, name === 'AWS_SECRET_ACCESS_KEY' ? '********' : maskConnectionString(value)]));
}
