/**
 * Publications: which exist, the SQL that makes or extends one, and dropping one. Names only ever
 * reach SQL through quoteIdent.
 */
import type { Client } from 'pg';
import { quoteIdent, quoteQualified, type QualifiedName } from './identifiers';

export interface PublicationLookup {
  name: string;
  exists: boolean;
}

export async function lookupPublication(client: Client, name: string): Promise<PublicationLookup> {
  const found = await client.query('SELECT 1 FROM pg_publication WHERE pubname = $1', [name]);
  return { name, exists: (found.rowCount ?? 0) > 0 };
}

/** Drops the publication; false when there was none. */
export async function dropPublication(client: Client, name: string): Promise<boolean> {
  if (!(await lookupPublication(client, name)).exists) return false;
  await client.query(`DROP PUBLICATION IF EXISTS ${quoteIdent(name)}`);
  return true;
}

/** CREATE PUBLICATION … FOR TABLE, or ALTER PUBLICATION … ADD TABLE when it exists. */
export function publicationSql(publication: string, exists: boolean, tables: QualifiedName[]): string {
  const list = tables.map(quoteQualified).join(', ');
  return exists ? `ALTER PUBLICATION ${quoteIdent(publication)} ADD TABLE ${list}` : `CREATE PUBLICATION ${quoteIdent(publication)} FOR TABLE ${list}`;
}
