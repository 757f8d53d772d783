/**
 * --op, --table and --key. A record passes when it matches every filter given; within one filter,
 * any of the listed values. Tombstones carry no op or table of their own: they match `--op
 * tombstone` (or `x`), and their table comes from the topic name (<prefix>.<schema>.<table>).
 */
import { UsageError } from '../errors';
import { isJsonObject, JsonNumber, type JsonValue } from '../json';
import { eventOf } from './event';
import type { WatchRecord } from './record';

export interface FilterOptions {
  ops?: string[];
  tables?: string[];
  /** `field=value` or a bare `value` that any key field may equal. */
  keys?: string[];
}

const OP_NAMES: Record<string, string> = {
  c: 'c',
  create: 'c',
  insert: 'c',
  u: 'u',
  update: 'u',
  d: 'd',
  delete: 'd',
  r: 'r',
  read: 'r',
  snapshot: 'r',
  t: 't',
  truncate: 't',
  m: 'm',
  message: 'm',
  x: 'tombstone',
  tombstone: 'tombstone',
};

export function parseOps(text: string): string[] {
  const ops = text
    .split(',')
    .map((o) => o.trim().toLowerCase())
    .filter(Boolean);
  const unknown = ops.filter((o) => !(o in OP_NAMES));
  if (ops.length === 0 || unknown.length > 0) {
    throw new UsageError(
      `--op '${text}': unknown operation ${unknown.join(', ') || '(none given)'}`,
      'use c (create), u (update), d (delete), r (snapshot read), t (truncate), m (message), tombstone',
    );
  }
  return [...new Set(ops.map((o) => OP_NAMES[o]))];
}

/** Undefined when no filter is given, so the fast path never parses a record. */
export function buildFilter(options: FilterOptions): ((record: WatchRecord) => boolean) | undefined {
  const tests: Array<(record: WatchRecord) => boolean> = [];
  if (options.ops?.length) {
    const ops = new Set(options.ops);
    tests.push((record) => ops.has(eventOf(record).op ?? ''));
  }
  for (const table of options.tables ?? []) {
    if (table.split('.').some((part) => part.trim() === '')) {
      throw new UsageError(`--table '${table}' is not a table name`, 'use table or schema.table, e.g. --table bank.holding');
    }
  }
  for (const key of options.keys ?? []) {
    if (key === '' || key.startsWith('=')) {
      throw new UsageError(
        `--key '${key}' names no key field or value`,
        'use field=value (--key holding_id=1000) or a value any key field may equal (--key 1000)',
      );
    }
  }
  if (options.tables?.length) {
    const wanted = options.tables.map((t) => t.toLowerCase());
    tests.push((record) => {
      const table = (eventOf(record).table ?? tableFromTopic(record.topic)).toLowerCase();
      return wanted.some((w) => table === w || table.endsWith(`.${w}`));
    });
  }
  if (options.keys?.length) {
    const matchers = options.keys.map(keyMatcher);
    tests.push((record) => matchers.some((m) => m(eventOf(record).key)));
  }
  if (tests.length === 0) return undefined;
  return (record) => tests.every((test) => test(record));
}

export function tableFromTopic(topic: string): string {
  return topic.split('.').slice(-2).join('.');
}

function keyMatcher(spec: string): (key: JsonValue | undefined) => boolean {
  const eq = spec.indexOf('=');
  const field = eq > 0 ? spec.slice(0, eq) : undefined;
  const wanted = eq > 0 ? spec.slice(eq + 1) : spec;
  return (key) => {
    if (key === undefined) return false;
    if (!isJsonObject(key)) return field === undefined && scalarText(key) === wanted;
    if (field !== undefined) return field in key && scalarText(key[field]) === wanted;
    return Object.values(key).some((v) => scalarText(v) === wanted);
  };
}

/** Exact text of a key value: big integers as written, strings without quotes. */
function scalarText(value: JsonValue): string | undefined {
  if (value === null) return 'null';
  if (value instanceof JsonNumber) return value.text;
  if (typeof value === 'object') return undefined;
  return String(value);
}
