/**
 * `cdc pg check`: everything Debezium needs from a PostgreSQL server, item by item, each OK, WARN
 * or FAIL with the fix to apply. `fix: true` applies the fixes that are safe on a live database
 * (REPLICA IDENTITY, publication membership) and checks again; settings that need a restart and
 * role rights are only ever described, never applied.
 */
import type { Client } from 'pg';
import type { CheckItem, CheckStatus } from './check-items';
import { serverItems } from './check-server';
import { publicationAndTableItems } from './check-tables';
import { publicationSql } from './publications';
import { displayName, quoteQualified, type QualifiedName } from './identifiers';

export type { CheckItem, CheckStatus } from './check-items';

export interface AppliedFix {
  sql: string;
  ok: boolean;
  error?: string;
}

export interface CheckReport {
  serverVersion: string;
  user: string;
  database: string;
  items: CheckItem[];
  fixes: AppliedFix[];
  counts: Record<CheckStatus, number>;
}

export interface CheckOptions {
  tables: QualifiedName[];
  /** The connector's publication (--name / --publication): tables must be in it; --fix adds them. */
  publication?: string;
  /** The connector's slot (--name / --slot): checked alone, and idle is fine. */
  slot?: string;
  fix: boolean;
}

export async function runPgCheck(client: Client, options: CheckOptions): Promise<CheckReport> {
  let report = await inspect(client, options);
  if (!options.fix) return report;
  const fixes: AppliedFix[] = [];
  for (const sql of fixStatements(report.items, options)) {
    try {
      await client.query(sql);
      fixes.push({ sql, ok: true });
    } catch (err) {
      fixes.push({ sql, ok: false, error: (err as Error).message });
    }
  }
  if (fixes.length) report = await inspect(client, options);
  return { ...report, fixes };
}

async function inspect(client: Client, options: CheckOptions): Promise<CheckReport> {
  const server = await serverItems(client, { slot: options.slot });
  const items = [...server.items, ...(await publicationAndTableItems(client, options.tables, options.publication))];
  const counts: Record<CheckStatus, number> = { OK: 0, WARN: 0, FAIL: 0 };
  for (const item of items) counts[item.status] += 1;
  return { serverVersion: server.serverVersion, user: server.user, database: server.database, items, fixes: [], counts };
}

/** The SQL for the safe fixes the items call for. */
function fixStatements(items: CheckItem[], options: CheckOptions): string[] {
  const statements: string[] = [];
  const toPublish: QualifiedName[] = [];
  for (const item of items) {
    if (!item.fixable || item.status === 'OK' || !item.subject) continue;
    const table = options.tables.find((t) => displayName(t) === item.subject);
    if (!table) continue;
    if (item.check === 'replica_identity') statements.push(`ALTER TABLE ${quoteQualified(table)} REPLICA IDENTITY FULL`);
    if (item.check === 'published') toPublish.push(table);
  }
  if (toPublish.length && options.publication !== undefined) {
    const exists = items.some((i) => i.check === 'publication' && i.subject === options.publication);
    statements.push(publicationSql(options.publication, exists, toPublish));
  }
  return statements;
}
