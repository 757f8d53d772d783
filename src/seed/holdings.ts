/**
 * `cdc seed holdings`: the tutorials' bank.holding table and a workload against it. Every
 * statement runs in its own transaction (autocommit), so each row change is one Debezium event.
 * The report counts what Postgres says each statement changed, in the terms the pivot downstream
 * uses, so an end-to-end test can compare the holding_pivot rows with it exactly.
 */
import type { Client } from 'pg';
import { CdcError } from '../errors';
import { displayName, quoteQualified, type QualifiedName } from '../pg/identifiers';
import { opStatement, randomOp, TUTORIAL_SCRIPT, type Holding, type HoldingField, type HoldingOp } from './holdings-ops';
import { createPacer } from './pacer';
import { seededRandom } from './random';
import { prepareTable } from './table-setup';

export const PIVOT_FIELDS: readonly HoldingField[] = ['holding_stock', 'holding_quantity'];

export interface SeedHoldingsOptions {
  table: QualifiedName;
  script?: 'tutorial';
  /** Random mix: number of operations, seed and number of distinct users. */
  ops?: number;
  seed: number;
  users: number;
  truncate: boolean;
  rate?: number;
  onProgress?: (done: number, total: number) => void;
  /** Ctrl-C: stop before the next statement; the report covers what ran. */
  signal?: AbortSignal;
}

type PerField = Record<HoldingField, number>;
type PerOp = { c: PerField; u: PerField; d: PerField };

export interface SeedHoldingsResult {
  table: string;
  created: boolean;
  truncated: boolean;
  replicaIdentity: string;
  workload: 'none' | 'tutorial' | 'random';
  seed?: number;
  users?: number;
  /** Statements run, each its own transaction. */
  statements: number;
  /** Row changes by Debezium op: one change event each; every delete is followed by a tombstone. */
  events: { c: number; u: number; d: number; tombstones: number };
  /** Updates by the field they changed (each update changes exactly one field). */
  fieldsChanged: PerField;
  /** holding_pivot rows to expect downstream (one per tracked field per event), by op and field. */
  pivot: { fields: HoldingField[]; rows: number; byOp: PerOp; changedOnlyRows: number; changedOnlyByOp: PerOp };
  rowsAtEnd: number;
  /** The tutorial's statements with the rows each changed (tutorial script only). */
  log?: { statement: string; rows: number }[];
  seconds: number;
  warnings: string[];
  /** Stopped by Ctrl-C: `statements` counts those that ran. */
  interrupted: boolean;
}

export function createHoldingSql(table: QualifiedName): string {
  return `CREATE TABLE ${quoteQualified(table)} (
    holding_id int, user_id int, holding_stock varchar(8), holding_quantity int,
    datetime_created timestamp, datetime_updated timestamp, PRIMARY KEY (holding_id))`;
}

