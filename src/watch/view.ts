/**
 * The terminal view of one record, as data: header facts and a body in one of four modes. The
 * command layer turns it into coloured text (commands/watch/event.ts).
 */
import { DecodeError, decodeRow, formatDecoded, isUnchanged, type ChangeEvent, type Decoded } from '../debezium';
import { InputError } from '../errors';
import { isJsonObject, setOwn, stringifyLossless, type JsonValue } from '../json';
import { eventOf } from './event';
import { headerText, type WatchRecord } from './record';

/** payload: decoded payload; changes: updates as old → new; full: the whole envelope; raw: the bytes. */
export type DisplayMode = 'payload' | 'changes' | 'full' | 'raw';

export interface FieldChange {
  field: string;
  /** Absent when the event has no `before` (REPLICA IDENTITY DEFAULT). */
  old?: Decoded;
  new: Decoded;
}

export type ViewBody =
  | { kind: 'tombstone' }
  | { kind: 'json'; value: Decoded }
  | { kind: 'changes'; changes: FieldChange[]; note?: string }
  | { kind: 'text'; text: string }
  | { kind: 'invalid'; reason: string; text: string };

export interface EventView {
  topic: string;
  partition: number;
  offset: string;
  /** ISO-8601 commit time (source.ts_ms); the Kafka record time when the event has none. */
  time: string;
  timeIsCommit: boolean;
  /** `c u d r t m`, `tombstone`, `heartbeat`, `transaction`, or `invalid`. */
  kind: string;
  /** Compact key payload, e.g. `{"holding_id":1000}`. */
  key?: string;
  /** A primary-key change: Debezium's `__debezium.newkey` / `__debezium.oldkey` header. */
  keyChange?: { direction: 'new key' | 'old key'; key: string };
  body: ViewBody;
}

/**
 * A record that cannot be shown (its text would exceed what a string can hold, or a rule no one
 * foresaw failed): the caller reports it per record and goes on, as its error policy says.
 */
export class RenderError extends InputError {
  constructor(
    readonly record: Pick<WatchRecord, 'topic' | 'partition' | 'offset'>,
    readonly reason: string,
  ) {
    super(`cannot show the record at ${record.topic}[${record.partition}]@${record.offset}: ${reason}`);
  }
}

/** The view of a record. Never throws for what a record holds: a value that does not fit its schema becomes an `invalid` body. */
export function viewOf(record: WatchRecord, mode: DisplayMode): EventView {
  const event = eventOf(record);
  const classified = event.record;
  const kind = classified.kind === 'change' ? classified.event.op : classified.kind;
  const commitTime = event.commitMs === undefined ? undefined : isoTime(event.commitMs);
  const view: EventView = {
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
    time: commitTime ?? isoTime(Number(record.timestamp)) ?? String(record.timestamp),
    timeIsCommit: commitTime !== undefined,
    kind,
    key: event.key === undefined ? undefined : typeof event.key === 'string' ? event.key : stringifyLossless(event.key),
    body: { kind: 'tombstone' },
  };
  // A primary-key update arrives as delete (+ tombstone) under the old key and create under the new.
  for (const [header, direction] of [
    ['__debezium.newkey', 'new key'],
    ['__debezium.oldkey', 'old key'],
  ] as const) {
    if (record.headers[header] !== undefined) view.keyChange = { direction, key: headerText(record.headers[header]) };
  }
  if (record.value === null || record.value.length === 0) return view;
  if (mode === 'raw') {
    view.body = { kind: 'text', text: record.value.toString('utf8') };
  } else if (classified.kind === 'invalid') {
    view.body = { kind: 'invalid', reason: classified.reason, text: record.value.toString('utf8') };
  } else if (mode === 'full') {
    view.body = { kind: 'json', value: event.value ?? null };
  } else if (classified.kind === 'change') {
    try {
      view.body = mode === 'changes' && classified.event.op === 'u' ? changesOf(classified.event) : { kind: 'json', value: decodedPayload(classified.event) };
    } catch (err) {
      if (!(err instanceof DecodeError)) throw err;
      view.body = { kind: 'invalid', reason: err.reason, text: record.value.toString('utf8') };
    }
  } else {
    view.body = { kind: 'json', value: payloadOf(event.value) };
  }
  return view;
}

/** The payload with `before` and `after` decoded; every key in the order Debezium wrote it. */
export function decodedPayload(event: ChangeEvent): Decoded {
  const out: Record<string, Decoded> = {};
  for (const [name, value] of Object.entries(event.payload)) {
    if ((name === 'before' || name === 'after') && (value === null || isJsonObject(value))) {
      setOwn(out, name, decodeRow(value, event.rowSchema));
    } else {
      setOwn(out, name, value);
    }
  }
  return out;
}

/** An update as the fields whose decoded value differs; unchanged TOAST columns are not changes. */
export function changesOf(event: ChangeEvent): ViewBody {
  const after = decodeRow(event.after, event.rowSchema) ?? {};
  if (event.before === null) {
    return {
      kind: 'changes',
      changes: Object.entries(after)
        .filter(([, v]) => !isUnchanged(v))
        .map(([field, v]) => ({ field, new: v })),
      note: 'no before image (REPLICA IDENTITY DEFAULT?): showing the new values',
    };
  }
  const before = decodeRow(event.before, event.rowSchema) ?? {};
  const changes: FieldChange[] = [];
  for (const [field, value] of Object.entries(after)) {
    if (isUnchanged(value)) continue;
    const old = before[field];
    if (old === undefined || isUnchanged(old) || formatDecoded(old) !== formatDecoded(value)) {
      changes.push({ field, old: old === undefined ? undefined : old, new: value });
    }
  }
  return { kind: 'changes', changes };
}

/** ISO-8601 of epoch ms, or undefined beyond what Date holds (±8.64e15 ms): a hostile `ts_ms` must not throw. */
function isoTime(ms: number): string | undefined {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

function payloadOf(value: JsonValue | undefined): JsonValue {
  if (isJsonObject(value) && 'payload' in value && 'schema' in value) return value.payload;
  return value ?? null;
}
