/**
 * `cdc connector register`: from files, a directory, stdin, or flags (a safe Debezium PostgreSQL
 * config). Lints first, then upserts (or, with --dry-run, validates on the server and shows the
 * diff against the live config), and with --wait blocks until everything is RUNNING.
 */
import type { Command } from 'commander';
import type { Context } from '../../src/context';
import { InputError, UsageError, ExitStatus, ExitCode } from '../../src/errors';
import type { ConnectFlags } from '../../src/connect/connection';
import type { RegisterFlags } from '../../src/connect/from-flags';
import type { ConnectorSpec } from '../../src/connect/spec';
import { writeJson, note } from '../ui/output';
import { portText, repeatable, secondsFlag, textFlag } from '../ui/flags';
import { declareSettingsFlags } from '../ui/settings-flags';
import { connectAddress } from '../ui/where';
import { sanitizeForTerminal, stderrStyle } from '../ui/style';
import { addConnectOptions, connectorName, readAll, withClient } from './common';
import { untilRunning } from './until-running';
import { formatFieldErrors, writeDiff, writeFindings, writeFixes } from './render';

interface Options extends ConnectFlags, RegisterFlags {
  dryRun?: boolean;
  wait?: boolean;
  waitTimeout: number;
  ignoreLint?: string[];
  fix?: boolean;
  json?: boolean;
}

const EXAMPLES = `
Examples:
  # A Debezium PostgreSQL connector from flags (never a password on the command line):
  cdc connector register holding --table bank.holding --topic-prefix dbserver1 --wait
  # Under docker compose, Kafka Connect reaches PostgreSQL as host 'postgres', not 127.0.0.1:
  cdc connector register holding --table bank.holding --host postgres --port 5432 --wait   # docker compose only (exit 3 elsewhere)
  # The password is stored as \${env:PGPASSWORD} when the worker resolves it (config providers),
  # else taken from PGPASSWORD with a warning. Store it from another variable with --password-env VAR,
  # or name the worker's own placeholder with --password-ref '\${file:/etc/kafka/pg.properties:password}'.
  # From files, a directory, or stdin; create or update. A file may leave database.hostname, port,
  # user and dbname out: they come from cdc's PostgreSQL settings, or --host/--port/--user/--database.
  cdc connector register fixtures/connectors/holding.json
  cdc connector register connectors/ --wait
  cat holding.json | cdc connector register -
  # Validate on the server and show what would change, without writing:
  cdc connector register holding.json --dry-run
  # A Debezium 1.x file: apply the lint's replacements (said on stderr) and register it:
  cdc connector register fixtures/connectors/legacy-holding.json --fix --dry-run

Lint rules (skip one with --ignore-lint RULE): connector-class, legacy-key, plugin-name, topic-prefix,
slot-name, duplicate-slot, include-exclude, regex-dot, publication-mode, publication-name, snapshot-mode,
plaintext-password. --fix applies the replacements (all but connector-class and plaintext-password).
Exit codes: 3 lint or validation errors, 6 a task FAILED while waiting, 5 not RUNNING in time.`;

