/**
 * JSON text from lossless values: JsonNumbers are written as their source text, key order is kept,
 * and BigInts (produced by decoders) are written as plain integers.
 */
import { JsonNumber } from './value';

export function stringifyLossless(value: unknown, indent = 0): string {
  return write(value, indent > 0 ? ' '.repeat(indent) : '', '');
}

function write(value: unknown, unit: string, pad: string): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'string': return JSON.stringify(value);
    case 'number': return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean': return value ? 'true' : 'false';
    case 'bigint': return value.toString();
    default: break;
  }
  if (value instanceof JsonNumber) return value.text;
  const inner = pad + unit;
  const sep = unit ? ',\n' + inner : ',';
  const open = unit ? '\n' + inner : '';
  const close = unit ? '\n' + pad : '';
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return '[' + open + value.map((item) => write(item, unit, inner)).join(sep) + close + ']';
  }
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  if (entries.length === 0) return '{}';
  const colon = unit ? ': ' : ':';
  return '{' + open + entries.map(([k, v]) => JSON.stringify(k) + colon + write(v, unit, inner)).join(sep) + close + '}';
}
