/**
 * The operations a holdings workload is made of, the tutorial's exact sequence, and a seeded
 * random mix. Operations are data; holdings.ts runs them and keeps the books.
 */
import type { Random } from './random';

export type HoldingField = 'holding_stock' | 'holding_quantity';

export type HoldingOp =
  | { kind: 'insert'; holdingId: number; userId: number; stock: string; quantity: number }
  | { kind: 'update'; holdingId: number; field: HoldingField; value: string | number }
  | { kind: 'delete'; holdingId: number }
  | { kind: 'deleteUser'; userId: number };

export interface Holding {
  userId: number;
  stock: string;
  quantity: number;
}

/** The tutorials' statements, in their order. */
export const TUTORIAL_SCRIPT: readonly HoldingOp[] = [
  { kind: 'insert', holdingId: 1000, userId: 1, stock: 'VFIAX', quantity: 10 },
  { kind: 'insert', holdingId: 1001, userId: 2, stock: 'SP500', quantity: 1 },
  { kind: 'insert', holdingId: 1002, userId: 3, stock: 'SP500', quantity: 1 },
  { kind: 'update', holdingId: 1000, field: 'holding_quantity', value: 100 },
  { kind: 'deleteUser', userId: 3 },
  { kind: 'deleteUser', userId: 2 },
  { kind: 'insert', holdingId: 1003, userId: 3, stock: 'VTSAX', quantity: 100 },
  { kind: 'update', holdingId: 1003, field: 'holding_quantity', value: 10 },
];

export const STOCKS: readonly string[] = ['VFIAX', 'SP500', 'VTSAX', 'VTI', 'VOO', 'QQQ', 'BND', 'VXUS', 'AAPL', 'MSFT'];

/**
 * The next random operation against the holdings as they are now. Updates always change the
 * value (a same-value update would still be an event, but no field change), so "fields changed"
 * counts are exact. Mix: 40 % inserts, 20 % stock changes, 25 % quantity changes, 15 % deletes.
 */
export function randomOp(random: Random, holdings: Map<number, Holding>, ids: number[], nextId: number, users: number): HoldingOp {
  const roll = random.next();
  if (ids.length === 0 || roll < 0.4) {
    return { kind: 'insert', holdingId: nextId, userId: random.int(1, users), stock: random.pick(STOCKS), quantity: random.int(1, 1000) };
  }
  const holdingId = ids[Math.floor(random.next() * ids.length)];
  const current = holdings.get(holdingId) as Holding;
  if (roll < 0.6) {
    const choices = STOCKS.filter((s) => s !== current.stock);
    return { kind: 'update', holdingId, field: 'holding_stock', value: random.pick(choices) };
  }
  if (roll < 0.85) {
    let quantity = random.int(1, 999);
    if (quantity >= current.quantity) quantity += 1;
    return { kind: 'update', holdingId, field: 'holding_quantity', value: quantity };
  }
  return { kind: 'delete', holdingId };
}

/** The statement for an operation, as SQL with parameters and as a line a person can read. */
export function opStatement(op: HoldingOp, table: string, shown: string): { sql: string; params: unknown[]; text: string } {
  switch (op.kind) {
    case 'insert':
      return {
        sql: `INSERT INTO ${table} (holding_id, user_id, holding_stock, holding_quantity, datetime_created, datetime_updated) VALUES ($1, $2, $3, $4, now(), now())`,
        params: [op.holdingId, op.userId, op.stock, op.quantity],
        text: `insert into ${shown} values (${op.holdingId}, ${op.userId}, '${op.stock}', ${op.quantity}, now(), now())`,
      };
    case 'update':
      return {
        sql: `UPDATE ${table} SET ${op.field} = $1 WHERE holding_id = $2`,
        params: [op.value, op.holdingId],
        text: `update ${shown} set ${op.field} = ${typeof op.value === 'string' ? `'${op.value}'` : op.value} where holding_id = ${op.holdingId}`,
      };
    case 'delete':
      return { sql: `DELETE FROM ${table} WHERE holding_id = $1`, params: [op.holdingId], text: `delete from ${shown} where holding_id = ${op.holdingId}` };
    case 'deleteUser':
      return { sql: `DELETE FROM ${table} WHERE user_id = $1`, params: [op.userId], text: `delete from ${shown} where user_id = ${op.userId}` };
  }
}
