import * as fs from 'node:fs';
import * as path from 'node:path';
import { classifyRecord, createEventTextParser, type ChangeEvent } from '../../src/debezium';
import { JsonNumber } from '../../src/json';
import { DEFAULT_PIVOT_OPTIONS, pivotEvent, type PivotOptions } from '../../src/parse';

const FIXTURES = path.resolve(__dirname, '../../fixtures');
const parseText = createEventTextParser();

/** The change events of a fixture file (real Debezium 3.4.3 captures), in order. */
function events(file: string): ChangeEvent[] {
  return fs
    .readFileSync(path.join(FIXTURES, file), 'utf8')
    .split('\n')
    .filter(Boolean)
    .flatMap((line) => {
      const record = classifyRecord(parseText(line));
      return record.kind === 'change' ? [record.event] : [];
    });
}

const holding = events('holding-events.jsonl'); // r 1000, c 1001, c 1002, u 1000, u 1001, u 1002, d 1002
const customers = events('customers-events.jsonl'); // r 1001, c 1002, u 1001 (no before, TOAST), d 1002 (key only)
const opts = (o: Partial<PivotOptions> = {}): PivotOptions => ({ ...DEFAULT_PIVOT_OPTIONS, ...o });
const iso = (ms: JsonNumber | number | undefined) => new Date(Number(String(ms))).toISOString();

function pivot(event: ChangeEvent, o?: Partial<PivotOptions>) {
  const result = pivotEvent(event, opts(o));
  if (!result.ok) throw new Error(result.reason);
  return result;
}

describe('pivotEvent: the holding_pivot rules', () => {
  it('snapshot read and create: old empty, new = after.field, datetime_created from the row', () => {
    expect(holding.map((e) => e.op).join('')).toBe('rccuuud');
    for (const event of holding.slice(0, 3)) {
      const { rows } = pivot(event);
      expect(rows.map((r) => r.field)).toEqual(['holding_stock', 'holding_quantity']);
      for (const row of rows) {
        expect(row.identity).toEqual([event.after!.holding_id, event.after!.user_id]);
        expect(row.oldValue).toBeNull();
        expect(row.newValue).toBe(event.after![row.field]);
        expect([row.updated, row.deleted]).toEqual([null, null]);
        expect(row.op).toBe(event.op);
      }
    }
    expect(pivot(holding[0]).rows[0].created).toBe('2020-09-05T10:15:20.123456'); // inserted as that naive timestamp
    expect(pivot(holding[1]).rows[0].created).toBe('2020-09-06T11:00:00.500000');
  });

  it('update: old = before.field, new = after.field, datetime_updated = commit time (source.ts_ms)', () => {
    const event = holding[3];
    const { rows } = pivot(event);
    expect(rows.map((r) => [r.identity, r.field, r.oldValue, r.newValue, r.created, r.deleted])).toEqual([
      [[1000, 1], 'holding_stock', 'VFIAX', 'VFIAX', null, null],
      [[1000, 1], 'holding_quantity', 10, 15, null, null],
    ]);
    expect(rows[0].updated).toBe(iso(event.source!.ts_ms as number));
  });

  it('delete: old = before.field, new empty, datetime_deleted = commit time, columns aligned', () => {
    const event = holding[6];
    const { rows } = pivot(event);
    expect(rows.map((r) => [r.identity, r.field, r.oldValue, r.newValue, r.created, r.updated, r.deleted, r.op])).toEqual([
      [[1002, 3], 'holding_stock', 'AAPL', null, null, null, iso(event.source!.ts_ms as number), 'd'],
      [[1002, 3], 'holding_quantity', 7, null, null, null, iso(event.source!.ts_ms as number), 'd'],
    ]);
  });

  it('falls back to the top-level ts_ms when there is no source block', () => {
    const event = { ...holding[3], source: null, tsMs: 1795317974005 };
    expect(pivot(event).rows[0].updated).toBe('2026-11-22T03:26:14.005Z');
  });

  it('--changed-only drops update fields that did not change, keeps creates and deletes whole', () => {
    expect(pivot(holding[3], { changedOnly: true }).rows.map((r) => r.field)).toEqual(['holding_quantity']);
    expect(pivot(holding[4], { changedOnly: true }).rows.map((r) => r.field)).toEqual(['holding_stock', 'holding_quantity']);
    expect(pivot(holding[5], { changedOnly: true }).rows).toEqual([]);
    expect(pivot(holding[1], { changedOnly: true }).rows).toHaveLength(2);
    expect(pivot(holding[6], { changedOnly: true }).rows).toHaveLength(2);
  });

  it('--raw-values keeps Debezium encoding for values and event time', () => {
    const created = pivot(holding[0], { rawValues: true }).rows[0].created;
    expect(created).toBe(1599300920123456);
    expect(pivot(holding[3], { rawValues: true }).rows[0].updated).toBe(holding[3].source!.ts_ms);
  });
});