export async function seedHoldings(client: Client, options: SeedHoldingsOptions): Promise<SeedHoldingsResult> {
  const started = performance.now();
  const target = quoteQualified(options.table);
  const shown = displayName(options.table);
  const prepared = await prepareTable(client, options.table, { sql: () => createHoldingSql(options.table), primaryKey: ['holding_id'] }, 'full');
  if (options.truncate) await client.query(`TRUNCATE ${target}`);

  const existing = await client.query<{ holding_id: number; user_id: number; holding_stock: string; holding_quantity: number }>(
    `SELECT holding_id, user_id, holding_stock, holding_quantity FROM ${target} ORDER BY holding_id`,
  );
  const holdings = new Map<number, Holding>();
  const ids: number[] = [];
  for (const row of existing.rows) {
    holdings.set(row.holding_id, { userId: row.user_id, stock: row.holding_stock, quantity: row.holding_quantity });
    ids.push(row.holding_id);
  }
  if (options.script === 'tutorial') {
    const taken = TUTORIAL_SCRIPT.flatMap((op) => (op.kind === 'insert' && holdings.has(op.holdingId) ? [op.holdingId] : []));
    if (taken.length) {
      throw new CdcError(`${shown} already has the tutorial's holdings ${taken.join(', ')}`, { hint: 'pass --truncate to start from an empty table' });
    }
  }

  const events = { c: 0, u: 0, d: 0, tombstones: 0 };
  const fieldsChanged: PerField = { holding_stock: 0, holding_quantity: 0 };
  const log: { statement: string; rows: number }[] = [];
  const warnings: string[] = [];
  const random = seededRandom(options.seed);
  let nextId = Math.max(1000, (ids.length ? ids[ids.length - 1] : 0) + 1);
  const total = options.script === 'tutorial' ? TUTORIAL_SCRIPT.length : (options.ops ?? 0);
  const pacer = createPacer(options.rate);

  const forget = (id: number) => {
    holdings.delete(id);
    // Keep `ids` ordered so that the random choice depends on the seed only.
    const at = ids.indexOf(id);
    if (at >= 0) ids.splice(at, 1);
  };

  let ran = 0;
  for (let i = 0; i < total; i++) {
    const op: HoldingOp = options.script === 'tutorial' ? TUTORIAL_SCRIPT[i] : randomOp(random, holdings, ids, nextId, options.users);
    const statement = opStatement(op, target, shown);
    await pacer.wait(i, options.signal);
    if (options.signal?.aborted) break;
    const result = await client.query<{ holding_id: number }>(`${statement.sql}${op.kind === 'insert' ? '' : ' RETURNING holding_id'}`, statement.params);
    const rows = result.rowCount ?? 0;
    if (op.kind === 'insert') {
      events.c += rows;
      holdings.set(op.holdingId, { userId: op.userId, stock: op.stock, quantity: op.quantity });
      ids.push(op.holdingId);
      nextId = Math.max(nextId, op.holdingId + 1);
    } else if (op.kind === 'update') {
      events.u += rows;
      const held = holdings.get(op.holdingId);
      if (rows > 0 && held) {
        const old = op.field === 'holding_stock' ? held.stock : held.quantity;
        if (old !== op.value) fieldsChanged[op.field] += 1;
        if (op.field === 'holding_stock') held.stock = String(op.value);
        else held.quantity = Number(op.value);
      }
    } else {
      events.d += rows;
      events.tombstones += rows;
      for (const row of result.rows) forget(row.holding_id);
    }
    if (rows === 0 && op.kind !== 'deleteUser') warnings.push(`"${statement.text}" changed no row: another session changed ${shown} meanwhile`);
    if (options.script === 'tutorial') log.push({ statement: statement.text, rows });
    ran += 1;
    options.onProgress?.(i + 1, total);
  }

  const rowsAtEnd = Number((await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${target}`)).rows[0].n);
  const each = (n: number): PerField => ({ holding_stock: n, holding_quantity: n });
  const byOp: PerOp = { c: each(events.c), u: each(events.u), d: each(events.d) };
  const changedOnlyByOp: PerOp = { c: each(events.c), u: { ...fieldsChanged }, d: each(events.d) };
  const sum = (perOp: PerOp) => Object.values(perOp).reduce((acc, f: PerField) => acc + f.holding_stock + f.holding_quantity, 0);
  return {
    table: shown,
    created: prepared.created,
    truncated: options.truncate,
    replicaIdentity: prepared.replicaIdentity,
    workload: options.script === 'tutorial' ? 'tutorial' : total > 0 ? 'random' : 'none',
    ...(options.script !== 'tutorial' && total > 0 ? { seed: options.seed, users: options.users } : {}),
    statements: ran,
    events,
    fieldsChanged,
    pivot: { fields: [...PIVOT_FIELDS], rows: sum(byOp), byOp, changedOnlyRows: sum(changedOnlyByOp), changedOnlyByOp },
    rowsAtEnd,
    ...(options.script === 'tutorial' ? { log } : {}),
    seconds: Math.round(performance.now() - started) / 1000,
    warnings: [...prepared.warnings, ...warnings],
    interrupted: Boolean(options.signal?.aborted),
  };
}
