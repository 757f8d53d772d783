/**
 * A small connection pool for long-running readers (`cdc serve`), built from the same target as
 * every other connection; errors of idle connections never crash the process.
 */
import type { Pool } from 'pg';
import { loadPg, type PgTarget } from './connection';

export async function createPool(target: PgTarget, max: number): Promise<Pool> {
  const { Pool } = await loadPg();
  const pool = new Pool({
    host: target.host,
    port: target.port,
    user: target.user,
    password: target.password,
    database: target.database,
    ssl: target.ssl,
    application_name: 'cdc serve',
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    max,
  });
  pool.on('error', () => {});
  return pool;
}