describe('pivotEvent: any table, REPLICA IDENTITY DEFAULT, TOAST', () => {
  const customer = (o: Partial<PivotOptions> = {}) => opts({ identity: ['id'], fields: '*', createdColumn: 'created_at', ...o });

  it("'*' tracks every non-identity column in schema order, decoded exactly", () => {
    const { rows } = pivot(customers[0], customer());
    const byField = Object.fromEntries(rows.map((r) => [r.field, r.newValue]));
    expect(rows.map((r) => r.field)).toEqual([
      'first_name',
      'last_name',
      'email',
      'balance',
      'credit_limit',
      'score',
      'active',
      'birth_date',
      'login_time',
      'created_at',
      'updated_at',
      'valid_until',
      'preferences',
      'avatar',
      'tags',
      'notes',
      'flags',
      'external_id',
      'big_counter',
    ]);
    expect(byField).toMatchObject({
      balance: '1234.50',
      credit_limit: '99999999999999999999.123456789',
      birth_date: '1985-04-12',
      login_time: '08:30:00.123456',
      created_at: '2026-01-02T03:04:05.123456Z',
      updated_at: '2026-01-02T03:04:05.123',
      valid_until: 'infinity',
      avatar: '\\xdeadbeef',
      tags: ['a', 'b c'],
      flags: '1010',
      external_id: 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
      big_counter: new JsonNumber('9223372036854775807'),
    });
    expect(byField.preferences).toEqual({ tier: 'gold', limits: { daily: new JsonNumber('12345678901234567890') } });
    expect(rows[0].created).toBe('2026-01-02T03:04:05.123456Z');
    expect(pivot(customers[1], customer()).rows.find((r) => r.field === 'balance')!.newValue).toBe('-0.05');
  });

  it('update without before (DEFAULT): old empty, noted; the TOAST placeholder is never a value', () => {
    const event = customers[2];
    expect(event.before).toBeNull();
    expect(event.after!.notes).toBe('__debezium_unavailable_value');
    const result = pivot(event, customer());
    expect(result.notes).toEqual(expect.arrayContaining(['before-missing', 'toast-unknown']));
    const notes = result.rows.find((r) => r.field === 'notes')!;
    expect([notes.oldValue, notes.newValue]).toEqual([null, null]);
    expect(JSON.stringify(result.rows)).not.toContain('__debezium_unavailable_value');
    expect(pivot(event, customer({ changedOnly: true })).rows.map((r) => r.field)).not.toContain('notes');
  });

  it('TOAST placeholder with a full before: the new value is the old one', () => {
    const event = { ...customers[2], before: customers[0].after };
    const notes = pivot(event, customer()).rows.find((r) => r.field === 'notes')!;
    expect(notes.newValue).toBe(notes.oldValue);
    expect(String(notes.oldValue)).toMatch(/^long note /);
  });

  it('delete with only the key in before (DEFAULT) is pivoted and noted', () => {
    const result = pivot(customers[3], customer({ fields: ['email'] }));
    expect(result.rows.map((r) => [r.identity, r.field, r.oldValue, r.newValue, r.op])).toEqual([[[1002], 'email', null, null, 'd']]);
    expect(result.notes).toContain('before-keys-only');
  });

  it('a keys-only before whose NOT NULL columns Debezium zero-filled is noted, and the fillers are not old values', () => {
    const field = (f: string, type: string, optional: boolean, extra: object = {}) => ({ field: f, type, optional, ...extra });
    const rowSchema = {
      type: 'struct',
      fields: [
        field('id', 'int32', false),
        field('n', 'int32', false),
        field('t', 'string', false),
        field('b', 'boolean', false),
        field('d', 'bytes', false, { name: 'org.apache.kafka.connect.data.Decimal', parameters: { scale: '2' } }),
        field('big', 'int64', false, { default: 5 }),
        field('note', 'string', true),
        field('vs', 'struct', false, { name: 'io.debezium.data.VariableScaleDecimal' }),
        field('ia', 'array', false),
        field('tz', 'string', false, { name: 'io.debezium.time.ZonedTimestamp' }),
      ],
    };
    // As Debezium 3.4.3 wrote it for `delete` under REPLICA IDENTITY DEFAULT.
    const before = { id: 8, n: 0, t: '', b: false, d: 'AA==', big: 5, note: null, vs: { scale: 0, value: 'AA==' }, ia: [], tz: '1970-01-01T00:00:00Z' };
    const event = { ...customers[3], before, rowSchema } as ChangeEvent;
    const result = pivot(event, customer({ createdColumn: 'none' }));
    expect(result.notes).toContain('before-keys-only');
    expect(result.rows.map((r) => [r.field, r.oldValue])).toEqual(['n', 't', 'b', 'd', 'big', 'note', 'vs', 'ia', 'tz'].map((f) => [f, null]));
    // A real value in any column means a full before: written as it is.
    const full = pivot({ ...event, before: { ...before, n: 3 } }, customer({ createdColumn: 'none' }));
    expect(full.notes).not.toContain('before-keys-only');
    expect(full.rows.map((r) => r.oldValue)).toEqual([3, '', false, '0.00', 5, null, '0', [], '1970-01-01T00:00:00Z']);
  });

  it('reports events it cannot pivot, with the way out', () => {
    expect(pivotEvent(customers[0], opts())).toEqual({
      ok: false,
      reason: expect.stringContaining('no identity column holding_id, user_id in the row (columns: id, first_name'),
    });
    expect(pivotEvent(customers[0], opts({ identity: ['id'] }))).toEqual({ ok: false, reason: expect.stringContaining('--fields') });
    expect(pivotEvent({ ...holding[6], before: null }, opts())).toEqual({ ok: false, reason: expect.stringContaining('delete event without `before`') });
    expect(pivotEvent({ ...holding[1], after: null }, opts())).toEqual({ ok: false, reason: 'create event without `after`' });
  });

  it('schemaless and unwrapped events pivot with values as encoded, and say so', () => {
    const schemaless = events('holding-events-schemaless.jsonl');
    const result = pivot(schemaless[0]);
    expect(result.rows[0].created).toBe(1599300920123456);
    expect(result.notes).toContain('schemaless');
    const unwrapped = events('holding-events-unwrapped.jsonl');
    expect(unwrapped.map((e) => e.op).join('')).toBe('rccuuud');
    expect(pivot(unwrapped[6]).rows.map((r) => [r.identity, r.oldValue, r.deleted])).toEqual([
      [[1002, 3], 'AAPL', iso(unwrapped[6].source!.ts_ms as number)],
      [[1002, 3], 7, iso(unwrapped[6].source!.ts_ms as number)],
    ]);
    expect(pivot(unwrapped[3]).notes).toEqual(['flattened-update']);
  });

  it("'*' on flattened rows tracks the table's columns, not ExtractNewRecordState's __ fields", () => {
    const unwrapped = events('customers-events-unwrapped.jsonl');
    expect(unwrapped[0].rowSchema).toBeDefined();
    const fields = (e: ChangeEvent) => pivot(e, customer()).rows.map((r) => r.field);
    for (const event of unwrapped) expect(fields(event)).toEqual(fields(customers[0]));
  });
});
