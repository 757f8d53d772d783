/**
 * Decoded event values as fields of COPY's text format, which PostgreSQL then parses with each
 * column's own input function: decimals stay digit strings, big integers their exact text. Only
 * what PostgreSQL would not read as src/debezium prints it is rewritten here: years before 1 AD,
 * negative intervals, and arrays.
 */
import { isUnchanged, type Decoded } from '../../debezium';
import { stringifyLossless, JsonNumber } from '../../json';

export const COPY_NULL = '\\N';

/** One field, COPY-escaped; `type` is the column's format_type() spelling. */
export function copyField(value: Decoded | undefined, type: string): string {
  if (value === null || value === undefined || isUnchanged(value)) return COPY_NULL;
  return escapeCopy(literal(value, type));
}

/**
 * copyField for one column type, chosen once per batch: for the types whose text PostgreSQL reads
 * as src/debezium prints it (all but jsonb, arrays, dates, timestamps and intervals), a string or a
 * number goes out as it is, without literal()'s look at the type for every value.
 */
export function copyFieldOf(type: string): (value: Decoded | undefined) => string {
  if (type === 'jsonb' || type.endsWith('[]') || type === 'date' || type.startsWith('timestamp') || type === 'interval')
    return (value) => copyField(value, type);
  return (value) => {
    if (typeof value === 'string') return escapeCopy(value);
    if (typeof value === 'number') return String(value);
    return copyField(value, type);
  };
}

function literal(value: Decoded, type: string): string {
  // Json columns arrive parsed (a JSON string column as a JS string): printing them back quotes strings.
  if (type === 'jsonb') return jsonText(value);
  if (type.endsWith('[]') && Array.isArray(value)) return arrayLiteral(value, type.slice(0, -2));
  if (typeof value === 'boolean') return value ? 't' : 'f';
  if (typeof value === 'number' || value instanceof JsonNumber) return String(value);
  if (typeof value === 'string') {
    if (type === 'date' || type.startsWith('timestamp')) return bcDate(value);
    if (type === 'interval' && /^-?P/.test(value)) return isoInterval(value);
    return value;
  }
  return jsonText(value);
}

function jsonText(value: Decoded): string {
  return stringifyLossless(value);
}

/** `{a,"b c",NULL}` with every element quoted: quoting is always allowed and avoids the rules. */
function arrayLiteral(items: Decoded[], elementType: string): string {
  const parts = items.map((item) => {
    if (item === null || isUnchanged(item)) return 'NULL';
    const text = literal(item, elementType);
    return `"${text.replace(/[\\"]/g, (c) => '\\' + c)}"`;
  });
  return `{${parts.join(',')}}`;
}

/** src/debezium writes year 0 and before as -YYYYYY (astronomical); PostgreSQL reads `YYYY-… BC`. */
function bcDate(text: string): string {
  // Years 1 to 9999 (nearly every value) start with a digit other than in 0000.
  const first = text.charCodeAt(0);
  if (first >= 49 && first <= 57) return text;
  if (text.startsWith('0000-')) return `0001${text.slice(4)} BC`;
  const m = /^([+-])(\d{6})(-.*)$/.exec(text);
  if (!m) return text;
  const year = BigInt(m[2]) * (m[1] === '-' ? -1n : 1n);
  if (year > 0n) return `${year}${m[3]}`;
  return `${String(1n - year).padStart(4, '0')}${m[3]} BC`;
}

/** `-P1DT2H` (isoDurationMicros) → `P-1DT-2H`: PostgreSQL negates each field, not the whole. */
function isoInterval(text: string): string {
  if (!text.startsWith('-')) return text;
  return text.slice(1).replace(/(\d+(?:\.\d+)?)([DHMS])/g, '-$1$2');
}

/** COPY text format: backslash, and the characters that end a field or a row, escaped. */
export function escapeCopy(text: string): string {
  if (!/[\\\t\n\r]/.test(text)) return text;
  return text.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
}