export function registerRegisterCommand(parent: Command, ctx: Context): void {
  const command = parent
    .command('register')
    .description('create or update connectors from JSON files, a directory, stdin (-), or flags')
    .argument('[inputs...]', 'connector JSON files or directories, - for stdin; with --table/--schema: the connector NAME')
    .option('--table <schema.table>', 'capture this table (repeatable)', repeatable(textFlag('--table')))
    .option('--schema <name>', 'capture every table of this schema (repeatable)', repeatable(textFlag('--schema')))
    .option('--database <dbname>', 'database name (default: from the PostgreSQL URL)', textFlag('--database'))
    .option(
      '--host <host>',
      'database host as the Connect worker reaches it, e.g. postgres under docker compose (default: from the PostgreSQL URL)',
      textFlag('--host'),
    )
    .option('--port <port>', 'database port (default: from the PostgreSQL URL)', portText('--port'))
    .option('--user <user>', 'database user with REPLICATION (default: from the PostgreSQL URL)', textFlag('--user'))
    .option('--pg-url <url>', 'PostgreSQL URL without password (env DATABASE_URL)', textFlag('--pg-url'))
    .option(
      '--password-env <VAR>',
      'store the password from this environment variable (default: the placeholder ${env:PGPASSWORD} if the worker resolves it, else PGPASSWORD)',
      textFlag('--password-env', { pattern: /^[A-Za-z_][A-Za-z0-9_]*$/, what: 'an environment variable name' }),
    )
    .option('--password-ref <placeholder>', "let the worker resolve the password: '${env:VAR}' or '${file:path:key}'", textFlag('--password-ref'))
    .option('--topic-prefix <prefix>', 'topic prefix (default: derived from the connector name)', textFlag('--topic-prefix'))
    .option('--snapshot-mode <mode>', 'Debezium snapshot.mode (initial, no_data, when_needed, …)', textFlag('--snapshot-mode'))
    .option('--slot <name>', 'replication slot to use (default: named after the connector; e.g. one made by cdc pg setup)', textFlag('--slot'))
    .option(
      '--publication <name>',
      'an existing publication to use as it is, e.g. one made by cdc pg setup (default: <name>_pub, created by Debezium)',
      textFlag('--publication'),
    )
    .option('--set <key=value>', 'any other connector setting (repeatable)', repeatable(textFlag('--set', { pattern: /^[^=\s][^=]*=/, what: 'key=value' })))
    .option('--dry-run', 'validate on the server and show the diff against the live config; write nothing')
    .option('--wait', 'wait until the connector and all its tasks are RUNNING')
    .option('--wait-timeout <seconds>', 'how long --wait waits', secondsFlag('--wait-timeout'), 60)
    .option('--ignore-lint <rule>', 'skip a lint rule (repeatable)', repeatable(textFlag('--ignore-lint')))
    .option('--fix', "apply the lint's replacements (Debezium 1.x keys, plugin.name, slot name, …) before registering; says which on stderr")
    .option('--json', 'print the result as JSON on stdout');
  // The source database's URL is read only to build a connector from flags.
  declareSettingsFlags(command, 'pg', { early: false });
  addConnectOptions(command)
    .addHelpText('after', EXAMPLES)
    .action(async (inputs: string[], options: Options) => runRegister(ctx, inputs, options));
}

async function specsFrom(ctx: Context, inputs: string[], options: Options): Promise<ConnectorSpec[]> {
  const fromFlags = Boolean(options.table?.length || options.schema?.length);
  if (fromFlags) {
    if (inputs.length !== 1) throw new UsageError('with --table/--schema, give exactly one argument: the connector name');
    connectorName(inputs[0]);
    const [{ connectorFromFlags }, { checkConnectorName }] = await Promise.all([import('../../src/connect/from-flags'), import('../../src/connect/spec')]);
    checkConnectorName(inputs[0], 'NAME');
    const { config, passwordFallback } = connectorFromFlags(inputs[0], options, ctx.env, ctx.settings.pg);
    return [{ name: inputs[0], config, source: 'flags', passwordFallback }];
  }
  const { loadSpecs } = await import('../../src/connect/spec');
  const sources = inputs.length ? inputs : ctx.stdinIsTTY ? [] : ['-'];
  if (sources.length === 0) {
    throw new UsageError('nothing to register: give JSON files, a directory, - for stdin, or a NAME with --table', "see 'cdc connector register --help'");
  }
  const specs = await loadSpecs(sources, () => readAll(ctx.stdin));
  const { fillDatabaseSettings } = await import('../../src/connect/database-defaults');
  for (const spec of specs) {
    // --database is a database flag of the file's connector here, not the source of `pg`.
    const { config, filled } = fillDatabaseSettings(
      spec.config,
      { host: options.host, port: options.port, user: options.user, database: options.database },
      () => ctx.settings.pg,
    );
    spec.config = config;
    if (filled.length) note(ctx, `${sanitizeForTerminal(spec.name)}: ${sanitizeForTerminal(filled.map((f) => `${f.key}=${f.value} (${f.from})`).join(', '))}`);
  }
  return specs;
}

