/**
 * `cdc connector describe NAME` (config, masked, plus state) and `cdc connector status [NAME…]`
 * (states and root causes; exit 0 all RUNNING, 5 degraded, 6 failed).
 */
import type { Command } from 'commander';
import type { Context } from '../../src/context';
import { ExitStatus } from '../../src/errors';
import type { ConnectFlags } from '../../src/connect/connection';
import type { DatabaseCheck } from '../../src/connect/db-check';
import type { StatusSummary } from '../../src/connect/status';
import { writeJson, writeLine, writeTable } from '../ui/output';
import { sanitizeForTerminal, stdoutStyle } from '../ui/style';
import { revealSecretsOnStdout } from '../ui/redact';
import { addConnectOptions, withClient, connectorName, connectorNames } from './common';
import { colorState, statusJson, statusLines } from './render';

const DESCRIBE_EXAMPLES = `
Examples:
  cdc connector describe holding
  cdc connector describe holding --json | jq .config
  cdc connector describe holding --show-secrets     # reveal passwords (masked by default)`;

const STATUS_EXAMPLES = `
Examples:
  cdc connector status holding && echo healthy
  cdc connector status                # every connector; exit code of the worst
  cdc connector status holding --json
  cdc connector status holding --check-db   # also: is its replication slot really in use?

Exit codes: 0 connector and every task RUNNING, 5 degraded (PAUSED, STOPPED, UNASSIGNED,
RESTARTING, no tasks; with --check-db also: RUNNING but the slot is not in use, or the
connector's own database settings fail), 6 the connector or a task FAILED, 4 no such connector.
Debezium keeps a task RUNNING while it retries a database it cannot log in to; --check-db finds it.`;

export function registerDescribeCommands(parent: Command, ctx: Context): void {
  const describe = parent
    .command('describe')
    .description('show a connector: config (secrets masked), state, tasks')
    .argument('<name>', 'connector name', connectorName)
    .option('--show-secrets', 'show passwords and other secrets in clear text')
    .option('--json', 'print JSON on stdout');
  addConnectOptions(describe)
    .addHelpText('after', DESCRIBE_EXAMPLES)
    .action(async (name: string, options: ConnectFlags & { json?: boolean; showSecrets?: boolean }) => {
      if (options.showSecrets) revealSecretsOnStdout(ctx);
      await withClient(ctx, options, async (client) => {
        const [{ summarizeStatus, healthExitCode }, { pluginPasswordKeys, presentConfig }] = await Promise.all([
          import('../../src/connect/status'),
          import('../../src/connect/masking'),
        ]);
        const info = await client.connector(name);
        const summary = summarizeStatus(await client.status(name), options.showSecrets ? undefined : (t) => client.redactor.redact(t));
        const passwordKeys = await pluginPasswordKeys(client, info.config['connector.class']);
        const config = presentConfig(client, info.config, passwordKeys, Boolean(options.showSecrets));
        if (options.json) {
          const json = statusJson(summary) as Record<string, unknown>;
          writeJson(ctx, { ...json, type: info.type ?? json.type, class: info.config['connector.class'] ?? null, config });
        } else {
          const style = stdoutStyle(ctx);
          const [shownName, shownType, shownClass] = [info.name, info.type ?? '', info.config['connector.class'] ?? ''].map(sanitizeForTerminal);
          writeLine(ctx, `${style.bold(shownName)}  ${shownType}  ${shownClass}`);
          writeLine(ctx, `health: ${colorState(style, summary.health)}`);
          for (const line of statusLines(style, summary)) writeLine(ctx, line);
          writeLine(ctx, 'config:');
          for (const key of Object.keys(config).sort()) writeLine(ctx, `  ${sanitizeForTerminal(key)} = ${sanitizeForTerminal(config[key] ?? '')}`);
        }
        const code = healthExitCode(summary.health);
        if (code) throw new ExitStatus(code);
      });
    });

  const status = parent
    .command('status')
    .description('connector and task states with root causes; the exit code tells the health')
    .argument('[names...]', 'connector names (default: all)', connectorNames)
    .option('--check-db', "also log in to PostgreSQL with each connector's settings and check that its slot is in use")
    .option('--json', 'print JSON on stdout');
  addConnectOptions(status)
    .addHelpText('after', STATUS_EXAMPLES)
    .action(async (names: string[], options: ConnectFlags & { json?: boolean; checkDb?: boolean }) => {
      await withClient(ctx, options, async (client) => {
        const { summarizeStatus, healthExitCode, worstHealth } = await import('../../src/connect/status');
        const redact = (s: string) => client.redactor.redact(s);
        let summaries: StatusSummary[];
        if (names.length) {
          summaries = [];
          for (const name of names) summaries.push(summarizeStatus(await client.status(name), redact));
        } else {
          const expanded = await client.listExpanded();
          summaries = Object.keys(expanded)
            .sort()
            .flatMap((n) => (expanded[n].status ? [summarizeStatus(expanded[n].status, redact)] : []));
        }
        const checks = new Map<string, DatabaseCheck>();
        if (options.checkDb) {
          const { checkDatabase, applyDatabaseCheck } = await import('../../src/connect/db-check');
          summaries = await Promise.all(
            summaries.map(async (s) => {
              const check = await checkDatabase(await client.config(s.name), ctx.env, redact, () => ctx.settings.pg);
              checks.set(s.name, check);
              return applyDatabaseCheck(s, check);
            }),
          );
        }
        const dbLine = (name: string) => {
          const check = checks.get(name);
          if (!check) return undefined;
          if (check.problem) return `database: ${check.problem}`;
          return check.slot
            ? `database: slot '${check.slot.name}' in use${check.slot.retainedBytes ? `, ${check.slot.retainedBytes} bytes of WAL retained` : ''}`
            : undefined;
        };
        if (options.json) {
          writeJson(
            ctx,
            summaries.map((s) => {
              const check = checks.get(s.name);
              return check
                ? { ...statusJson(s), database: { checked: check.checked, problem: check.problem ?? null, slot: check.slot ?? null } }
                : statusJson(s);
            }),
          );
        } else if (!ctx.stdoutIsTTY) {
          writeTable(
            ctx,
            [],
            summaries.map((s) =>
              [
                s.name,
                s.health,
                s.connector.state,
                s.taskCount,
                s.tasks.find((t) => t.rootCause)?.rootCause ?? s.connector.rootCause ?? checks.get(s.name)?.problem ?? '',
              ].map(sanitizeForTerminal),
            ),
          );
        } else {
          const style = stdoutStyle(ctx);
          for (const s of summaries) {
            writeLine(ctx, `${style.bold(sanitizeForTerminal(s.name))}  ${colorState(style, s.health)}  (${s.taskCount} tasks running)`);
            for (const line of statusLines(style, s)) writeLine(ctx, `  ${line}`);
            const db = dbLine(s.name);
            if (db) writeLine(ctx, `  ${sanitizeForTerminal(db)}`);
          }
          if (summaries.length === 0) writeLine(ctx, 'no connectors');
        }
        const code = healthExitCode(worstHealth(summaries.map((s) => s.health)));
        if (code) throw new ExitStatus(code);
      });
    });
}
