import { seededRandom } from '../../src/seed/random';
import { financeAnswers } from '../../src/seed/finance/answers';
import { nextMove } from '../../src/seed/finance/moves';
import { addDays, generateStartSet } from '../../src/seed/finance/start-set';
import { centsToText, type FinanceState } from '../../src/seed/finance/state';

describe('seed finance: the starting set and the moves', () => {
  it('generates the same set from the same seed, and another from another seed', () => {
    const counts = { customers: 10, products: 5, orders: 30 };
    expect(generateStartSet(seededRandom(1), counts)).toEqual(generateStartSet(seededRandom(1), counts));
    expect(generateStartSet(seededRandom(1), counts)).not.toEqual(generateStartSet(seededRandom(2), counts));
  });

  it('moves only along OPEN → PENDING → COMPLETED/CANCELLED, always change a value, and keep every order with an item', () => {
    const state = generateStartSet(seededRandom(5), { customers: 8, products: 4, orders: 40 });
    const random = seededRandom(9);
    const allowed = new Set(['OPEN->PENDING', 'OPEN->CANCELLED', 'PENDING->COMPLETED', 'PENDING->CANCELLED']);
    for (let i = 0; i < 500; i++) {
      const before = JSON.stringify([...state.orders, ...state.items, ...state.customers, ...state.products]);
      const move = nextMove(random, state, 'finance');
      move.apply(state);
      if (move.transition) expect(allowed.has(move.transition)).toBe(true);
      if (move.kind !== 'newOrder' && move.kind !== 'newCustomer') {
        expect(JSON.stringify([...state.orders, ...state.items, ...state.customers, ...state.products])).not.toBe(before);
      }
    }
    const withItems = new Set([...state.items.values()].map((item) => item.orderId));
    for (const id of state.orders.keys()) expect(withItems.has(id)).toBe(true);
    for (const item of state.items.values()) expect(state.orders.has(item.orderId) && state.products.has(item.productId)).toBe(true);
    for (const p of state.products.values()) expect(p.priceCents).toBeGreaterThanOrEqual(1);
  });

  it("answers the four questions from the state, in the reports' order", () => {
    const state: FinanceState = {
      customers: new Map([
        [1, { name: 'A', email: '' }],
        [2, { name: 'B', email: '' }],
      ]),
      products: new Map([
        [1, { name: 'P1', priceCents: 100 }],
        [2, { name: 'P2', priceCents: 250 }],
      ]),
      orders: new Map([
        [1, { customerId: 1, orderDate: '2026-12-01', deliveryDate: '2026-12-05', status: 'PENDING' as const }],
        [2, { customerId: 2, orderDate: '2026-12-01', deliveryDate: '2026-12-05', status: 'OPEN' as const }],
        [3, { customerId: 2, orderDate: '2026-12-01', deliveryDate: '2026-12-03', status: 'PENDING' as const }],
        [4, { customerId: 1, orderDate: '2026-12-01', deliveryDate: '2026-12-01', status: 'COMPLETED' as const }],
      ]),
      items: new Map([
        [1, { orderId: 1, productId: 1, quantity: 3 }],
        [2, { orderId: 3, productId: 2, quantity: 5 }],
        [3, { orderId: 3, productId: 1, quantity: 1 }],
        [4, { orderId: 2, productId: 2, quantity: 9 }],
      ]),
    };
    expect(financeAnswers(state)).toEqual({
      'open-orders': [
        { delivery_date: '2026-12-03', status: 'PENDING', order_count: 1 },
        { delivery_date: '2026-12-05', status: 'OPEN', order_count: 1 },
        { delivery_date: '2026-12-05', status: 'PENDING', order_count: 1 },
      ],
      'top-delivery-dates': [
        { delivery_date: '2026-12-05', order_count: 2 },
        { delivery_date: '2026-12-03', order_count: 1 },
      ],
      'pending-items': [
        { product_id: 2, product_name: 'P2', pending_quantity: 5 },
        { product_id: 1, product_name: 'P1', pending_quantity: 4 },
      ],
      'top-customers': [
        { customer_id: 1, customer_name: 'A', order_count: 1 },
        { customer_id: 2, customer_name: 'B', order_count: 1 },
      ],
    });
  });

  it('keeps prices exact in cents and dates across month ends', () => {
    expect([centsToText(1), centsToText(1050), centsToText(99999)]).toEqual(['0.01', '10.50', '999.99']);
    expect([addDays('2026-12-30', 3), addDays('2026-03-01', -1)]).toEqual(['2027-01-02', '2026-02-28']);
  });
});
