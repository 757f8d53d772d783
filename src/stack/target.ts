/**
 * The sinks' target database in the stack's cluster: role and database `analytics`, created when
 * missing (a fresh cluster, or one kept from a stack that predates the target) and left alone
 * otherwise, so data written there survives `stack down`/`up`.
 */
import { loadPg } from '../pg/connection';
import { StackStartError } from './errors';
import type { StackLayout } from './layout';
import { TARGET_DATABASE, TARGET_PASSWORD, TARGET_USER } from './settings';

/** Returns what it created ([] when both existed). */
export async function ensureTargetDatabase(layout: StackLayout, pgUrl: string): Promise<string[]> {
  const { Client } = await loadPg();
  const client = new Client({ connectionString: pgUrl, connectionTimeoutMillis: 5_000, query_timeout: 30_000 });
  const created: string[] = [];
  try {
    await client.connect();
    const role = await client.query('select 1 from pg_roles where rolname = $1', [TARGET_USER]);
    if (role.rowCount === 0) {
      // Constants, not input: quoted as identifiers and literals all the same.
      await client.query(`create role "${TARGET_USER}" login password '${TARGET_PASSWORD}'`);
      created.push(`role ${TARGET_USER}`);
    }
    const db = await client.query('select 1 from pg_database where datname = $1', [TARGET_DATABASE]);
    if (db.rowCount === 0) {
      await client.query(`create database "${TARGET_DATABASE}" owner "${TARGET_USER}"`);
      created.push(`database ${TARGET_DATABASE}`);
    }
    return created;
  } catch (err) {
    throw new StackStartError('postgres', `could not create the target database ${TARGET_DATABASE}: ${(err as Error).message}`, layout.log('postgres'), '', err);
  } finally {
    await client.end().catch(() => {});
  }
}
