/**
 * `cdc pg setup`: the CDC preset a DBA makes once. A replication role with only what Debezium
 * needs when the publication is made here (LOGIN, REPLICATION, CONNECT, USAGE on the schemas,
 * SELECT on the tables), a publication for the chosen tables, a pgoutput slot, and REPLICA
 * IDENTITY FULL where asked. It looks first and plans only what is missing, so running it again
 * changes nothing; the plan is what --dry-run prints.
 */
import type { Client } from 'pg';
import { CdcError, NotFoundError, UsageError } from '../errors';
import { MASK, redactValues } from '../secrets';
import { displayName, quoteIdent, quoteQualified, type QualifiedName } from './identifiers';
import { publicationSql } from './publications';
import { scramVerifier, verifierMatches } from './password';
import { listSlots } from './slots';

export interface SetupOptions {
  tables: QualifiedName[];
  publication: string;
  slot: string;
  /** The replication role; `password` sets it (created when missing). */
  user?: { name: string; password?: string };
  replicaIdentityFull: boolean;
  dryRun: boolean;
}

export interface SetupStatement {
  /** The SQL as it may be shown: a password is masked. */
  sql: string;
  why: string;
}

export interface SetupReport {
  database: string;
  user: string | null;
  publication: string;
  slot: string;
  tables: string[];
  replicaIdentityFull: boolean;
  dryRun: boolean;
  /** What was (or, with dryRun, would be) run, in order. */
  statements: SetupStatement[];
  /** What was already in place. */
  unchanged: string[];
}

interface Step extends SetupStatement {
  /** The SQL to run, when it differs from what is shown (a password). */
  run?: { text: string; values?: unknown[] };
  /** Outside the transaction: a logical slot cannot be created after writes in the same one. */
  alone?: boolean;
}

interface TableFacts {
  schema: string;
  table: string;
  oid: number;
  replident: string;
}

export async function runSetup(client: Client, options: SetupOptions): Promise<SetupReport> {
  const { steps, unchanged, database } = await plan(client, options);
  const secret = options.user?.password;
  if (!options.dryRun) {
    try {
      const inTransaction = steps.filter((s) => !s.alone);
      if (inTransaction.length) {
        await client.query('BEGIN');
        for (const step of inTransaction) await client.query(step.run?.text ?? step.sql, step.run?.values);
        await client.query('COMMIT');
      }
      for (const step of steps.filter((s) => s.alone)) await client.query(step.run?.text ?? step.sql, step.run?.values);
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      // The server may quote a statement back; the password must not travel with it.
      if (err instanceof Error && secret) err.message = redactValues(err.message, [secret]);
      throw err;
    }
  }
  return {
    database,
    user: options.user?.name ?? null,
    publication: options.publication,
    slot: options.slot,
    tables: options.tables.map(displayName),
    replicaIdentityFull: options.replicaIdentityFull,
    dryRun: options.dryRun,
    statements: steps.map(({ sql, why }) => ({ sql, why })),
    unchanged,
  };
}

async function plan(client: Client, options: SetupOptions): Promise<{ steps: Step[]; unchanged: string[]; database: string }> {
  const steps: Step[] = [];
  const unchanged: string[] = [];
  const database = (await client.query<{ db: string }>('SELECT current_database() AS db')).rows[0].db;
  const tables = await tableFacts(client, options.tables);

  const slot = (await listSlots(client, { name: options.slot }))[0];
  if (slot && (slot.type !== 'logical' || slot.plugin !== 'pgoutput' || slot.database !== database)) {
    throw new CdcError(
      `replication slot ${options.slot} exists as a ${slot.type} slot${slot.plugin ? ` of plugin ${slot.plugin}` : ''}${slot.database ? ` on ${slot.database}` : ''}: Debezium needs a logical pgoutput slot on ${database}`,
      { hint: `choose another name with --slot, or drop it if nothing uses it (cdc pg slots --drop ${options.slot})` },
    );
  }

  if (options.user) await roleSteps(client, options.user, database, tables, steps, unchanged);

  const pub = await client.query<{ puballtables: boolean }>('SELECT puballtables FROM pg_publication WHERE pubname = $1', [options.publication]);
  if (pub.rowCount === 0) {
    steps.push({
      sql: publicationSql(options.publication, false, options.tables),
      why: `publication ${options.publication} for the ${tables.length} table(s)`,
    });
  } else if (pub.rows[0].puballtables) {
    unchanged.push(`publication ${options.publication} (FOR ALL TABLES)`);
  } else {
    const inIt = await client.query<{ oid: number }>(
      'SELECT prrelid::int AS oid FROM pg_publication_rel r JOIN pg_publication p ON p.oid = r.prpubid WHERE p.pubname = $1',
      [options.publication],
    );
    const present = new Set(inIt.rows.map((r) => r.oid));
    const missing = tables.filter((t) => !present.has(t.oid));
    if (missing.length)
      steps.push({
        sql: publicationSql(options.publication, true, missing),
        why: `add ${missing.map(displayName).join(', ')} to publication ${options.publication}`,
      });
    else unchanged.push(`publication ${options.publication} has every table`);
  }

  if (options.replicaIdentityFull) {
    for (const t of tables) {
      if (t.replident === 'f') unchanged.push(`${displayName(t)} has REPLICA IDENTITY FULL`);
      else
        steps.push({ sql: `ALTER TABLE ${quoteQualified(t)} REPLICA IDENTITY FULL`, why: `updates and deletes of ${displayName(t)} carry the whole old row` });
    }
  }

  if (slot) unchanged.push(`replication slot ${options.slot} (pgoutput)${slot.active ? ', in use' : ''}`);
  else {
    steps.push({
      sql: `SELECT pg_create_logical_replication_slot('${options.slot}', 'pgoutput')`,
      why: `replication slot ${options.slot}: WAL is kept from now on for the connector`,
      run: { text: "SELECT pg_create_logical_replication_slot($1, 'pgoutput')", values: [options.slot] },
      alone: true,
    });
  }
  return { steps, unchanged, database };
}

