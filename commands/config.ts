/**
 * `cdc config`: named contexts (one per environment) in the config file, kubectl-style.
 */
import type { Command } from 'commander';
import type { Context } from '../src/context';
import { note, warn, writeJson, writeLine, writeTable } from './ui/output';
import { stderrStyle } from './ui/style';

interface SetOptions {
  connectUrl?: string;
  connectUser?: string;
  connectPasswordEnv?: string;
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  brokers?: string;
  pgUrl?: string;
  targetUrl?: string;
  mongoUrl?: string;
  s3Endpoint?: string;
  s3Region?: string;
  s3AccessKeyId?: string;
  s3SecretAccessKeyEnv?: string;
  unset?: string[];
  use?: boolean;
}

const EXAMPLES = `
Examples:
  cdc config set-context local --connect-url http://localhost:8083 --brokers localhost:9092 --use
  cdc config set-context prod --connect-url https://connect.prod:8443 --connect-user ops \\
      --connect-password-env PROD_CONNECT_PASSWORD --ca-file /etc/ssl/prod-ca.pem
  cdc config use-context prod
  cdc --context local connector list
  cdc config get-contexts

The file is $CDC_CONFIG, else $XDG_CONFIG_HOME/cdc/config.json, else ~/.config/cdc/config.json,
written with mode 0600. Passwords never go on the command line: a context names the environment
variable that holds one.`;

export function registerConfig(program: Command, ctx: Context): void {
  const config = program
    .command('config')
    .description('manage named contexts (Connect URL, brokers, PostgreSQL URL, TLS) in the config file')
    .addHelpText('after', EXAMPLES);

  const load = () => import('../src/config/contexts');

  config
    .command('path')
    .description('print the config file location')
    .action(async () => {
      const { configPath } = await import('../src/config/config-file');
      writeLine(ctx, configPath(ctx.env));
    });

  config
    .command('get-contexts')
    .alias('contexts')
    .description('list the contexts; * marks the current one')
    .option('--json', 'print JSON on stdout')
    .action(async (options: { json?: boolean }) => {
      const { listContexts, presentSettings, looseFileMode } = await load();
      const rows = await listContexts(ctx.env);
      const mode = await looseFileMode(ctx.env);
      if (mode) warn(ctx, `the config file has mode ${mode}; it may hold credentials: chmod 600 it`);
      if (options.json) {
        writeJson(
          ctx,
          rows.map((r) => ({ name: r.name, current: r.current, ...presentSettings(r.settings) })),
        );
        return;
      }
      if (rows.length === 0) note(ctx, 'no contexts yet: cdc config set-context NAME --connect-url URL');
      writeTable(
        ctx,
        ['CURRENT', 'NAME', 'CONNECT URL', 'BROKERS', 'PG URL'],
        rows.map((r) => {
          const s = presentSettings(r.settings);
          return [r.current ? '*' : '', r.name, s.connectUrl ?? '', s.brokers ?? '', s.pgUrl ?? ''];
        }),
      );
    });

  config
    .command('current-context')
    .description('print the current context')
    .action(async () => {
      const { readConfigFile } = await import('../src/config/config-file');
      const file = await readConfigFile(ctx.env);
      if (!file.currentContext) {
        note(ctx, 'no current context: cdc config use-context NAME');
        return;
      }
      writeLine(ctx, file.currentContext);
    });

  config
    .command('view')
    .description('print a context (the current one by default) with passwords masked')
    .argument('[name]', 'context name')
    .option('--json', 'print JSON on stdout')
    .option('--show-secrets', 'show stored passwords')
    .action(async (name: string | undefined, options: { json?: boolean; showSecrets?: boolean }) => {
      const { listContexts, presentSettings } = await load();
      const rows = await listContexts(ctx.env);
      const wanted = name ?? ctx.configContext ?? rows.find((r) => r.current)?.name;
      const row = rows.find((r) => r.name === wanted);
      if (!row) {
        const { NotFoundError } = await import('../src/errors');
        throw new NotFoundError(wanted ? `no context named '${wanted}'` : 'no current context', 'list them with `cdc config get-contexts`');
      }
      const settings = presentSettings(row.settings, options.showSecrets);
      if (options.json) writeJson(ctx, { name: row.name, current: row.current, ...settings });
      else for (const key of Object.keys(settings).sort()) writeLine(ctx, `${key}=${settings[key]}`);
    });

  config
    .command('set-context')
    .description('create or update a context')
    .argument('<name>', 'context name, e.g. local, staging, prod')
    .option('--connect-url <url>', 'Kafka Connect REST URL')
    .option('--connect-user <name>', 'basic-auth user for Connect')
    .option('--connect-password-env <VAR>', 'environment variable holding the Connect password')
    .option('--ca-file <pem>', 'CA certificate(s) for an https:// Connect')
    .option('--cert-file <pem>', 'client certificate for mutual TLS')
    .option('--key-file <pem>', 'key of the client certificate')
    .option('--brokers <list>', 'Kafka bootstrap servers, comma-separated')
    .option('--pg-url <url>', 'PostgreSQL URL without password')
    .option('--target-url <url>', "the sinks' target PostgreSQL URL without password (CDC_TARGET_PASSWORD holds it)")
    .option('--mongo-url <url>', 'MongoDB URL without password')
    .option('--s3-endpoint <url>', 'S3-compatible endpoint (MinIO …)')
    .option('--s3-region <name>', 'S3 region')
    .option('--s3-access-key-id <id>', 'S3 access key id')
    .option('--s3-secret-access-key-env <VAR>', 'environment variable holding the S3 secret key')
    .option('--unset <key>', 'remove a setting (repeatable)', (v: string, p: string[] = []) => [...p, v])
    .option('--use', 'make it the current context')
    .action(async (name: string, options: SetOptions) => {
      const { setContext } = await load();
      const result = await setContext(
        ctx.env,
        name,
        {
          connectUrl: options.connectUrl,
          connectUsername: options.connectUser,
          connectPasswordEnv: options.connectPasswordEnv,
          connectCaFile: options.caFile,
          connectCertFile: options.certFile,
          connectKeyFile: options.keyFile,
          brokers: options.brokers,
          pgUrl: options.pgUrl,
          targetUrl: options.targetUrl,
          mongoUrl: options.mongoUrl,
          s3Endpoint: options.s3Endpoint,
          s3Region: options.s3Region,
          s3AccessKeyId: options.s3AccessKeyId,
          s3SecretAccessKeyEnv: options.s3SecretAccessKeyEnv,
        },
        { unset: options.unset, use: options.use },
      );
      note(ctx, `${stderrStyle(ctx).green('✓')} ${result.created ? 'created' : 'updated'} context ${name} in ${result.file}`);
    });

  config
    .command('use-context')
    .description('make a context the current one')
    .argument('<name>', 'context name')
    .action(async (name: string) => {
      const { useContext } = await load();
      await useContext(ctx.env, name);
      note(ctx, `${stderrStyle(ctx).green('✓')} current context: ${name}`);
    });

  config
    .command('delete-context')
    .description('remove a context')
    .argument('<name>', 'context name')
    .action(async (name: string) => {
      const { deleteContext } = await load();
      const result = await deleteContext(ctx.env, name);
      note(ctx, `${stderrStyle(ctx).green('✓')} deleted context ${name}${result.wasCurrent ? ' (there is no current context now)' : ''}`);
    });
}
