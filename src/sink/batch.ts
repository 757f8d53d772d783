/**
 * A batch of decoded records, planned per source table: split at truncates (a truncate applies
 * between the changes before and after it), each key's changes in source order (never arrival
 * order), repeats of one event inside the batch dropped, and values the event did not carry
 * (TOAST placeholders, the columns a REPLICA IDENTITY DEFAULT delete leaves out) taken from the
 * key's previous event in the batch. What only the target knows (the current version) is left
 * marked for the SQL to fill.
 */
import { decodeValue, isUnchanged, structSchema, type ConnectSchema, type Decoded } from '../debezium';
import type { JsonObject } from '../json';
import { SinkSchemaError } from './errors';
import { comparePositions, type SinkChange, type SinkTruncate, type SourceTable } from './record';

export interface StagedEvent {
  change: SinkChange;
  values: Record<string, Decoded>;
  /** Columns no event of this batch carries: the target's current version has them. */
  unchanged: string[];
  /** A delete that is its key's first event here: missing values come from the current version. */
  fillFromCurrent: boolean;
}

export interface TableSegment {
  /** Grouped by key, each key's events in source order. */
  events: StagedEvent[];
  /** The truncate that ends this segment, if any. */
  truncate?: SinkTruncate;
}

export interface TablePlan {
  table: SourceTable;
  keyColumns: string[];
  /** The distinct row schemas of the batch, in arrival order (the last is the newest). */
  schemas: ConnectSchema[];
  segments: TableSegment[];
  /** Events that appeared twice in this batch (same key and position): applied once. */
  repeated: number;
  /** Of those, snapshot rows re-sent after newer changes of their key: stale rather than duplicates. */
  repeatedStale: number;
}

export function tableId(table: SourceTable): string {
  return `${table.schema}\u0000${table.table}`;
}

export function planBatch(items: readonly (SinkChange | SinkTruncate)[]): TablePlan[] {
  const byTable = new Map<string, (SinkChange | SinkTruncate)[]>();
  for (const item of items) {
    const id = tableId(item.table);
    let list = byTable.get(id);
    if (!list) byTable.set(id, (list = []));
    list.push(item);
  }
  return [...byTable.values()].map(planTable);
}

function planTable(items: (SinkChange | SinkTruncate)[]): TablePlan {
  const table = items[0].table;
  const changes = items.filter((i): i is SinkChange => i.kind === 'change');
  const keyColumns = changes[0]?.keyColumns ?? [];
  const schemas: ConnectSchema[] = [];
  const seenSchemas = new Set<string>();
  // Events of one table share one parsed schema object (envelope-text.ts): compare texts only for new objects.
  const seenObjects = new Set<ConnectSchema>();
  for (const change of changes) {
    if (change.keyColumns.join(',') !== keyColumns.join(',')) {
      throw new SinkSchemaError(
        `the primary key of ${table.schema}.${table.table} changed in the batch: (${keyColumns.join(', ')}) → (${change.keyColumns.join(', ')})`,
        'a history keeps one key: sink the new key into another --target-schema',
      );
    }
    if (seenObjects.has(change.rowSchema)) continue;
    seenObjects.add(change.rowSchema);
    const text = JSON.stringify(change.rowSchema.fields ?? []);
    if (!seenSchemas.has(text)) {
      seenSchemas.add(text);
      schemas.push(change.rowSchema);
    }
  }
  // Truncates cut the table's stream by position; each change belongs between two of them.
  const truncates = items.filter((i): i is SinkTruncate => i.kind === 'truncate').sort((a, b) => comparePositions(a.position, b.position));
  const buckets: SinkChange[][] = truncates.map(() => []);
  buckets.push([]);
  for (const change of changes) {
    let k = 0;
    while (k < truncates.length && comparePositions(truncates[k].position, change.position) <= 0) k++;
    buckets[k].push(change);
  }
  let repeated = 0;
  let repeatedStale = 0;
  const segments: TableSegment[] = buckets.map((bucket, k) => {
    const staged = stageSegment(bucket);
    repeated += staged.repeated;
    repeatedStale += staged.repeatedStale;
    return { events: staged.events, truncate: truncates[k] };
  });
  return { table, keyColumns, schemas, segments, repeated, repeatedStale };
}

function stageSegment(changes: SinkChange[]): { events: StagedEvent[]; repeated: number; repeatedStale: number } {
  const byKey = new Map<string, SinkChange[]>();
  for (const change of changes) {
    let list = byKey.get(change.keyText);
    if (!list) byKey.set(change.keyText, (list = []));
    list.push(change);
  }
  const events: StagedEvent[] = [];
  let repeated = 0;
  let repeatedStale = 0;
  for (const list of byKey.values()) {
    // Array.prototype.sort is stable: equal positions keep arrival order, and only the first stays.
    list.sort((a, b) => comparePositions(a.position, b.position));
    let known: Record<string, Decoded> | undefined;
    let previous: SinkChange | undefined;
    for (const change of list) {
      if (previous && comparePositions(previous.position, change.position) === 0) {
        repeated++;
        if (change.op === 'r' && comparePositions(list[list.length - 1].position, change.position) > 0) repeatedStale++;
        continue;
      }
      previous = change;
      const values = decodeColumns(change.row, change.rowSchema);
      const unchanged: string[] = [];
      let fillFromCurrent = false;
      if (change.op === 'd') {
        // A delete carries the last known values: what `before` lacks comes from the version it closes.
        if (known) {
          for (const column of Object.keys(known))
            if (values[column] === null || values[column] === undefined || isUnchanged(values[column])) values[column] = known[column];
        } else fillFromCurrent = true;
        for (const column of Object.keys(values)) if (isUnchanged(values[column])) values[column] = null;
      } else {
        for (const column of Object.keys(values)) {
          if (!isUnchanged(values[column])) continue;
          if (known && column in known) values[column] = known[column];
          else {
            values[column] = null;
            unchanged.push(column);
          }
        }
      }
      events.push({ change, values, unchanged, fillFromCurrent });
      known = change.op === 'd' ? undefined : withoutColumns(values, unchanged);
    }
  }
  return { events, repeated, repeatedStale };
}

function withoutColumns(values: Record<string, Decoded>, columns: string[]): Record<string, Decoded> {
  if (columns.length === 0) return values;
  const out = { ...values };
  for (const column of columns) delete out[column];
  return out;
}

/**
 * decodeRow, except that VARBIT columns (Bits with Debezium's length 2^31-1, "unbounded") decode
 * without padding to that length, which no string can hold.
 */
function decodeColumns(row: JsonObject, rowSchema: ConnectSchema): Record<string, Decoded> {
  const byName = structSchema(rowSchema).byName;
  const out: Record<string, Decoded> = {};
  for (const column of Object.keys(row)) out[column] = decodeValue(row[column], columnSchema(byName.get(column)));
  return out;
}

const unbounded = new WeakMap<ConnectSchema, ConnectSchema>();

function columnSchema(schema: ConnectSchema | undefined): ConnectSchema | undefined {
  if (schema?.name !== 'io.debezium.data.Bits' || Number(schema.parameters?.length ?? 0) < 1 << 20) return schema;
  let patched = unbounded.get(schema);
  if (!patched) {
    const { length: _length, ...parameters } = schema.parameters ?? {};
    patched = { ...schema, parameters };
    unbounded.set(schema, patched);
  }
  return patched;
}
