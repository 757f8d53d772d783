import { randomOp, STOCKS, TUTORIAL_SCRIPT, opStatement, type Holding, type HoldingOp } from '../../src/seed/holdings-ops';
import { createPacer } from '../../src/seed/pacer';
import { seededRandom } from '../../src/seed/random';

function simulate(seed: number, ops: number): HoldingOp[] {
  const random = seededRandom(seed);
  const holdings = new Map<number, Holding>();
  const ids: number[] = [];
  let nextId = 1000;
  const out: HoldingOp[] = [];
  for (let i = 0; i < ops; i++) {
    const op = randomOp(random, holdings, ids, nextId, 5);
    out.push(op);
    if (op.kind === 'insert') {
      holdings.set(op.holdingId, { userId: op.userId, stock: op.stock, quantity: op.quantity });
      ids.push(op.holdingId);
      nextId += 1;
    }
    if (op.kind === 'update') {
      const h = holdings.get(op.holdingId) as Holding;
      if (op.field === 'holding_stock') {
        expect(op.value).not.toBe(h.stock);
        h.stock = String(op.value);
      } else {
        expect(op.value).not.toBe(h.quantity);
        expect(op.value).toBeGreaterThanOrEqual(1);
        expect(op.value).toBeLessThanOrEqual(1000);
        h.quantity = Number(op.value);
      }
    }
    if (op.kind === 'delete') {
      holdings.delete(op.holdingId);
      ids.splice(ids.indexOf(op.holdingId), 1);
    }
  }
  return out;
}

describe('holdings workload', () => {
  it('is the same sequence for the same seed and a different one for another seed', () => {
    expect(simulate(42, 500)).toEqual(simulate(42, 500));
    expect(simulate(42, 500)).not.toEqual(simulate(43, 500));
  });

  it('mixes all four kinds of change, and every update changes its field', () => {
    const ops = simulate(7, 2000);
    const kinds = new Set(ops.map((op) => (op.kind === 'update' ? op.field : op.kind)));
    expect(kinds).toEqual(new Set(['insert', 'holding_stock', 'holding_quantity', 'delete']));
    for (const op of ops) if (op.kind === 'insert') expect(STOCKS).toContain(op.stock);
  });

  it("holds the tutorial's exact statements", () => {
    const text = TUTORIAL_SCRIPT.map((op) => opStatement(op, '"bank"."holding"', 'bank.holding').text);
    expect(text).toEqual([
      "insert into bank.holding values (1000, 1, 'VFIAX', 10, now(), now())",
      "insert into bank.holding values (1001, 2, 'SP500', 1, now(), now())",
      "insert into bank.holding values (1002, 3, 'SP500', 1, now(), now())",
      'update bank.holding set holding_quantity = 100 where holding_id = 1000',
      'delete from bank.holding where user_id = 3',
      'delete from bank.holding where user_id = 2',
      "insert into bank.holding values (1003, 3, 'VTSAX', 100, now(), now())",
      'update bank.holding set holding_quantity = 10 where holding_id = 1003',
    ]);
  });

  it('sends values as parameters, never inside the SQL text', () => {
    const statement = opStatement({ kind: 'update', holdingId: 1, field: 'holding_stock', value: "x'; drop table t; --" }, '"s"."t"', 's.t');
    expect(statement.sql).toBe('UPDATE "s"."t" SET holding_stock = $1 WHERE holding_id = $2');
    expect(statement.params).toEqual(["x'; drop table t; --", 1]);
  });
});

describe('createPacer', () => {
  it('schedules item i at start + i/N seconds, whatever the previous items took', async () => {
    let now = 1000;
    const pacer = createPacer(10, () => now);
    const started = Date.now();
    now = 1000 + 150; // item 1 is due at 1100: already late, no wait
    await pacer.wait(1);
    now = 1000 + 190; // item 2 is due at 1200: waits about 10 ms
    await pacer.wait(2);
    expect(Date.now() - started).toBeLessThan(100);
  });

  it('does not wait without a rate', async () => {
    const started = Date.now();
    await createPacer(undefined).wait(1_000_000);
    expect(Date.now() - started).toBeLessThan(50);
  });
});

describe('createPacer with a signal', () => {
  it('returns at once when aborted while waiting', async () => {
    const controller = new AbortController();
    const pacer = createPacer(0.1);
    const started = Date.now();
    setTimeout(() => controller.abort(), 20);
    await pacer.wait(1, controller.signal); // due in 10 s
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
