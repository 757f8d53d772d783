/**
 * Every report once: its parameters, its columns and its SQL. `cdc report`, the views of
 * `cdc report install-views` and the routes of `cdc serve` are all built from this list, so a
 * question is answered the same way everywhere.
 */
import { historyTable, type SqlBuilder } from './sql';
import { validAt } from './as-of';

export type Pipeline = 'finance' | 'holdings';
export type ColumnType = 'date' | 'text' | 'integer' | 'decimal';

export interface ColumnSpec {
  name: string;
  type: ColumnType;
}

export interface ParamSpec {
  /** Name in --json, the API's query string and --help (`--limit`, `?limit=`). */
  name: 'limit' | 'status' | 'user' | 'from' | 'to';
  kind: 'count' | 'status' | 'id' | 'time';
  description: string;
  required: boolean;
  default?: number | string;
}

export interface ReportArgs {
  limit?: number;
  status?: OrderStatusChoice;
  user?: string;
  from?: string;
  to?: string;
}

export interface ReportSpec {
  name: string;
  pipeline: Pipeline;
  description: string;
  params: ParamSpec[];
  columns: ColumnSpec[];
  /** The HTTP route of `cdc serve`. */
  route: string;
  /** The view `install-views` creates with these arguments (finance reports only). */
  view?: { name: string; args: ReportArgs };
  /** The query: current versions without `at`, versions valid at `at` with it. */
  sql(sql: SqlBuilder, schema: string, args: ReportArgs, at: string | undefined): string;
}

/** Order statuses of the finance source, and the choices `--status` offers over them. */
export const ORDER_STATUSES = ['OPEN', 'PENDING', 'COMPLETED', 'CANCELLED'] as const;
export const STATUS_CHOICES = {
  /** "Open" in the finance questions means not yet closed: OPEN or PENDING. */
  open: ['OPEN', 'PENDING'],
  pending: ['PENDING'],
  completed: ['COMPLETED'],
  cancelled: ['CANCELLED'],
  all: [...ORDER_STATUSES],
} as const;
export type OrderStatusChoice = keyof typeof STATUS_CHOICES;

export const DEFAULT_SCHEMA: Record<Pipeline, string> = { finance: 'finance', holdings: 'bank' };

const LIMIT: ParamSpec = { name: 'limit', kind: 'count', description: 'how many rows (1–10000)', required: false, default: 3 };
const USER: ParamSpec = { name: 'user', kind: 'id', description: 'the user_id whose holdings are counted', required: true };

function statuses(sql: SqlBuilder, choice: OrderStatusChoice): string {
  return sql.param([...STATUS_CHOICES[choice]], 'text[]');
}

/**
 * Versions of one holding in source order. Within one transaction every event has the same commit
 * time, so the source LSN (then the Kafka offset) breaks the tie.
 */
const HOLDING_VERSION_ORDER = 'PARTITION BY h.holding_id ORDER BY h.valid_from, h._source_lsn, h._kafka_offset';

/** Updates of one field of one user's holdings that changed its value, up to `at`. */
function fieldChanges(field: 'holding_stock' | 'holding_quantity') {
  return (sql: SqlBuilder, schema: string, args: ReportArgs, at: string | undefined): string => `
    SELECT count(*) AS changes
    FROM (
      SELECT h.operation_type, h.${field} AS value, lag(h.${field}) OVER (${HOLDING_VERSION_ORDER}) AS previous
      FROM ${historyTable(schema, 'holding')} h
      WHERE h.user_id = ${sql.param(args.user, 'bigint')}${at === undefined ? '' : ` AND h.valid_from <= ${sql.param(at, 'timestamptz')}`}
    ) v
    WHERE v.operation_type = 'UPDATE' AND v.previous IS NOT NULL AND v.previous IS DISTINCT FROM v.value`;
}

