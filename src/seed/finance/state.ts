/**
 * The finance data as the seeder knows it: what it loaded or read back, kept current as the
 * workload runs, so that moves are chosen against the real rows and the report can answer the
 * finance questions without asking the database.
 */
import type { Client } from 'pg';
import { quoteIdent } from '../../pg/identifiers';
import type { OrderStatus } from './schema';

export interface Customer {
  name: string;
  email: string;
}
export interface Product {
  name: string;
  /** Exact: cents as an integer. */ priceCents: number;
}
export interface Order {
  customerId: number;
  orderDate: string;
  deliveryDate: string;
  status: OrderStatus;
}
export interface Item {
  orderId: number;
  productId: number;
  quantity: number;
}

export interface FinanceState {
  customers: Map<number, Customer>;
  products: Map<number, Product>;
  orders: Map<number, Order>;
  items: Map<number, Item>;
}

export function emptyState(): FinanceState {
  return { customers: new Map(), products: new Map(), orders: new Map(), items: new Map() };
}

/** The next free id of a table: one above the largest. */
export function nextId(map: Map<number, unknown>): number {
  let max = 0;
  for (const id of map.keys()) if (id > max) max = id;
  return max + 1;
}

export function centsToText(cents: number): string {
  return `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
}

/** Reads the four tables back in key order (so moves chosen from them depend on the seed only). */
export async function readState(client: Client, schema: string): Promise<FinanceState> {
  const s = quoteIdent(schema);
  const state = emptyState();
  const customers = await client.query<{ id: number; name: string; email: string | null }>(
    `SELECT customer_id AS id, customer_name AS name, email FROM ${s}.customers ORDER BY 1`,
  );
  for (const r of customers.rows) state.customers.set(r.id, { name: r.name, email: r.email ?? '' });
  const products = await client.query<{ id: number; name: string; cents: string }>(
    `SELECT product_id AS id, product_name AS name, (price * 100)::bigint::text AS cents FROM ${s}.products ORDER BY 1`,
  );
  for (const r of products.rows) state.products.set(r.id, { name: r.name, priceCents: Number(r.cents) });
  const orders = await client.query<{ id: number; customer: number; ordered: string; delivery: string; status: OrderStatus }>(
    `SELECT order_id AS id, customer_id AS customer, order_date::text AS ordered, delivery_date::text AS delivery, status FROM ${s}.orders ORDER BY 1`,
  );
  for (const r of orders.rows) state.orders.set(r.id, { customerId: r.customer, orderDate: r.ordered, deliveryDate: r.delivery, status: r.status });
  const items = await client.query<{ id: number; order_id: number; product_id: number; quantity: number }>(
    `SELECT order_item_id AS id, order_id, product_id, quantity FROM ${s}.order_items ORDER BY 1`,
  );
  for (const r of items.rows) state.items.set(r.id, { orderId: r.order_id, productId: r.product_id, quantity: r.quantity });
  return state;
}
