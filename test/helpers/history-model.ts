/**
 * A seeded model of the finance and holdings sources changing over time, written as SCD2 history
 * (the shape `cdc sink postgres` maintains) and answering the report questions itself, in plain
 * TypeScript, as of any moment: the oracle the report SQL is checked against.
 */
import type { Client } from 'pg';

type Row = Record<string, string | number>;
interface Version {
  values: Row;
  from: number;
  to: number | null;
  op: 'INSERT' | 'UPDATE' | 'DELETE';
}

export const STATUSES = ['OPEN', 'PENDING', 'COMPLETED', 'CANCELLED'] as const;
const STOCKS = ['AAPL', 'MSFT', 'GOOG', 'AMZN', 'TSLA'];

class Random {
  constructor(private state: number) {}
  next(): number {
    this.state = (this.state * 1103515245 + 12345) % 2147483648;
    return this.state / 2147483648;
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
}

export class HistoryTable {
  readonly versions = new Map<string, Version[]>();
  constructor(
    readonly name: string,
    readonly columns: { name: string; type: string }[],
    readonly key: string[],
  ) {}

  private keyOf(values: Row): string {
    return this.key.map((k) => values[k]).join('|');
  }

  current(key: string): Row | undefined {
    const last = this.versions.get(key)?.at(-1);
    return last && last.op !== 'DELETE' && last.to === null ? last.values : undefined;
  }

  keys(): string[] {
    return [...this.versions.keys()].filter((k) => this.current(k));
  }

  insert(values: Row, at: number): void {
    const list = this.versions.get(this.keyOf(values)) ?? [];
    list.push({ values, from: at, to: null, op: 'INSERT' });
    this.versions.set(this.keyOf(values), list);
  }

  update(key: string, change: Row, at: number): void {
    const list = this.versions.get(key) as Version[];
    const last = list[list.length - 1];
    last.to = at;
    list.push({ values: { ...last.values, ...change }, from: at, to: null, op: 'UPDATE' });
  }

  delete(key: string, at: number): void {
    const list = this.versions.get(key) as Version[];
    const last = list[list.length - 1];
    last.to = at;
    list.push({ values: last.values, from: at, to: at, op: 'DELETE' });
  }

  /** Rows valid at t (valid_from <= t < valid_to), or the current ones. */
  at(t?: number): Row[] {
    const rows: Row[] = [];
    for (const list of this.versions.values()) {
      for (const v of list) {
        const valid = t === undefined ? v.to === null && v.op !== 'DELETE' : v.from <= t && (v.to === null || v.to > t);
        if (valid) rows.push(v.values);
      }
    }
    return rows;
  }

