/**
 * `cdc report <name>`: the finance and holdings questions, answered from the history tables that
 * `cdc sink postgres` writes, now or as of any moment (`--at`). `cdc report install-views` creates
 * the finance views for SQL users and BI tools. The SQL lives in src/report, shared with `cdc serve`.
 */
import { type Command, Option } from 'commander';
import type { Context } from '../src/context';
import { UsageError } from '../src/errors';
import { parseIdentifier } from '../src/pg/identifiers';
import type { ReportSpec } from '../src/report';
import { REPORTS, DEFAULT_SCHEMA } from '../src/report/catalog';
import { renderReport, type ReportFormat } from './report/render';
import { addTargetOptions, targetFor, type TargetCliOptions } from './report/target';
import { secondsFlag, textFlag } from './ui/flags';
import { note, writeJson, writeTable } from './ui/output';
import { stderrStyle } from './ui/style';

interface ReportOptions extends TargetCliOptions {
  list?: boolean;
  at?: string;
  limit?: string;
  status?: string;
  user?: string;
  from?: string;
  to?: string;
  format?: ReportFormat;
  json?: boolean;
  timeout: number;
}

const EXAMPLES = `
Reports:
${REPORTS.map((r) => `  ${r.name.padEnd(20)} ${r.pipeline.padEnd(9)} ${r.description}${r.params.length ? `\n  ${''.padEnd(30)} ${r.params.map((p) => (p.required ? `--${p.name} ${p.kind.toUpperCase()}` : `[--${p.name} ${p.kind.toUpperCase()}]`)).join(' ')}` : ''}`).join('\n')}
  install-views                  creates the four finance views in the target schema

Examples:
  $ cdc report --list
  $ cdc report open-orders                                   # current OPEN/PENDING orders by delivery date
  $ cdc report top-customers --status pending --limit 3
  $ cdc report pending-items --at 2026-12-01T09:00:00Z       # as it was at 09:00 UTC
  $ cdc report stock-changes --user 1 --json
  $ cdc report top-sold-stock --from 2026-12-01 --to 2026-12-02
  $ cdc report install-views --target-schema finance

The history tables come from \`cdc sink postgres\`; finance reports read <schema>.orders_history,
order_items_history, products_history and customers_history (default schema finance), holdings
reports <schema>.holding_history (default schema bank). Times without a zone are UTC.
Output: a table on a terminal, CSV in a pipe (--format csv|jsonl|table), one document with --json.`;

export function registerReport(program: Command, ctx: Context): void {
  addTargetOptions(program.command('report'))
    .description('answer the finance and holdings questions from the history tables, now or --at any moment')
    .argument('[name]', 'the report (see --list), or install-views')
    .option('--list', 'list the reports and their parameters')
    .option('--at <time>', 'answer as of this moment (ISO-8601; default: now)')
    .option('--limit <n>', 'rows for the top-N reports')
    .option('--status <status>', 'order status: open (OPEN+PENDING), pending, completed, cancelled, all')
    .option('--user <id>', 'user_id for the holdings reports')
    .option('--from <time>', 'window start for top-sold-stock (inclusive)')
    .option('--to <time>', 'window end for top-sold-stock (exclusive)')
    .addOption(
      new Option('--format <format>', 'table, csv or jsonl (default: table on a terminal, csv in a pipe)').argParser(
        (text) => textFlag('--format', { pattern: /^(table|csv|jsonl)$/, what: 'table, csv or jsonl' })(text) as ReportFormat,
      ),
    )
    .option('--json', 'one JSON document: report, schema, at, columns, rows')
    .option('--timeout <seconds>', 'statement timeout', secondsFlag('--timeout', { max: 86_400 }), 30)
    .addHelpText('after', EXAMPLES)
    .action(async (name: string | undefined, options: ReportOptions) => {
      const { parseReportArgs, flagName, parseTime, reportOrThrow } = await import('../src/report');
      const format = options.format ?? (ctx.stdoutIsTTY ? 'table' : 'csv');
      const timeoutMs = options.timeout * 1000;
      if (options.list) {
        if (name !== undefined) throw new UsageError('--list takes no report name');
        return listReports(ctx, Boolean(options.json));
      }
      if (name === undefined) throw new UsageError('which report? name one, or see them with `cdc report --list`');
      if (name === 'install-views') {
        rejectReportFlags(options);
        const schema = parseIdentifier(options.targetSchema ?? DEFAULT_SCHEMA.finance, '--target-schema');
        const target = targetFor(ctx);
        const { installViews } = await import('../src/report');
        const { withPg } = await import('../src/pg/connection');
        const views = await withPg(target, (client) => installViews(client, schema));
        if (options.json) return writeJson(ctx, { target: target.display, views });
        for (const v of views) note(ctx, `${stderrStyle(ctx).green('✔')} view ${v.view} (report ${v.report})`);
        note(ctx, `into ${schema} at ${target.display}`);
        return;
      }
      const spec = reportOrThrow(name);
      const args = parseReportArgs(spec, { limit: options.limit, status: options.status, user: options.user, from: options.from, to: options.to }, flagName);
      const at = options.at === undefined ? undefined : parseTime(options.at, '--at');
      const schema = parseIdentifier(options.targetSchema ?? DEFAULT_SCHEMA[spec.pipeline], '--target-schema');
      const target = targetFor(ctx);
      const { runReport } = await import('../src/report');
      const { withPg } = await import('../src/pg/connection');
      const result = await withPg(target, (client) => runReport(client, spec, { schema, args, at, timeoutMs }));
      renderReport(ctx, result, format, Boolean(options.json));
      if (result.rows.length === 0 && ctx.stdoutIsTTY && !options.json) note(ctx, `No rows${at ? ` as of ${at}` : ''}.`);
    });
}

function rejectReportFlags(options: ReportOptions): void {
  for (const flag of ['at', 'limit', 'status', 'user', 'from', 'to'] as const) {
    if (options[flag] !== undefined) throw new UsageError(`install-views takes no --${flag}`);
  }
}

function listReports(ctx: Context, json: boolean): void {
  const rows = REPORTS.map((r: ReportSpec) => ({
    name: r.name,
    pipeline: r.pipeline,
    description: r.description,
    parameters: r.params.map((p) => ({ name: p.name, required: p.required, default: p.default ?? null, description: p.description })),
    columns: r.columns.map((c) => c.name),
    view: r.view?.name ?? null,
    route: r.route,
  }));
  if (json) return writeJson(ctx, rows);
  writeTable(
    ctx,
    ['REPORT', 'PIPELINE', 'PARAMETERS', 'DESCRIPTION'],
    rows.map((r) => [r.name, r.pipeline, r.parameters.map((p) => (p.required ? `--${p.name}` : `[--${p.name}]`)).join(' ') || '-', r.description]),
  );
}
