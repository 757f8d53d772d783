/**
 * One `cdc watch` event on a terminal: a header line (topic, partition@offset, commit time, op in
 * its colour, key) and the body. Every piece of payload text passes sanitizeForTerminal before it
 * is coloured, so an event cannot move the cursor or retitle the terminal.
 */
import { isUnchanged, type Decoded } from '../../src/debezium';
import { JsonNumber } from '../../src/json';
import type { WatchRecord } from '../../src/watch/record';
import { RenderError, viewOf, type DisplayMode, type EventView } from '../../src/watch/view';
import { sanitizeForTerminal, type Style } from '../ui/style';

const OP_LABELS: Record<string, { label: string; colour: 'green' | 'yellow' | 'red' | 'blue' | 'magenta' | 'gray' }> = {
  c: { label: 'CREATE', colour: 'green' },
  u: { label: 'UPDATE', colour: 'yellow' },
  d: { label: 'DELETE', colour: 'red' },
  r: { label: 'READ', colour: 'blue' },
  t: { label: 'TRUNCATE', colour: 'magenta' },
  m: { label: 'MESSAGE', colour: 'magenta' },
  tombstone: { label: 'TOMBSTONE', colour: 'gray' },
  heartbeat: { label: 'HEARTBEAT', colour: 'gray' },
  transaction: { label: 'TX', colour: 'gray' },
  invalid: { label: 'NOT-AN-EVENT', colour: 'red' },
};

/** Keys whose objects are metadata: shown on one line so the row data stays in view. */
const COMPACT_KEYS = new Set(['source', 'transaction', 'schema']);

/**
 * One record as terminal text, or a RenderError to report for that record (the text would not fit
 * in a string, or an unforeseen failure): never an exception that would end the watch.
 */
export function renderRecord(record: WatchRecord, mode: DisplayMode, style: Style): string | RenderError {
  try {
    return renderEvent(viewOf(record, mode), style);
  } catch (err) {
    return new RenderError(record, err instanceof RangeError ? `too large to show (${err.message})` : String((err as Error)?.message ?? err));
  }
}

export function renderEvent(view: EventView, style: Style): string {
  const op = OP_LABELS[view.kind] ?? { label: view.kind.toUpperCase(), colour: 'gray' as const };
  const header = [
    style.bold(sanitizeForTerminal(view.topic)),
    style.dim(`${view.partition}@${view.offset}`),
    view.timeIsCommit ? view.time : style.dim(`${view.time} (record time)`),
    style.bold[op.colour](op.label.padEnd(9)),
    view.key === undefined ? style.dim('no key') : `key ${style.cyan(sanitizeForTerminal(view.key))}`,
    ...(view.keyChange ? [style.magenta(`(primary key changed; ${view.keyChange.direction} ${sanitizeForTerminal(view.keyChange.key)})`)] : []),
  ].join('  ');
  return `${header}\n${renderBody(view, style)}\n`;
}

function renderBody(view: EventView, style: Style): string {
  const body = view.body;
  switch (body.kind) {
    case 'tombstone':
      return style.dim('  (tombstone: null value, compacts away the key)');
    case 'text':
      return `  ${sanitizeForTerminal(body.text)}`;
    case 'invalid':
      return `  ${style.red(sanitizeForTerminal(body.reason))}\n  ${sanitizeForTerminal(body.text.slice(0, 2000))}`;
    case 'changes': {
      const lines = body.changes.map((c) =>
        c.old === undefined
          ? `  ${sanitizeForTerminal(c.field)}: ${style.green(inlinePlain(c.new))}`
          : `  ${sanitizeForTerminal(c.field)}: ${style.red(inlinePlain(c.old))} ${style.dim('→')} ${style.green(inlinePlain(c.new))}`,
      );
      if (lines.length === 0) lines.push(style.dim('  (no column changed)'));
      if (body.note) lines.unshift(style.dim(`  ${body.note}`));
      return lines.join('\n');
    }
    case 'json':
      return pretty(body.value, style, '  ', '', 0);
  }
}

