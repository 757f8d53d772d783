/**
 * JSON text from lossless values: JsonNumbers are written as their source text, key order is kept,
 * and BigInts (produced by decoders) are written as plain integers. Iterative, so a value nested
 * any number of levels deep (a jsonb column can be) is written like any other.
 */
import { JsonNumber } from './value';

/** An open array or object: its members, the next one to write, and the indentation of its members. */
interface Frame {
  keys: string[] | null;
  values: unknown[];
  next: number;
  pad: string;
}

export function stringifyLossless(value: unknown, indent = 0): string {
  const scalar = scalarText(value);
  if (scalar !== undefined) return scalar;
  return writeJson(value, { indent });
}

export interface WriteJsonOptions {
  indent?: number;
  /** Text of a value that is not a container, or undefined to write it as JSON (containers included). */
  scalar?: (value: unknown) => string | undefined;
  /** Text of an object key (default: as a JSON string). */
  key?: (key: string) => string;
}

/** JSON-like text with hooks for scalars and keys (a terminal view escapes and marks them), at any depth. */
export function writeJson(value: unknown, options: WriteJsonOptions = {}): string {
  const unit = options.indent ? ' '.repeat(options.indent) : '';
  const colon = unit ? ': ' : ':';
  const hook = options.scalar;
  const scalarOf = hook ? (v: unknown) => hook(v) ?? scalarText(v) : scalarText;
  const keyOf = options.key ?? JSON.stringify;
  const stack: Frame[] = [];
  let out = '';
  let current: unknown = value;
  let pad = '';
  for (;;) {
    // Write `current` (its opening only, when it is a non-empty container).
    const text = scalarOf(current);
    if (text !== undefined) out += text;
    else {
      const frame = openFrame(current, pad + unit);
      if (frame === null) out += Array.isArray(current) ? '[]' : '{}';
      else {
        out += (frame.keys ? '{' : '[') + (unit ? '\n' + frame.pad : '');
        if (frame.keys) out += keyOf(frame.keys[0]) + colon;
        stack.push(frame);
        current = frame.values[0];
        pad = frame.pad;
        continue;
      }
    }
    // Move to the next member, closing every container that is complete.
    for (;;) {
      const top = stack[stack.length - 1];
      if (top === undefined) return out;
      top.next++;
      if (top.next < top.values.length) {
        out += unit ? ',\n' + top.pad : ',';
        if (top.keys) out += keyOf(top.keys[top.next]) + colon;
        current = top.values[top.next];
        pad = top.pad;
        break;
      }
      stack.pop();
      const outer = top.pad.slice(0, top.pad.length - unit.length);
      out += (unit ? '\n' + outer : '') + (top.keys ? '}' : ']');
    }
  }
}

/** A container's members, or null when it has none to write. */
function openFrame(value: unknown, pad: string): Frame | null {
  if (Array.isArray(value)) return value.length === 0 ? null : { keys: null, values: value, next: 0, pad };
  const keys: string[] = [];
  const values: unknown[] = [];
  const object = value as Record<string, unknown>;
  for (const key of Object.keys(object)) {
    const member = object[key];
    if (member !== undefined) {
      keys.push(key);
      values.push(member);
    }
  }
  return keys.length === 0 ? null : { keys, values, next: 0, pad };
}

/** Text of a value that is not an array or object; undefined for containers. */
function scalarText(value: unknown): string | undefined {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return value.toString();
    case 'object':
      return value instanceof JsonNumber ? value.text : undefined;
    default:
      return 'null';
  }
}
