/**
 * The reproducible starting set: the same counts and seed always give the same rows (the audit
 * timestamps aside), generated here and loaded in one statement per table.
 */
import type { Client } from 'pg';
import { quoteIdent } from '../../pg/identifiers';
import type { Random } from '../random';
import type { OrderStatus } from './schema';
import { centsToText, emptyState, type FinanceState } from './state';

const FIRST = [
  'Ada',
  'Bram',
  'Chen',
  'Dana',
  'Emil',
  'Fatima',
  'Goran',
  'Hana',
  'Ivo',
  'Jun',
  'Kemal',
  'Lena',
  'Mara',
  'Nils',
  'Olu',
  'Priya',
  'Quinn',
  'Rosa',
  'Sami',
  'Tove',
];
const LAST = [
  'Adler',
  'Berg',
  'Costa',
  'Dahl',
  'Eze',
  'Fischer',
  'Garcia',
  'Horvat',
  'Ito',
  'Jensen',
  'Kowalski',
  'Lund',
  'Moreau',
  'Novak',
  'Okafor',
  'Petrov',
];
const ADJECTIVES = ['Compact', 'Deluxe', 'Eco', 'Heavy', 'Light', 'Mini', 'Pro', 'Smart', 'Steel', 'Ultra'];
const NOUNS = ['Blender', 'Chair', 'Desk', 'Drill', 'Kettle', 'Lamp', 'Monitor', 'Router', 'Scooter', 'Speaker', 'Toaster', 'Watch'];

/** Start-set orders are placed in the 30 days before this date; fixed so a seed means the same rows. */
export const BASE_DATE = '2026-12-01';

export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

export function customerName(random: Random): string {
  return `${random.pick(FIRST)} ${random.pick(LAST)}`;
}

export function productName(random: Random): string {
  return `${random.pick(ADJECTIVES)} ${random.pick(NOUNS)}`;
}

export function itemCount(random: Random): number {
  return random.int(1, 4);
}

export interface StartCounts {
  customers: number;
  products: number;
  orders: number;
}

export function generateStartSet(random: Random, counts: StartCounts): FinanceState {
  const state = emptyState();
  for (let id = 1; id <= counts.customers; id++) {
    const name = customerName(random);
    state.customers.set(id, { name, email: `${name.toLowerCase().replace(' ', '.')}.${id}@example.com` });
  }
  for (let id = 1; id <= counts.products; id++) state.products.set(id, { name: productName(random), priceCents: random.int(100, 50_000) });
  let itemId = 1;
  for (let id = 1; id <= counts.orders; id++) {
    const roll = random.next();
    const status: OrderStatus = roll < 0.35 ? 'OPEN' : roll < 0.65 ? 'PENDING' : roll < 0.9 ? 'COMPLETED' : 'CANCELLED';
    const orderDate = addDays(BASE_DATE, -random.int(0, 30));
    state.orders.set(id, { customerId: random.int(1, counts.customers), orderDate, deliveryDate: addDays(orderDate, random.int(1, 14)), status });
    for (let k = itemCount(random); k > 0; k--) {
      state.items.set(itemId++, { orderId: id, productId: random.int(1, counts.products), quantity: random.int(1, 20) });
    }
  }
  return state;
}

/** Inserts the set, each table in one statement of arrays (parameters: no value is ever SQL). */
export async function loadStartSet(client: Client, schema: string, state: FinanceState): Promise<void> {
  const s = quoteIdent(schema);
  const c = [...state.customers];
  await client.query(`INSERT INTO ${s}.customers (customer_id, customer_name, email) SELECT * FROM unnest($1::int[], $2::text[], $3::text[])`, [
    c.map(([id]) => id),
    c.map(([, v]) => v.name),
    c.map(([, v]) => v.email),
  ]);
  const p = [...state.products];
  await client.query(`INSERT INTO ${s}.products (product_id, product_name, price) SELECT * FROM unnest($1::int[], $2::text[], $3::numeric[])`, [
    p.map(([id]) => id),
    p.map(([, v]) => v.name),
    p.map(([, v]) => centsToText(v.priceCents)),
  ]);
  const o = [...state.orders];
  await client.query(
    `INSERT INTO ${s}.orders (order_id, customer_id, order_date, delivery_date, status) SELECT * FROM unnest($1::int[], $2::int[], $3::date[], $4::date[], $5::text[])`,
    [o.map(([id]) => id), o.map(([, v]) => v.customerId), o.map(([, v]) => v.orderDate), o.map(([, v]) => v.deliveryDate), o.map(([, v]) => v.status)],
  );
  const i = [...state.items];
  await client.query(
    `INSERT INTO ${s}.order_items (order_item_id, order_id, product_id, quantity) SELECT * FROM unnest($1::int[], $2::int[], $3::int[], $4::int[])`,
    [i.map(([id]) => id), i.map(([, v]) => v.orderId), i.map(([, v]) => v.productId), i.map(([, v]) => v.quantity)],
  );
}
