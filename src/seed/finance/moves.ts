/**
 * The workload's moves, as a finance source sees them: new orders with their items, statuses
 * moving OPEN → PENDING → COMPLETED (or CANCELLED), delivery dates moved, items changed and
 * removed, customers renamed and added, products repriced, and a few cancelled orders deleted.
 * A move is data (its statements and what it does to the state); index.ts runs each one as one
 * transaction. Every update changes its value, so each one is a real change event.
 */
import { quoteIdent } from '../../pg/identifiers';
import type { Random } from '../random';
import type { FinanceTable, OrderStatus } from './schema';
import { addDays, BASE_DATE, customerName, itemCount } from './start-set';
import { centsToText, nextId, type FinanceState, type Order } from './state';

export const MOVES = [
  'newOrder',
  'newCustomer',
  'statusChange',
  'deliveryMoved',
  'itemChanged',
  'itemRemoved',
  'customerRenamed',
  'productRepriced',
  'orderDeleted',
] as const;
export type MoveKind = (typeof MOVES)[number];

export interface MoveStatement {
  sql: string;
  params: unknown[];
  table: FinanceTable;
  op: 'c' | 'u' | 'd';
}

export interface Move {
  kind: MoveKind;
  statements: MoveStatement[];
  /** For a status change: `OPEN->PENDING` and the like. */
  transition?: string;
  /** What the move does to the state once committed. */
  apply(state: FinanceState): void;
}

const NEXT_STATUS: Record<'OPEN' | 'PENDING', { to: OrderStatus; weight: number }[]> = {
  OPEN: [
    { to: 'PENDING', weight: 0.75 },
    { to: 'CANCELLED', weight: 0.25 },
  ],
  PENDING: [
    { to: 'COMPLETED', weight: 0.75 },
    { to: 'CANCELLED', weight: 0.25 },
  ],
};

const live = (o: Order) => o.status === 'OPEN' || o.status === 'PENDING';

function pickKey<V>(random: Random, map: Map<number, V>, keep: (v: V, k: number) => boolean = () => true): number | undefined {
  const keys: number[] = [];
  for (const [k, v] of map) if (keep(v, k)) keys.push(k);
  return keys.length ? keys[Math.floor(random.next() * keys.length)] : undefined;
}

/** The next move against the data as it is now. Mix: see the thresholds below (new orders most often). */
export function nextMove(random: Random, state: FinanceState, schema: string): Move {
  const s = quoteIdent(schema);
  const roll = random.next();
  const liveOrder = () => pickKey(random, state.orders, live);
  if (roll < 0.05) return newCustomer(random, state, s);
  if (roll < 0.28) {
    const id = liveOrder();
    if (id !== undefined) return statusChange(random, state, s, id);
  } else if (roll < 0.38) {
    const id = liveOrder();
    if (id !== undefined) return deliveryMoved(random, state, s, id);
  } else if (roll < 0.48) {
    const id = pickKey(random, state.items, (i) => live(state.orders.get(i.orderId) as Order));
    if (id !== undefined) return itemChanged(random, state, s, id);
  } else if (roll < 0.53) {
    const counts = new Map<number, number>();
    for (const i of state.items.values()) counts.set(i.orderId, (counts.get(i.orderId) ?? 0) + 1);
    const id = pickKey(random, state.items, (i) => live(state.orders.get(i.orderId) as Order) && (counts.get(i.orderId) ?? 0) > 1);
    if (id !== undefined) return itemRemoved(state, s, id);
  } else if (roll < 0.61) {
    const id = pickKey(random, state.customers);
    if (id !== undefined) return customerRenamed(random, state, s, id);
  } else if (roll < 0.69) {
    const id = pickKey(random, state.products);
    if (id !== undefined) return productRepriced(random, state, s, id);
  } else if (roll < 0.73) {
    const id = pickKey(random, state.orders, (o) => o.status === 'CANCELLED');
    if (id !== undefined) return orderDeleted(state, s, id);
  }
  return newOrder(random, state, s);
}

function newCustomer(random: Random, state: FinanceState, s: string): Move {
  const id = nextId(state.customers);
  const name = customerName(random);
  const email = `${name.toLowerCase().replace(' ', '.')}.${id}@example.com`;
  return {
    kind: 'newCustomer',
    statements: [
      { sql: `INSERT INTO ${s}.customers (customer_id, customer_name, email) VALUES ($1, $2, $3)`, params: [id, name, email], table: 'customers', op: 'c' },
    ],
    apply: (st) => {
      st.customers.set(id, { name, email });
    },
  };
}