export const REPORTS: readonly ReportSpec[] = [
  {
    name: 'open-orders',
    pipeline: 'finance',
    description: 'orders counted by delivery date and status (default: OPEN and PENDING)',
    params: [{ name: 'status', kind: 'status', description: 'open (OPEN+PENDING), pending, completed, cancelled or all', required: false, default: 'open' }],
    columns: [
      { name: 'delivery_date', type: 'date' },
      { name: 'status', type: 'text' },
      { name: 'order_count', type: 'integer' },
    ],
    route: '/orders',
    view: { name: 'open_orders_by_delivery_date_status', args: { status: 'open' } },
    sql: (sql, schema, args, at) => `
      SELECT o.delivery_date, o.status, count(*) AS order_count
      FROM ${historyTable(schema, 'orders')} o
      WHERE ${validAt(sql, 'o', at)} AND o.status = ANY(${statuses(sql, args.status ?? 'open')})
      GROUP BY o.delivery_date, o.status
      ORDER BY o.delivery_date, o.status`,
  },
  {
    name: 'top-delivery-dates',
    pipeline: 'finance',
    description: 'the delivery dates with most OPEN or PENDING orders',
    params: [LIMIT],
    columns: [
      { name: 'delivery_date', type: 'date' },
      { name: 'order_count', type: 'integer' },
    ],
    route: '/orders/top',
    view: { name: 'top_delivery_dates_open_orders', args: { limit: 3 } },
    sql: (sql, schema, args, at) => `
      SELECT o.delivery_date, count(*) AS order_count
      FROM ${historyTable(schema, 'orders')} o
      WHERE ${validAt(sql, 'o', at)} AND o.status = ANY(${statuses(sql, 'open')})
      GROUP BY o.delivery_date
      ORDER BY order_count DESC, o.delivery_date
      LIMIT ${sql.param(args.limit ?? 3, 'integer')}`,
  },
  {
    name: 'pending-items',
    pipeline: 'finance',
    description: 'item quantity of PENDING orders by product, largest first',
    params: [],
    columns: [
      { name: 'product_id', type: 'integer' },
      { name: 'product_name', type: 'text' },
      { name: 'pending_quantity', type: 'decimal' },
    ],
    route: '/orders/product',
    view: { name: 'open_pending_items_by_product', args: {} },
    sql: (sql, schema, _args, at) => `
      SELECT p.product_id, p.product_name, sum(i.quantity) AS pending_quantity
      FROM ${historyTable(schema, 'order_items')} i
      JOIN ${historyTable(schema, 'orders')} o ON o.order_id = i.order_id AND ${validAt(sql, 'o', at)} AND o.status = 'PENDING'
      JOIN ${historyTable(schema, 'products')} p ON p.product_id = i.product_id AND ${validAt(sql, 'p', at)}
      WHERE ${validAt(sql, 'i', at)}
      GROUP BY p.product_id, p.product_name
      ORDER BY pending_quantity DESC, p.product_id`,
  },
  {
    name: 'top-customers',
    pipeline: 'finance',
    description: 'the customers with most distinct orders in a status (default PENDING)',
    params: [
      { name: 'status', kind: 'status', description: 'pending, open (OPEN+PENDING), completed, cancelled or all', required: false, default: 'pending' },
      LIMIT,
    ],
    columns: [
      { name: 'customer_id', type: 'integer' },
      { name: 'customer_name', type: 'text' },
      { name: 'order_count', type: 'integer' },
    ],
    route: '/orders/customers',
    view: { name: 'top_customers_with_pending_orders', args: { status: 'pending', limit: 3 } },
    sql: (sql, schema, args, at) => `
      SELECT c.customer_id, c.customer_name, count(DISTINCT o.order_id) AS order_count
      FROM ${historyTable(schema, 'orders')} o
      JOIN ${historyTable(schema, 'customers')} c ON c.customer_id = o.customer_id AND ${validAt(sql, 'c', at)}
      WHERE ${validAt(sql, 'o', at)} AND o.status = ANY(${statuses(sql, args.status ?? 'pending')})
      GROUP BY c.customer_id, c.customer_name
      ORDER BY order_count DESC, c.customer_id
      LIMIT ${sql.param(args.limit ?? 3, 'integer')}`,
  },
  {
    name: 'stock-changes',
    pipeline: 'holdings',
    description: 'how many times a user changed the stock of a holding (holding_stock)',
    params: [USER],
    columns: [{ name: 'changes', type: 'integer' }],
    route: '/holdings/stock-changes',
    sql: fieldChanges('holding_stock'),
  },
  {
    name: 'quantity-changes',
    pipeline: 'holdings',
    description: 'how many times a user changed the quantity of a holding (holding_quantity)',
    params: [USER],
    columns: [{ name: 'changes', type: 'integer' }],
    route: '/holdings/quantity-changes',
    sql: fieldChanges('holding_quantity'),
  },
  {
    name: 'top-sold-stock',
    pipeline: 'holdings',
    description: 'the stock most often replaced (sold) by a stock change committed in [from, to)',
    params: [
      { name: 'from', kind: 'time', description: 'start of the window (inclusive), ISO-8601', required: true },
      { name: 'to', kind: 'time', description: 'end of the window (exclusive), ISO-8601', required: true },
      { ...LIMIT, default: 1 },
    ],
    columns: [
      { name: 'holding_stock', type: 'text' },
      { name: 'times_sold', type: 'integer' },
    ],
    route: '/holdings/top-sold-stock',
    // The tutorial filters on its datetime_updated column, which its workload never updates; the
    // commit time of the change (valid_from) is what "sold between D1 and D2" means.
    sql: (sql, schema, args, at) => `
      SELECT v.previous AS holding_stock, count(*) AS times_sold
      FROM (
        SELECT h.operation_type, h.valid_from, h.holding_stock AS value, lag(h.holding_stock) OVER (${HOLDING_VERSION_ORDER}) AS previous
        FROM ${historyTable(schema, 'holding')} h${
          at === undefined
            ? ''
            : `
        WHERE h.valid_from <= ${sql.param(at, 'timestamptz')}`
        }
      ) v
      WHERE v.operation_type = 'UPDATE' AND v.previous IS NOT NULL AND v.previous IS DISTINCT FROM v.value
        AND v.valid_from >= ${sql.param(args.from, 'timestamptz')} AND v.valid_from < ${sql.param(args.to, 'timestamptz')}
      GROUP BY v.previous
      ORDER BY times_sold DESC, v.previous
      LIMIT ${sql.param(args.limit ?? 1, 'integer')}`,
  },
];

export function findReport(name: string): ReportSpec | undefined {
  return REPORTS.find((r) => r.name === name);
}