/** Deeper than this, a value is printed on one line: the layout stays readable and the recursion bounded. */
const MAX_PRETTY_DEPTH = 32;

/** Multi-line JSON-like text, keys in the order given, big numbers exact, metadata objects on one line. */
export function pretty(value: Decoded, style: Style, pad: string, parentKey: string, depth = 0): string {
  if (isContainer(value)) {
    if (COMPACT_KEYS.has(parentKey)) return style.dim(inlinePlain(value));
    // Small nested values (a JSON column, an array) read better on one line.
    if (depth >= MAX_PRETTY_DEPTH) return pad + inlinePlain(value);
    if (parentKey !== '' && parentKey !== 'before' && parentKey !== 'after') {
      const flat = inlinePlain(value, 60);
      if (flat !== undefined) return pad + flat;
    }
    const inner = pad + '  ';
    if (Array.isArray(value)) {
      if (value.length === 0) return pad + '[]';
      return `${pad}[\n${value.map((v) => inner + pretty(v, style, inner, '', depth + 1).trimStart()).join(',\n')}\n${pad}]`;
    }
    const entries = Object.entries(value);
    if (entries.length === 0) return pad + '{}';
    const lines = entries.map(
      ([k, v]) => `${inner}${style.cyan(JSON.stringify(sanitizeForTerminal(k)))}: ${pretty(v, style, inner, k, depth + 1).trimStart()}`,
    );
    return `${pad}{\n${lines.join(',\n')}\n${pad}}`;
  }
  return pad + inline(value, style);
}

type Container = Decoded[] | { [key: string]: Decoded };

function isContainer(value: Decoded): value is Container {
  return value !== null && typeof value === 'object' && !(value instanceof JsonNumber) && !isUnchanged(value);
}

/** A scalar (or a small nested value) on one line, coloured by type. */
function inline(value: Decoded, style: Style): string {
  if (value === null) return style.dim('null');
  if (isUnchanged(value)) return style.dim('(unchanged)');
  if (value instanceof JsonNumber || typeof value === 'number' || typeof value === 'bigint') return style.yellow(String(value));
  if (typeof value === 'boolean') return style.magenta(String(value));
  if (typeof value === 'string') return style.green(sanitizeForTerminal(JSON.stringify(value)));
  return inlinePlain(value);
}

/**
 * A value on one line. Iterative, not recursive: a jsonb value nested thousands of levels deep
 * is printed, not a stack overflow.
 */
function inlinePlain(root: Decoded): string;
/** Undefined as soon as the text would be longer than `limit`: no need to print a big value to learn it is big. */
function inlinePlain(root: Decoded, limit: number): string | undefined;
function inlinePlain(root: Decoded, limit = Infinity): string | undefined {
  const out: string[] = [];
  let length = 0;
  const push = (text: string) => {
    out.push(text);
    length += text.length;
  };
  const stack: Array<{ entries: Array<[string | undefined, Decoded]>; next: number; close: string }> = [];
  const open = (value: Decoded) => {
    if (!isContainer(value)) {
      push(scalarPlain(value));
      return;
    }
    if (Array.isArray(value)) {
      push('[');
      stack.push({ entries: value.map((v): [undefined, Decoded] => [undefined, v]), next: 0, close: ']' });
    } else {
      push('{');
      stack.push({ entries: Object.entries(value), next: 0, close: '}' });
    }
  };
  open(root);
  while (stack.length > 0) {
    if (length > limit) return undefined;
    const top = stack[stack.length - 1];
    if (top.next >= top.entries.length) {
      push(top.close);
      stack.pop();
      continue;
    }
    const [key, value] = top.entries[top.next++];
    if (top.next > 1) push(',');
    if (key !== undefined) push(`${sanitizeForTerminal(JSON.stringify(key))}:`);
    open(value);
  }
  return length > limit ? undefined : out.join('');
}

function scalarPlain(value: Decoded): string {
  if (value === null) return 'null';
  if (isUnchanged(value)) return '(unchanged)';
  if (value instanceof JsonNumber) return value.text;
  if (typeof value === 'string') return sanitizeForTerminal(JSON.stringify(value));
  return String(value);
}