function newOrder(random: Random, state: FinanceState, s: string): Move {
  const id = nextId(state.orders);
  const customerId = pickKey(random, state.customers) as number;
  const orderDate = addDays(BASE_DATE, random.int(0, 3));
  const order: Order = { customerId, orderDate, deliveryDate: addDays(orderDate, random.int(1, 14)), status: 'OPEN' };
  const firstItem = nextId(state.items);
  const items = Array.from({ length: itemCount(random) }, (_, k) => ({
    id: firstItem + k,
    productId: pickKey(random, state.products) as number,
    quantity: random.int(1, 20),
  }));
  return {
    kind: 'newOrder',
    statements: [
      {
        sql: `INSERT INTO ${s}.orders (order_id, customer_id, order_date, delivery_date, status) VALUES ($1, $2, $3, $4, $5)`,
        params: [id, order.customerId, order.orderDate, order.deliveryDate, order.status],
        table: 'orders',
        op: 'c',
      },
      {
        sql: `INSERT INTO ${s}.order_items (order_item_id, order_id, product_id, quantity) SELECT i, $2, p, q FROM unnest($1::int[], $3::int[], $4::int[]) AS x(i, p, q)`,
        params: [items.map((i) => i.id), id, items.map((i) => i.productId), items.map((i) => i.quantity)],
        table: 'order_items',
        op: 'c',
      },
    ],
    apply: (st) => {
      st.orders.set(id, order);
      for (const i of items) st.items.set(i.id, { orderId: id, productId: i.productId, quantity: i.quantity });
    },
  };
}

function statusChange(random: Random, state: FinanceState, s: string, id: number): Move {
  const from = (state.orders.get(id) as Order).status as 'OPEN' | 'PENDING';
  const to = random.next() < NEXT_STATUS[from][0].weight ? NEXT_STATUS[from][0].to : NEXT_STATUS[from][1].to;
  return {
    kind: 'statusChange',
    transition: `${from}->${to}`,
    statements: [{ sql: `UPDATE ${s}.orders SET status = $1, updated_at = now() WHERE order_id = $2`, params: [to, id], table: 'orders', op: 'u' }],
    apply: (st) => {
      (st.orders.get(id) as Order).status = to;
    },
  };
}

function deliveryMoved(random: Random, state: FinanceState, s: string, id: number): Move {
  const days = random.int(1, 5) * (random.next() < 0.7 ? 1 : -1);
  const date = addDays((state.orders.get(id) as Order).deliveryDate, days);
  return {
    kind: 'deliveryMoved',
    statements: [{ sql: `UPDATE ${s}.orders SET delivery_date = $1, updated_at = now() WHERE order_id = $2`, params: [date, id], table: 'orders', op: 'u' }],
    apply: (st) => {
      (st.orders.get(id) as Order).deliveryDate = date;
    },
  };
}

function itemChanged(random: Random, state: FinanceState, s: string, id: number): Move {
  const old = (state.items.get(id) as { quantity: number }).quantity;
  let quantity = random.int(1, 19);
  if (quantity >= old) quantity += 1;
  return {
    kind: 'itemChanged',
    statements: [
      { sql: `UPDATE ${s}.order_items SET quantity = $1, updated_at = now() WHERE order_item_id = $2`, params: [quantity, id], table: 'order_items', op: 'u' },
    ],
    apply: (st) => {
      (st.items.get(id) as { quantity: number }).quantity = quantity;
    },
  };
}

function itemRemoved(_state: FinanceState, s: string, id: number): Move {
  return {
    kind: 'itemRemoved',
    statements: [{ sql: `DELETE FROM ${s}.order_items WHERE order_item_id = $1`, params: [id], table: 'order_items', op: 'd' }],
    apply: (st) => {
      st.items.delete(id);
    },
  };
}

function customerRenamed(random: Random, state: FinanceState, s: string, id: number): Move {
  const old = (state.customers.get(id) as { name: string }).name;
  let name = customerName(random);
  if (name === old) name = `${name} Jr`;
  return {
    kind: 'customerRenamed',
    statements: [
      { sql: `UPDATE ${s}.customers SET customer_name = $1, updated_at = now() WHERE customer_id = $2`, params: [name, id], table: 'customers', op: 'u' },
    ],
    apply: (st) => {
      (st.customers.get(id) as { name: string }).name = name;
    },
  };
}

function productRepriced(random: Random, state: FinanceState, s: string, id: number): Move {
  const old = (state.products.get(id) as { priceCents: number }).priceCents;
  // Up or down by 1–20 %, at least one cent, never below one cent.
  const change = Math.max(1, Math.round((old * random.int(1, 20)) / 100));
  const cents = random.next() < 0.6 || old - change < 1 ? old + change : old - change;
  return {
    kind: 'productRepriced',
    statements: [
      {
        sql: `UPDATE ${s}.products SET price = $1::numeric, updated_at = now() WHERE product_id = $2`,
        params: [centsToText(cents), id],
        table: 'products',
        op: 'u',
      },
    ],
    apply: (st) => {
      (st.products.get(id) as { priceCents: number }).priceCents = cents;
    },
  };
}

function orderDeleted(state: FinanceState, s: string, id: number): Move {
  const itemIds = [...state.items].filter(([, i]) => i.orderId === id).map(([k]) => k);
  return {
    kind: 'orderDeleted',
    statements: [
      { sql: `DELETE FROM ${s}.order_items WHERE order_id = $1`, params: [id], table: 'order_items', op: 'd' },
      { sql: `DELETE FROM ${s}.orders WHERE order_id = $1`, params: [id], table: 'orders', op: 'd' },
    ],
    apply: (st) => {
      for (const k of itemIds) st.items.delete(k);
      st.orders.delete(id);
    },
  };
}
