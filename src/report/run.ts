/**
 * Running a report against the history tables in the target database, and creating the views.
 * Reports run in a read-only transaction with a statement timeout: a report never writes, and a
 * slow one is stopped rather than left holding a connection.
 */
import type { Client } from 'pg';
import { NotFoundError, ServiceError, UsageError } from '../errors';
import { quoteIdent } from '../pg/identifiers';
import { SqlBuilder } from './sql';
import { REPORTS, findReport, type ColumnSpec, type ReportArgs, type ReportSpec } from './catalog';

export interface ReportQuery {
  schema: string;
  args: ReportArgs;
  /** Answer as of this moment (ISO-8601, checked by parseTime); undefined: now. */
  at?: string;
  timeoutMs: number;
}

export interface ReportResult {
  report: string;
  schema: string;
  at: string | null;
  columns: ColumnSpec[];
  /** Values as PostgreSQL's text output (exact: bigint counts and numeric sums are not rounded). */
  rows: (string | null)[][];
}

/** Every value as PostgreSQL's own text: no Date in the local zone, no float for a numeric. */
const AS_TEXT = { getTypeParser: () => (value: string) => value };

export function reportOrThrow(name: string): ReportSpec {
  const spec = findReport(name);
  if (!spec) {
    throw new UsageError(`no report named ${JSON.stringify(name)}`, `the reports are: ${REPORTS.map((r) => r.name).join(', ')} (cdc report --list)`);
  }
  return spec;
}

export async function runReport(client: Client, spec: ReportSpec, query: ReportQuery): Promise<ReportResult> {
  for (const param of spec.params) {
    if (param.required && query.args[param.name] === undefined) throw new UsageError(`report ${spec.name} needs --${param.name}`);
  }
  const sql = new SqlBuilder();
  const text = spec.sql(sql, query.schema, query.args, query.at);
  const result = await readOnly(client, query.timeoutMs, () => client.query({ text, values: sql.values, rowMode: 'array', types: AS_TEXT })).catch(
    (err: unknown) => {
      throw explain(err, spec, query.schema);
    },
  );
  return {
    report: spec.name,
    schema: query.schema,
    at: query.at ?? null,
    columns: spec.columns,
    rows: result.rows as (string | null)[][],
  };
}

export interface InstalledView {
  view: string;
  report: string;
}

/** Creates (or replaces) the finance views in `schema`, in one transaction. */
export async function installViews(client: Client, schema: string): Promise<InstalledView[]> {
  const installed: InstalledView[] = [];
  await client.query('BEGIN');
  try {
    for (const spec of REPORTS) {
      if (!spec.view) continue;
      const body = spec.sql(new SqlBuilder(true), schema, spec.view.args, undefined);
      await client.query(`CREATE OR REPLACE VIEW ${quoteIdent(schema)}.${quoteIdent(spec.view.name)} AS ${body}`);
      installed.push({ view: `${schema}.${spec.view.name}`, report: spec.name });
    }
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw explain(err, undefined, schema);
  }
  return installed;
}

async function readOnly<T>(client: Client, timeoutMs: number, work: () => Promise<T>): Promise<T> {
  await client.query('BEGIN READ ONLY');
  try {
    await client.query(`SET LOCAL statement_timeout = ${Math.max(1, Math.floor(timeoutMs))}`);
    // --at without a zone means UTC, whatever the server's TimeZone setting is.
    await client.query(`SET LOCAL TimeZone = 'UTC'`);
    const result = await work();
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  }
}

/** A missing history table is the common mistake: say which, and how it comes to exist. */
function explain(err: unknown, spec: ReportSpec | undefined, schema: string): unknown {
  const code = (err as { code?: string }).code;
  if (code === '42P01' || code === '3F000') {
    const pipeline = spec?.pipeline ?? 'finance';
    return new NotFoundError(
      `${(err as Error).message} in the target database (schema ${JSON.stringify(schema)})`,
      `the ${pipeline} history tables are written by \`cdc sink postgres\`; pass --target-schema if they live in another schema`,
    );
  }
  if (code === '57014') {
    return new ServiceError('the report took longer than its statement timeout and was cancelled', {
      hint: 'raise --timeout, or add indexes to the history tables',
    });
  }
  return err;
}
