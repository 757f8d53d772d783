/**
 * PostgreSQL column types for the columns of Debezium events, spelled as format_type() spells
 * them, so a type derived from an event compares with the type a history table already has.
 * (debezium-events.md lists the encodings; `__debezium.source.column.type` is not needed.)
 */
import type { ConnectSchema } from '../../debezium';

const BY_NAME: Record<string, string> = {
  'io.debezium.time.Date': 'date',
  'org.apache.kafka.connect.data.Date': 'date',
  'io.debezium.time.Time': 'time without time zone',
  'io.debezium.time.MicroTime': 'time without time zone',
  'io.debezium.time.NanoTime': 'time without time zone',
  'org.apache.kafka.connect.data.Time': 'time without time zone',
  'io.debezium.time.Timestamp': 'timestamp without time zone',
  'io.debezium.time.MicroTimestamp': 'timestamp without time zone',
  'io.debezium.time.NanoTimestamp': 'timestamp without time zone',
  'org.apache.kafka.connect.data.Timestamp': 'timestamp without time zone',
  'io.debezium.time.ZonedTimestamp': 'timestamp with time zone',
  'io.debezium.time.ZonedTime': 'time with time zone',
  'io.debezium.time.MicroDuration': 'interval',
  'io.debezium.data.VariableScaleDecimal': 'numeric',
  'io.debezium.data.Json': 'jsonb',
  'io.debezium.data.Uuid': 'uuid',
  'io.debezium.data.Xml': 'xml',
  // BIT(n) and VARBIT(n) both say `length`; bit varying holds either without padding rules.
  'io.debezium.data.Bits': 'bit varying',
};

const BY_TYPE: Record<string, string> = {
  int8: 'smallint',
  int16: 'smallint',
  int32: 'integer',
  int64: 'bigint',
  float32: 'real',
  float: 'real',
  float64: 'double precision',
  double: 'double precision',
  boolean: 'boolean',
  string: 'text',
  bytes: 'bytea',
  // Geometry points, hstore as a map, any other struct: kept whole as JSON.
  struct: 'jsonb',
  map: 'jsonb',
};

export function pgTypeOf(schema: ConnectSchema): string {
  if (schema.name === 'org.apache.kafka.connect.data.Decimal') {
    const precision = Number(schema.parameters?.['connect.decimal.precision']);
    const scale = Number(schema.parameters?.scale ?? 0);
    // MONEY and NUMERIC without a precision carry only a scale: an unconstrained numeric holds them.
    return Number.isInteger(precision) && precision > 0 && precision <= 1000 && scale >= 0 && scale <= precision ? `numeric(${precision},${scale})` : 'numeric';
  }
  if (schema.name && BY_NAME[schema.name]) return BY_NAME[schema.name];
  if (schema.type === 'array') {
    const items = schema.items;
    if (!items || items.type === 'array' || items.type === 'struct' || items.type === 'map') return 'jsonb';
    return `${pgTypeOf(items)}[]`;
  }
  return BY_TYPE[schema.type] ?? 'text';
}

/** Changes the history table can follow by widening the column (ALTER … TYPE keeps every value). */
const WIDENINGS: Record<string, readonly string[]> = {
  smallint: ['integer', 'bigint', 'numeric', 'real', 'double precision'],
  integer: ['bigint', 'numeric', 'double precision'],
  bigint: ['numeric'],
  real: ['double precision'],
};

/** True when a column of type `from` can become `to` without losing a value. */
export function canWiden(from: string, to: string): boolean {
  if (from === to) return true;
  if (WIDENINGS[from]?.includes(to)) return true;
  const a = /^numeric\((\d+),(\d+)\)$/.exec(from);
  if (a && to === 'numeric') return true;
  const b = /^numeric\((\d+),(\d+)\)$/.exec(to);
  // numeric(p,s) → numeric(p',s') keeps every value when neither side of the point shrinks.
  if (a && b) return Number(b[2]) >= Number(a[2]) && Number(b[1]) - Number(b[2]) >= Number(a[1]) - Number(a[2]);
  if (from.endsWith('[]') && to.endsWith('[]')) return canWiden(from.slice(0, -2), to.slice(0, -2));
  return false;
}