  async write(client: Client, schema: string, startMs: number): Promise<void> {
    const cols = this.columns.map((c) => `${c.name} ${c.type}`).join(', ');
    await client.query(
      `CREATE TABLE ${schema}.${this.name}_history (${cols}, valid_from timestamptz NOT NULL, valid_to timestamptz, is_current boolean NOT NULL, operation_type text NOT NULL, _source_lsn bigint, _kafka_offset bigint)`,
    );
    const all: unknown[][] = [];
    let lsn = 0;
    for (const list of this.versions.values()) {
      for (const v of list) {
        lsn++;
        all.push([
          ...this.columns.map((c) => v.values[c.name]),
          new Date(startMs + v.from * 1000).toISOString(),
          v.to === null ? null : new Date(startMs + v.to * 1000).toISOString(),
          v.to === null && v.op !== 'DELETE',
          v.op,
          lsn,
          lsn,
        ]);
      }
    }
    for (let i = 0; i < all.length; i += 500) {
      const chunk = all.slice(i, i + 500);
      const width = chunk[0].length;
      const placeholders = chunk.map((_, r) => `(${Array.from({ length: width }, (_, c) => `$${r * width + c + 1}`).join(', ')})`).join(', ');
      await client.query(`INSERT INTO ${schema}.${this.name}_history VALUES ${placeholders}`, chunk.flat());
    }
  }
}

export interface FinanceModel {
  customers: HistoryTable;
  products: HistoryTable;
  orders: HistoryTable;
  items: HistoryTable;
  /** Seconds after the start at which the model last changed. */
  end: number;
}

/** Customers, products, orders and items changing for `steps` seconds (one change per second). */
export function financeModel(seed: number, steps: number): FinanceModel {
  const r = new Random(seed);
  const customers = new HistoryTable(
    'customers',
    [
      { name: 'customer_id', type: 'int' },
      { name: 'customer_name', type: 'text' },
    ],
    ['customer_id'],
  );
  const products = new HistoryTable(
    'products',
    [
      { name: 'product_id', type: 'int' },
      { name: 'product_name', type: 'text' },
    ],
    ['product_id'],
  );
  const orders = new HistoryTable(
    'orders',
    [
      { name: 'order_id', type: 'int' },
      { name: 'customer_id', type: 'int' },
      { name: 'delivery_date', type: 'date' },
      { name: 'status', type: 'text' },
    ],
    ['order_id'],
  );
  const items = new HistoryTable(
    'order_items',
    [
      { name: 'order_item_id', type: 'int' },
      { name: 'order_id', type: 'int' },
      { name: 'product_id', type: 'int' },
      { name: 'quantity', type: 'bigint' },
    ],
    ['order_item_id'],
  );
  for (let c = 1; c <= 8; c++) customers.insert({ customer_id: c, customer_name: `Customer ${c}` }, 0);
  for (let p = 1; p <= 6; p++) products.insert({ product_id: p, product_name: `Product ${p}` }, 0);
  const date = () => `2026-12-${String(r.int(10, 16)).padStart(2, '0')}`;
  let nextOrder = 1;
  let nextItem = 1;
  for (let t = 1; t <= steps; t++) {
    const roll = r.next();
    const open = orders.keys();
    if (roll < 0.3 || open.length === 0) {
      const id = nextOrder++;
      orders.insert({ order_id: id, customer_id: r.int(1, 8), delivery_date: date(), status: r.pick(['OPEN', 'PENDING']) }, t);
      for (let k = r.int(1, 3); k > 0; k--) items.insert({ order_item_id: nextItem++, order_id: id, product_id: r.int(1, 6), quantity: r.int(1, 50) }, t);
    } else if (roll < 0.6) {
      orders.update(r.pick(open), { status: r.pick(STATUSES) }, t);
    } else if (roll < 0.7) {
      orders.update(r.pick(open), { delivery_date: date() }, t);
    } else if (roll < 0.8) {
      const live = items.keys();
      if (live.length) items.update(r.pick(live), { quantity: r.int(1, 50) }, t);
    } else if (roll < 0.85) {
      const live = items.keys();
      if (live.length) items.delete(r.pick(live), t);
    } else if (roll < 0.92) {
      customers.update(String(r.int(1, 8)), { customer_name: `Customer ${r.int(1, 8)} renamed at ${t}` }, t);
    } else if (roll < 0.96) {
      products.update(String(r.int(1, 6)), { product_name: `Product renamed at ${t}` }, t);
    } else {
      const id = r.pick(open);
      for (const key of items.keys()) if (items.current(key)?.order_id === Number(id)) items.delete(key, t);
      orders.delete(id, t);
    }
  }
  return { customers, products, orders, items, end: steps };
}

const count = <T>(rows: T[], key: (row: T) => string) => {
  const counts = new Map<string, number>();
  for (const row of rows) counts.set(key(row), (counts.get(key(row)) ?? 0) + 1);
  return counts;
};

/** The four finance questions, answered from the model at t (seconds), in the reports' order. */
export function financeAnswers(m: FinanceModel, t?: number) {
  const orders = m.orders.at(t);
  const active = orders.filter((o) => o.status === 'OPEN' || o.status === 'PENDING');
  const byDateStatus = [...count(active, (o) => `${o.delivery_date}\t${o.status}`)]
    .map(([k, n]) => {
      const [d, s] = k.split('\t');
      return { delivery_date: d, status: s, order_count: n };
    })
    .sort((a, b) => a.delivery_date.localeCompare(b.delivery_date) || a.status.localeCompare(b.status));
  const topDates = [...count(active, (o) => String(o.delivery_date))]
    .map(([d, n]) => ({ delivery_date: d, order_count: n }))
    .sort((a, b) => b.order_count - a.order_count || a.delivery_date.localeCompare(b.delivery_date))
    .slice(0, 3);
  const pendingIds = new Set(orders.filter((o) => o.status === 'PENDING').map((o) => o.order_id));
  const names = new Map(m.products.at(t).map((p) => [p.product_id, String(p.product_name)]));
  const qty = new Map<number, number>();
  for (const i of m.items.at(t))
    if (pendingIds.has(i.order_id) && names.has(i.product_id)) qty.set(Number(i.product_id), (qty.get(Number(i.product_id)) ?? 0) + Number(i.quantity));
  const pendingItems = [...qty]
    .map(([id, q]) => ({ product_id: id, product_name: names.get(id), pending_quantity: q }))
    .sort((a, b) => b.pending_quantity - a.pending_quantity || a.product_id - b.product_id);
  const customerNames = new Map(m.customers.at(t).map((c) => [c.customer_id, String(c.customer_name)]));
  const perCustomer = count(
    orders.filter((o) => o.status === 'PENDING' && customerNames.has(o.customer_id)),
    (o) => String(o.customer_id),
  );
  const topCustomers = [...perCustomer]
    .map(([id, n]) => ({ customer_id: Number(id), customer_name: customerNames.get(Number(id)), order_count: n }))
    .sort((a, b) => b.order_count - a.order_count || a.customer_id - b.customer_id)
    .slice(0, 3);
  return { 'open-orders': byDateStatus, 'top-delivery-dates': topDates, 'pending-items': pendingItems, 'top-customers': topCustomers };
}

export interface HoldingsModel {
  holding: HistoryTable;
  end: number;
  stockChanges: { user: number; at: number; from: string }[];
  quantityChanges: { user: number; at: number }[];
}

export function holdingsModel(seed: number, steps: number): HoldingsModel {
  const r = new Random(seed);
  const holding = new HistoryTable(
    'holding',
    [
      { name: 'holding_id', type: 'int' },
      { name: 'user_id', type: 'int' },
      { name: 'holding_stock', type: 'text' },
      { name: 'holding_quantity', type: 'int' },
    ],
    ['holding_id'],
  );
  const stockChanges: HoldingsModel['stockChanges'] = [];
  const quantityChanges: HoldingsModel['quantityChanges'] = [];
  let next = 1;
  for (let t = 1; t <= steps; t++) {
    const live = holding.keys();
    const roll = r.next();
    if (roll < 0.3 || live.length === 0)
      holding.insert({ holding_id: next++, user_id: r.int(1, 4), holding_stock: r.pick(STOCKS), holding_quantity: r.int(1, 100) }, t);
    else if (roll < 0.65) {
      const key = r.pick(live);
      const row = holding.current(key) as Row;
      const stock = r.pick(STOCKS.filter((s) => s !== row.holding_stock));
      stockChanges.push({ user: Number(row.user_id), at: t, from: String(row.holding_stock) });
      holding.update(key, { holding_stock: stock }, t);
    } else if (roll < 0.9) {
      const key = r.pick(live);
      const row = holding.current(key) as Row;
      quantityChanges.push({ user: Number(row.user_id), at: t });
      holding.update(key, { holding_quantity: Number(row.holding_quantity) + r.int(1, 9) }, t);
    } else holding.delete(r.pick(live), t);
  }
  return { holding, end: steps, stockChanges, quantityChanges };
}
