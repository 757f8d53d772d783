/**
 * The finance source schema of the take-home pipeline: customers, products, orders and
 * order_items with the columns the finance questions use (customer name; product name; order and
 * delivery date, status, customer; item product and quantity), primary and foreign keys, and
 * created_at / updated_at audit columns. Every statement the workload runs sets updated_at itself.
 */
import { quoteIdent } from '../../pg/identifiers';

export const FINANCE_TABLES = ['customers', 'products', 'orders', 'order_items'] as const;
export type FinanceTable = (typeof FINANCE_TABLES)[number];

export const STATUSES = ['OPEN', 'PENDING', 'COMPLETED', 'CANCELLED'] as const;
export type OrderStatus = (typeof STATUSES)[number];

const AUDIT = 'created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL DEFAULT now()';

/** CREATE statements in dependency order, for schema `schema`. */
export function financeDdl(schema: string, identity: 'full' | 'default'): string[] {
  const s = quoteIdent(schema);
  const statements = [
    `CREATE SCHEMA IF NOT EXISTS ${s}`,
    `CREATE TABLE ${s}.customers (customer_id integer PRIMARY KEY, customer_name text NOT NULL, email text, ${AUDIT})`,
    `CREATE TABLE ${s}.products (product_id integer PRIMARY KEY, product_name text NOT NULL, price numeric(12,2) NOT NULL CHECK (price >= 0), ${AUDIT})`,
    `CREATE TABLE ${s}.orders (order_id integer PRIMARY KEY, customer_id integer NOT NULL REFERENCES ${s}.customers,
      order_date date NOT NULL, delivery_date date NOT NULL,
      status text NOT NULL CHECK (status IN (${STATUSES.map((x) => `'${x}'`).join(', ')})), ${AUDIT})`,
    `CREATE TABLE ${s}.order_items (order_item_id integer PRIMARY KEY, order_id integer NOT NULL REFERENCES ${s}.orders,
      product_id integer NOT NULL REFERENCES ${s}.products, quantity integer NOT NULL CHECK (quantity > 0), ${AUDIT})`,
    `CREATE INDEX ON ${s}.orders (customer_id)`,
    `CREATE INDEX ON ${s}.order_items (order_id)`,
    `CREATE INDEX ON ${s}.order_items (product_id)`,
  ];
  if (identity === 'full') for (const t of FINANCE_TABLES) statements.push(`ALTER TABLE ${s}.${t} REPLICA IDENTITY FULL`);
  return statements;
}