async function tableFacts(client: Client, tables: QualifiedName[]): Promise<TableFacts[]> {
  const facts: TableFacts[] = [];
  const missing: string[] = [];
  for (const table of tables) {
    const found = await client.query<{ oid: number; relreplident: string }>(
      `SELECT c.oid::int AS oid, c.relreplident FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p')`,
      [table.schema, table.table],
    );
    if (found.rowCount === 0) missing.push(displayName(table));
    else facts.push({ ...table, oid: found.rows[0].oid, replident: found.rows[0].relreplident });
  }
  if (missing.length) {
    throw new NotFoundError(`no table ${missing.join(', ')}: nothing was changed`, 'create the tables first (e.g. cdc seed finance), or check the names');
  }
  return facts;
}

async function roleSteps(
  client: Client,
  user: NonNullable<SetupOptions['user']>,
  database: string,
  tables: TableFacts[],
  steps: Step[],
  unchanged: string[],
): Promise<void> {
  const role = (
    await client.query<{ rolcanlogin: boolean; rolreplication: boolean; rolsuper: boolean }>(
      'SELECT rolcanlogin, rolreplication, rolsuper FROM pg_roles WHERE rolname = $1',
      [user.name],
    )
  ).rows[0];
  const name = quoteIdent(user.name);
  const password = user.password;
  if (!role) {
    if (password === undefined) throw new UsageError(`role ${user.name} does not exist: give its password with --password-env VAR to create it`);
    steps.push(
      await passwordStep(client, `CREATE ROLE ${name} WITH LOGIN REPLICATION`, user.name, password, `role ${user.name}: LOGIN and REPLICATION, nothing else`),
    );
  } else {
    if (role.rolsuper) unchanged.push(`role ${user.name} is a superuser (more than Debezium needs)`);
    const missing = [!role.rolcanlogin && 'LOGIN', !role.rolreplication && 'REPLICATION'].filter(Boolean);
    if (missing.length) steps.push({ sql: `ALTER ROLE ${name} WITH ${missing.join(' ')}`, why: `role ${user.name} needs ${missing.join(' and ')}` });
    else unchanged.push(`role ${user.name} has LOGIN and REPLICATION`);
    if (password !== undefined) {
      if (await storedPasswordIs(client, user.name, password)) unchanged.push(`role ${user.name}'s password`);
      else steps.push(await passwordStep(client, `ALTER ROLE ${name}`, user.name, password, `role ${user.name}: the password from --password-env`));
    }
  }
  // A role that does not exist yet has no privileges; has_*_privilege would fail on its name.
  const can = async (sql: string, values: unknown[]) => Boolean(role) && (await client.query<{ ok: boolean }>(sql, values)).rows[0].ok;
  if (await can("SELECT has_database_privilege($1, $2, 'CONNECT') AS ok", [user.name, database])) unchanged.push(`${user.name} may connect to ${database}`);
  else steps.push({ sql: `GRANT CONNECT ON DATABASE ${quoteIdent(database)} TO ${name}`, why: `${user.name} may connect to ${database}` });
  for (const schema of [...new Set(tables.map((t) => t.schema))]) {
    if (await can("SELECT has_schema_privilege($1, $2, 'USAGE') AS ok", [user.name, schema])) unchanged.push(`${user.name} may use schema ${schema}`);
    else steps.push({ sql: `GRANT USAGE ON SCHEMA ${quoteIdent(schema)} TO ${name}`, why: `${user.name} may use schema ${schema}` });
  }
  const unreadable: TableFacts[] = [];
  for (const t of tables) if (!(await can("SELECT has_table_privilege($1, $2::oid, 'SELECT') AS ok", [user.name, t.oid]))) unreadable.push(t);
  if (unreadable.length)
    steps.push({
      sql: `GRANT SELECT ON ${unreadable.map(quoteQualified).join(', ')} TO ${name}`,
      why: `${user.name} may read ${unreadable.map(displayName).join(', ')} (the snapshot)`,
    });
  else unchanged.push(`${user.name} may read every table`);
}

/** Reading pg_authid takes a superuser; anyone else sets the password again, which is harmless. */
async function storedPasswordIs(client: Client, user: string, password: string): Promise<boolean> {
  try {
    const { rows } = await client.query<{ stored: string | null }>('SELECT rolpassword AS stored FROM pg_authid WHERE rolname = $1', [user]);
    return verifierMatches(rows[0]?.stored ?? null, user, password);
  } catch {
    return false;
  }
}

/**
 * The password goes as its SCRAM verifier, computed here, so the statement never carries it; a
 * non-ASCII one goes through format(%L) on the server, which quotes it whatever it holds.
 */
async function passwordStep(client: Client, head: string, user: string, password: string, why: string): Promise<Step> {
  if (password === '') throw new UsageError(`an empty password for ${user}: set the variable named by --password-env`);
  const verifier = scramVerifier(password);
  if (verifier) return { sql: `${head} PASSWORD '${MASK}'`, why, run: { text: `${head} PASSWORD '${verifier}'` } };
  const template = `${head.replace(/%/g, '%%')} PASSWORD %L`;
  const { rows } = await client.query<{ sql: string }>('SELECT format($1::text, $2::text) AS sql', [template, password]);
  return { sql: `${head} PASSWORD '${MASK}'`, why, run: { text: rows[0].sql } };
}
