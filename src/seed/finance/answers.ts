/**
 * The four finance questions (seed-systems.md, E), answered from the seeder's own state: what the
 * reports over the history tables must say for "now" once the pipeline has caught up. Rows and
 * order follow the reports: open-orders by delivery date and status; the three delivery dates
 * with most OPEN/PENDING orders; pending item quantity by product, largest first; the three
 * customers with most PENDING orders.
 */
import type { FinanceState } from './state';

export interface FinanceAnswers {
  'open-orders': { delivery_date: string; status: string; order_count: number }[];
  'top-delivery-dates': { delivery_date: string; order_count: number }[];
  'pending-items': { product_id: number; product_name: string; pending_quantity: number }[];
  'top-customers': { customer_id: number; customer_name: string; order_count: number }[];
}

function counts<K>(keys: K[]): Map<K, number> {
  const m = new Map<K, number>();
  for (const k of keys) m.set(k, (m.get(k) ?? 0) + 1);
  return m;
}

export function financeAnswers(state: FinanceState): FinanceAnswers {
  const orders = [...state.orders];
  const active = orders.filter(([, o]) => o.status === 'OPEN' || o.status === 'PENDING');
  const openOrders = [...counts(active.map(([, o]) => `${o.deliveryDate}\t${o.status}`))]
    .map(([k, n]) => {
      const [delivery_date, status] = k.split('\t');
      return { delivery_date, status, order_count: n };
    })
    .sort((a, b) => a.delivery_date.localeCompare(b.delivery_date) || a.status.localeCompare(b.status));
  const topDates = [...counts(active.map(([, o]) => o.deliveryDate))]
    .map(([delivery_date, order_count]) => ({ delivery_date, order_count }))
    .sort((a, b) => b.order_count - a.order_count || a.delivery_date.localeCompare(b.delivery_date))
    .slice(0, 3);
  const pending = new Set(orders.filter(([, o]) => o.status === 'PENDING').map(([id]) => id));
  const quantity = new Map<number, number>();
  for (const i of state.items.values()) if (pending.has(i.orderId)) quantity.set(i.productId, (quantity.get(i.productId) ?? 0) + i.quantity);
  const pendingItems = [...quantity]
    .map(([product_id, pending_quantity]) => ({ product_id, product_name: state.products.get(product_id)?.name ?? '', pending_quantity }))
    .sort((a, b) => b.pending_quantity - a.pending_quantity || a.product_id - b.product_id);
  const perCustomer = counts(orders.filter(([, o]) => o.status === 'PENDING').map(([, o]) => o.customerId));
  const topCustomers = [...perCustomer]
    .map(([customer_id, order_count]) => ({ customer_id, customer_name: state.customers.get(customer_id)?.name ?? '', order_count }))
    .sort((a, b) => b.order_count - a.order_count || a.customer_id - b.customer_id)
    .slice(0, 3);
  return { 'open-orders': openOrders, 'top-delivery-dates': topDates, 'pending-items': pendingItems, 'top-customers': topCustomers };
}