async function runRegister(ctx: Context, inputs: string[], options: Options): Promise<void> {
  const waitSeconds = Number(options.waitTimeout);
  if (!Number.isFinite(waitSeconds) || waitSeconds <= 0) throw new UsageError(`--wait-timeout must be a positive number, got '${options.waitTimeout}'`);
  const specs = await specsFrom(ctx, inputs, options);
  const style = stderrStyle(ctx);
  if (options.fix) {
    const { fixConfig } = await import('../../src/connect/upgrade');
    for (const spec of specs) {
      const fixed = fixConfig(spec.name, spec.config, [], new Set(options.ignoreLint ?? []));
      spec.config = fixed.config;
      writeFixes(ctx, fixed.applied);
    }
  }
  await withClient(ctx, options, async (client) => {
    const { planRegistration, dryRun, applyConnector, settlePasswords } = await import('../../src/connect/register');
    for (const choice of await settlePasswords(client, specs)) {
      note(
        ctx,
        choice.stored === 'placeholder'
          ? `${choice.name}: database.password=${choice.placeholder}, resolved by the worker (no password stored in clear text)`
          : `${style.yellow('note:')} ${choice.name}: ${choice.placeholder} does not log in from this worker (no env config provider there, or its PGPASSWORD is another user's); storing the password from ${choice.from} instead`,
      );
    }
    const plan = await planRegistration(client, specs, new Set(options.ignoreLint ?? []));
    writeFindings(ctx, plan.findings);
    const lintErrors = plan.findings.filter((f) => f.severity === 'error');
    if (lintErrors.length) {
      throw new InputError(
        `${lintErrors.length} lint error${lintErrors.length === 1 ? '' : 's'}: nothing was sent to Kafka Connect`,
        options.fix
          ? 'what is left needs a decision: change the file, or skip a rule with --ignore-lint RULE'
          : 'apply the replacements shown above (--fix does it), or skip a rule with --ignore-lint RULE',
      );
    }

    if (options.dryRun) {
      const results = await dryRun(client, plan);
      for (const r of results) {
        if (r.errors.length) ctx.stderr.write(`${style.red('invalid:')} ${r.name} (${r.source})\n${formatFieldErrors(r.errors).join('\n')}\n`);
        if (!options.json) writeDiff(ctx, r.name, !r.exists, r.changes);
      }
      if (options.json)
        writeJson(
          ctx,
          results.map(({ source: _s, ...r }) => r),
        );
      note(ctx, style.dim('dry run: nothing was written'));
      if (results.some((r) => !r.valid)) throw new ExitStatus(ExitCode.INVALID_INPUT);
      return;
    }

    const results: { name: string; action: string; changedKeys: string[]; health: string | null }[] = [];
    for (const item of plan.items) {
      const action = await applyConnector(client, item).catch((err) => {
        const fieldErrors = (err as { fieldErrors?: { field: string; errors: string[] }[] }).fieldErrors;
        if (fieldErrors?.length)
          ctx.stderr.write(`${style.red('invalid:')} ${sanitizeForTerminal(item.spec.name)}\n${formatFieldErrors(fieldErrors).join('\n')}\n`);
        throw err;
      });
      const keys = item.changes.length;
      note(
        ctx,
        `${style.green('✓')} ${action} ${sanitizeForTerminal(item.spec.name)}${action === 'updated' ? ` (${keys} key${keys === 1 ? '' : 's'} changed)` : ''} at ${connectAddress(ctx)}`,
      );
      results.push({ name: item.spec.name, action, changedKeys: item.changes.map((c) => c.key), health: null });
    }
    if (options.wait) {
      const summaries = await untilRunning(
        ctx,
        client,
        results.map((r) => ({ name: r.name, initialDelayMs: r.action === 'updated' ? 1000 : 0 })),
        { timeoutMs: waitSeconds * 1000, json: options.json },
      );
      summaries.forEach((summary, i) => {
        results[i].health = summary.health;
      });
    }
    if (options.json) writeJson(ctx, results);
  });
}
