/**
 * `cdc seed finance`: the finance source schema, a reproducible starting set, and a workload of
 * realistic moves. The schema (when missing), the truncate and the starting set are one
 * transaction: a failed or killed run leaves the tables as they were (or absent). Each move of the
 * workload is its own transaction, as an application would commit it. The report says what was
 * done, with per-table change events and the four finance answers for the state at the end.
 */
import type { Client } from 'pg';
import { CdcError, InterruptedError } from '../../errors';
import { quoteIdent } from '../../pg/identifiers';
import { createPacer } from '../pacer';
import { seededRandom } from '../random';
import { financeAnswers, type FinanceAnswers } from './answers';
import { MOVES, nextMove, type MoveKind } from './moves';
import { financeDdl, FINANCE_TABLES, type FinanceTable } from './schema';
import { generateStartSet, loadStartSet, type StartCounts } from './start-set';
import { readState } from './state';

export const DEFAULT_START: StartCounts = { customers: 20, products: 10, orders: 100 };

export interface SeedFinanceOptions {
  schema: string;
  replicaIdentity: 'full' | 'default';
  /** Counts given on the command line; the rest default. Loading over rows needs `truncate`. */
  start: Partial<StartCounts>;
  seed: number;
  ops: number;
  rate?: number;
  truncate: boolean;
  onProgress?: (done: number, total: number) => void;
  /** Ctrl-C: the load rolls back; the workload stops before its next move. */
  signal?: AbortSignal;
}

type Events = Record<FinanceTable, { c: number; u: number; d: number }>;

export interface SeedFinanceResult {
  schema: string;
  created: boolean;
  truncated: boolean;
  replicaIdentity: string;
  seed: number;
  /** Rows of the starting set loaded now (null: the tables had rows and were left as they were). */
  startSet: { customers: number; products: number; orders: number; order_items: number } | null;
  /** Moves run, each one transaction. */
  ops: number;
  moves: Record<MoveKind, number>;
  /** Status changes by transition (`OPEN->PENDING`, …). */
  statusChanges: Record<string, number>;
  /** Row changes of the workload by table and Debezium op (the starting set's inserts not included). */
  events: Events;
  rowsAtEnd: Record<FinanceTable, number>;
  /** The four finance questions for the data at the end. */
  answers: FinanceAnswers;
  seconds: number;
  interrupted: boolean;
}

export async function seedFinance(client: Client, options: SeedFinanceOptions): Promise<SeedFinanceResult> {
  const started = performance.now();
  const s = quoteIdent(options.schema);
  const existing = await client.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = ANY ($2) AND c.relkind = 'r'`,
    [options.schema, FINANCE_TABLES],
  );
  const found = new Set(existing.rows.map((r) => r.name));
  if (found.size > 0 && found.size < FINANCE_TABLES.length) {
    throw new CdcError(`schema ${options.schema} has ${[...found].join(', ')} but not ${FINANCE_TABLES.filter((t) => !found.has(t)).join(', ')}`, {
      hint: 'seed into another --schema, or drop those tables first',
    });
  }
  const created = found.size === 0;
  const hasRows =
    !created &&
    (await client.query<{ rows: boolean }>(`SELECT EXISTS (SELECT 1 FROM ${s}.customers) OR EXISTS (SELECT 1 FROM ${s}.orders) AS rows`)).rows[0].rows;
  const explicit = Object.values(options.start).some((v) => v !== undefined);
  if (hasRows && !options.truncate && explicit) {
    throw new CdcError(`${options.schema} already has finance rows: a starting set goes into empty tables`, {
      hint: 'pass --truncate to replace them, or leave out --customers/--products/--orders to run the workload on them',
    });
  }
  const load = !hasRows || options.truncate;
  const counts: StartCounts = { ...DEFAULT_START, ...Object.fromEntries(Object.entries(options.start).filter(([, v]) => v !== undefined)) };
  if (counts.orders > 0 && (counts.customers === 0 || counts.products === 0)) {
    throw new CdcError('orders need customers and products: give --customers and --products above 0');
  }

  let startSet: SeedFinanceResult['startSet'] = null;
  if (load || created) {
    const set = generateStartSet(seededRandom(options.seed), counts);
    await client.query('BEGIN');
    try {
      if (created) for (const sql of financeDdl(options.schema, options.replicaIdentity)) await client.query(sql);
      if (options.truncate && !created) await client.query(`TRUNCATE ${FINANCE_TABLES.map((t) => `${s}.${quoteIdent(t)}`).join(', ')}`);
      if (load) await loadStartSet(client, options.schema, set);
      if (options.signal?.aborted) throw new InterruptedError('interrupted: the starting set was rolled back, nothing changed');
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    }
    if (load) startSet = { customers: set.customers.size, products: set.products.size, orders: set.orders.size, order_items: set.items.size };
  }

  const state = await readState(client, options.schema);
  if (options.ops > 0 && (state.customers.size === 0 || state.products.size === 0)) {
    throw new CdcError(`${options.schema} has no ${state.customers.size === 0 ? 'customers' : 'products'}: the workload needs some`, {
      hint: 'load a starting set first (--customers N --products N --truncate)',
    });
  }
  const random = seededRandom((options.seed ^ 0x5bd1e995) >>> 0);
  const moves = Object.fromEntries(MOVES.map((m) => [m, 0])) as Record<MoveKind, number>;
  const statusChanges: Record<string, number> = {};
  const events = Object.fromEntries(FINANCE_TABLES.map((t) => [t, { c: 0, u: 0, d: 0 }])) as Events;
  const pacer = createPacer(options.rate);
  let ran = 0;
  for (let i = 0; i < options.ops; i++) {
    await pacer.wait(i, options.signal);
    if (options.signal?.aborted) break;
    const move = nextMove(random, state, options.schema);
    const single = move.statements.length === 1;
    if (!single) await client.query('BEGIN');
    const changed: number[] = [];
    try {
      for (const st of move.statements) changed.push((await client.query(st.sql, st.params)).rowCount ?? 0);
      if (!single) await client.query('COMMIT');
    } catch (err) {
      if (!single) await client.query('ROLLBACK').catch(() => {});
      throw err;
    }
    move.statements.forEach((st, k) => {
      events[st.table][st.op] += changed[k];
    });
    move.apply(state);
    moves[move.kind] += 1;
    if (move.transition) statusChanges[move.transition] = (statusChanges[move.transition] ?? 0) + 1;
    ran += 1;
    options.onProgress?.(ran, options.ops);
  }

  const rowsAtEnd = {} as Record<FinanceTable, number>;
  for (const t of FINANCE_TABLES) rowsAtEnd[t] = Number((await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${s}.${quoteIdent(t)}`)).rows[0].n);
  return {
    schema: options.schema,
    created,
    truncated: options.truncate && !created,
    replicaIdentity: options.replicaIdentity,
    seed: options.seed,
    startSet,
    ops: ran,
    moves,
    statusChanges,
    events,
    rowsAtEnd,
    answers: financeAnswers(state),
    seconds: Math.round(performance.now() - started) / 1000,
    interrupted: Boolean(options.signal?.aborted),
  };
}
