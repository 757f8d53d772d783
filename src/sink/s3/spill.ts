/**
 * The rows of the sink's open windows, kept within one memory budget however many partitions are
 * open. Windows must be kept whole until complete (a partial window is uploaded when caught up and
 * rewritten, same name and bytes, once complete), so what does not fit goes to disk: when the rows
 * in memory exceed the budget, the largest buffers' rows are appended to one temp file each (until
 * half the budget is left, so spills are few and large), and read back, streaming, file first, when
 * the object is encoded. The temp files live in one private folder (`cdc-sink-s3-<random>` under
 * the OS temp dir), made at the first spill and removed on close; one left by kill -9 holds only
 * copies of rows still in Kafka.
 *
 * Sizes are estimates, counted when a row is added: each cell's value and raw value at about their
 * JSON size, plus the record text a row keeps alive (the caller says how much). Measured against
 * the heap (50,000 rows of test/unit/fixtures/sink-types.jsonl, node --expose-gc): flat rows take
 * 0.9× their estimate, envelope rows 1.1×; docs/sink.md has the figures.
 *
 * A row goes to disk exactly (v8's serialiser over a tagged form): JsonNumber's text, UNCHANGED,
 * key order, bigints, -0; Connect schemas are written once per file (they are shared, by identity,
 * between the rows of a table) and shared again when read back.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import { UNCHANGED, isUnchanged, type ConnectSchema, type Decoded } from '../../debezium';
import { JsonNumber, setOwn, type JsonValue } from '../../json';
import type { Cell, ShapedRow } from './shape';

/** Read-back chunk: also the most a spill writes at once. */
const CHUNK = 1024 * 1024;

export class RowStore {
  private readonly buffers = new Set<RowBuffer>();
  private memory = 0;
  private dir: Promise<string> | undefined;
  private files = 0;
  /** Rows written to disk so far (a row spilled once counts once). */
  spilledRows = 0;

  /** @param budget bytes (estimated) of rows kept in memory (`--buffer-memory`); 0 keeps every row on disk. */
  constructor(
    readonly budget: number,
    private readonly tmpRoot: string = os.tmpdir(),
  ) {}

  /** A new, empty buffer for the rows of one object. */
  buffer(): RowBuffer {
    const buffer = new RowBuffer(this);
    this.buffers.add(buffer);
    return buffer;
  }

  /** Estimated bytes of rows in memory now. */
  get memoryBytes(): number {
    return this.memory;
  }

  /** True when rows in memory exceed the budget: call spill() before adding more. */
  get over(): boolean {
    return this.memory > this.budget;
  }

  /** Moves the largest buffers' rows to disk until at most half the budget is in memory. */
  async spill(): Promise<void> {
    if (!this.over) return;
    const target = Math.floor(this.budget / 2);
    const largest = [...this.buffers].filter((b) => b.memoryBytes > 0).sort((a, b) => b.memoryBytes - a.memoryBytes);
    for (const buffer of largest) {
      if (this.memory <= target) break;
      await buffer.spill();
    }
  }

  /** Removes the temp folder and every file in it. The store can still be used (a new folder is made). */
  async close(): Promise<void> {
    for (const buffer of this.buffers) buffer.forget();
    this.buffers.clear();
    this.memory = 0;
    const dir = this.dir;
    this.dir = undefined;
    if (dir) await fs.rm(await dir.catch(() => ''), { recursive: true, force: true }).catch(() => undefined);
  }

  /** @internal */
  changed(delta: number): void {
    this.memory += delta;
  }

  /** @internal a new file name in the private folder, made on first use. */
  async file(): Promise<string> {
    this.dir ??= fs.mkdtemp(path.join(this.tmpRoot, 'cdc-sink-s3-'));
    return path.join(await this.dir, `${++this.files}.rows`);
  }

  /** @internal */
  dropped(buffer: RowBuffer): void {
    this.buffers.delete(buffer);
  }
}

/** The rows of one object, in the order added: some in a temp file (the oldest), the rest in memory. */
export class RowBuffer {
  private rows: ShapedRow[] = [];
  private bytes = 0;
  private file: string | undefined;
  private fileBytes = 0;
  private spilled = 0;
  private writer = new RowWriter();

  constructor(private readonly store: RowStore) {}

  /** Rows added. */
  get count(): number {
    return this.spilled + this.rows.length;
  }

  get memoryBytes(): number {
    return this.bytes;
  }

  /** Rows on disk. */
  get spilledRows(): number {
    return this.spilled;
  }

  /**
   * Adds a row (in memory; the caller spills when the store is over budget). `retained`: bytes the
   * row keeps alive beyond its own values, counted with it (the flat and pivot shapes' strings are
   * slices of the record's text, which stays in memory as long as they do).
   */
  push(row: ShapedRow, retained = 0): void {
    const size = estimateRow(row) + retained;
    this.rows.push(row);
    this.bytes += size;
    this.store.changed(size);
  }

  /** The rows, in the order added, a chunk at a time: can be read again (Parquet reads twice). */
  async *chunks(): AsyncGenerator<readonly ShapedRow[]> {
    if (this.file !== undefined && this.spilled > 0) {
      const reader = new RowReader();
      const handle = await fs.open(this.file, 'r');
      try {
        const chunk = Buffer.allocUnsafe(CHUNK);
        let position = 0;
        while (position < this.fileBytes) {
          const { bytesRead } = await handle.read(chunk, 0, Math.min(CHUNK, this.fileBytes - position), position);
          if (bytesRead === 0) throw new Error(`spill file ${this.file} ends at ${position} of ${this.fileBytes} bytes`);
          position += bytesRead;
          const rows = reader.push(chunk.subarray(0, bytesRead));
          if (rows.length) yield rows;
        }
        reader.end();
      } finally {
        await handle.close();
      }
    }
    if (this.rows.length) yield this.rows;
  }

  /** Appends the rows in memory to this buffer's file. */
  async spill(): Promise<void> {
    if (this.rows.length === 0) return;
    const rows = this.rows;
    const bytes = this.bytes;
    this.file ??= await this.store.file();
    const parts: Buffer[] = [];
    let pending = 0;
    const flush = async () => {
      const data = Buffer.concat(parts);
      await fs.appendFile(this.file!, data);
      this.fileBytes += data.length;
      parts.length = 0;
      pending = 0;
    };
    for (const row of rows) {
      const frame = this.writer.frame(row);
      parts.push(frame);
      pending += frame.length;
      if (pending >= CHUNK) await flush();
    }
    if (pending > 0) await flush();
    this.spilled += rows.length;
    this.store.spilledRows += rows.length;
    this.rows = [];
    this.bytes = 0;
    this.store.changed(-bytes);
  }

  /** Drops the rows and the file: the object is complete and uploaded, or abandoned. */
  async discard(): Promise<void> {
    const file = this.file;
    this.forget();
    this.store.dropped(this);
    if (file !== undefined) await fs.rm(file, { force: true }).catch(() => undefined);
  }

  /** @internal the rows are gone (the store closes and removes every file). */
  forget(): void {
    this.store.changed(-this.bytes);
    this.rows = [];
    this.bytes = 0;
    this.file = undefined;
    this.fileBytes = 0;
    this.spilled = 0;
    this.writer = new RowWriter();
  }
}

/** Bytes per cell beyond its values: the Map entry and the cell object (V8, 64-bit, measured). */
const CELL_OVERHEAD = 48;

/** About how many bytes a row takes: per cell its name, value and raw value (schemas are shared). */
export function estimateRow(row: ShapedRow): number {
  let size = 64;
  for (const [name, cell] of row) size += CELL_OVERHEAD + name.length + estimateValue(cell.value) + (cell.raw === undefined ? 0 : estimateValue(cell.raw));
  return size;
}

function estimateValue(value: Decoded | undefined): number {
  if (value === null || value === undefined || typeof value === 'boolean') return 4;
  if (typeof value === 'string') return 2 + value.length;
  if (typeof value === 'number') return 8;
  if (value instanceof JsonNumber) return 2 + value.text.length;
  if (Array.isArray(value)) {
    let size = 2;
    for (const item of value) size += 1 + estimateValue(item);
    return size;
  }
  let size = 2;
  for (const key of Object.keys(value)) size += 4 + key.length + estimateValue((value as Record<string, Decoded>)[key]);
  return size;
}

// The tagged form: primitives as they are (v8 keeps bigints and -0); anything else an array whose
// first element says what it is.
const ARRAY = 0;
const OBJECT = 1;
const NUMBER = 2;
const SAME = 3;

type Tagged = null | boolean | number | string | bigint | undefined | Tagged[];

function tag(value: unknown): Tagged {
  if (
    value === null ||
    value === undefined ||
    typeof value === 'string' ||
    typeof value === 'number' ||
    typeof value === 'boolean' ||
    typeof value === 'bigint'
  )
    return value;
  if (value instanceof JsonNumber) return [NUMBER, value.text];
  if (isUnchanged(value)) return [SAME];
  if (Array.isArray(value)) {
    const out: Tagged[] = [ARRAY];
    for (const item of value) out.push(tag(item));
    return out;
  }
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Tagged[] = [OBJECT];
    for (const key of Object.keys(value)) out.push(key, tag((value as Record<string, unknown>)[key]));
    return out;
  }
  // Rows hold JSON-like values only (src/debezium's Decoded): anything else is a bug to report.
  throw new TypeError(`cannot spill a ${Object.prototype.toString.call(value)} to disk`);
}

function untag(value: Tagged): unknown {
  if (!Array.isArray(value)) return value;
  switch (value[0]) {
    case ARRAY:
      return value.slice(1).map(untag);
    case OBJECT: {
      const out: Record<string, unknown> = {};
      for (let i = 1; i < value.length; i += 2) setOwn(out, value[i] as string, untag(value[i + 1]));
      return out;
    }
    case NUMBER:
      return new JsonNumber(value[1] as string);
    case SAME:
      return UNCHANGED;
    default:
      throw new Error(`spill file: unknown tag ${String(value[0])}`);
  }
}

/**
 * One frame per row: a 4-byte length, then v8.serialize([schemas first seen, cells]). Cells are
 * [name, value, raw, schema id] in the row's order; `raw` undefined when the cell has none.
 */
class RowWriter {
  private readonly schemaIds = new WeakMap<ConnectSchema, number>();
  private nextId = 0;

  frame(row: ShapedRow): Buffer {
    const schemas: Tagged[] = [];
    const cells: Tagged[] = [];
    for (const [name, cell] of row) {
      let id: number | undefined;
      if (cell.schema) {
        id = this.schemaIds.get(cell.schema);
        if (id === undefined) {
          id = this.nextId++;
          this.schemaIds.set(cell.schema, id);
          schemas.push(id, tag(cell.schema));
        }
      }
      cells.push(name, tag(cell.value), 'raw' in cell ? [ARRAY, tag(cell.raw)] : undefined, id);
    }
    const body = v8.serialize([schemas, cells]);
    const frame = Buffer.allocUnsafe(4 + body.length);
    frame.writeUInt32BE(body.length, 0);
    body.copy(frame, 4);
    return frame;
  }
}

class RowReader {
  private readonly schemas = new Map<number, ConnectSchema>();
  private pending: Buffer = Buffer.alloc(0);

  /** The rows whose frames are complete in what has been read so far. */
  push(data: Buffer): ShapedRow[] {
    const buffer = this.pending.length ? Buffer.concat([this.pending, data]) : data;
    const rows: ShapedRow[] = [];
    let at = 0;
    while (buffer.length - at >= 4) {
      const length = buffer.readUInt32BE(at);
      if (buffer.length - at - 4 < length) break;
      rows.push(this.row(v8.deserialize(buffer.subarray(at + 4, at + 4 + length)) as [Tagged[], Tagged[]]));
      at += 4 + length;
    }
    // Copied: `data` is the reader's chunk, overwritten by the next read.
    this.pending = Buffer.from(buffer.subarray(at));
    return rows;
  }

  end(): void {
    if (this.pending.length) throw new Error(`spill file: ${this.pending.length} bytes of an unfinished row at the end`);
  }

  private row([schemas, cells]: [Tagged[], Tagged[]]): ShapedRow {
    for (let i = 0; i < schemas.length; i += 2) this.schemas.set(schemas[i] as number, untag(schemas[i + 1]) as ConnectSchema);
    const row: ShapedRow = new Map();
    for (let i = 0; i < cells.length; i += 4) {
      const cell: Cell = { value: untag(cells[i + 1]) as Decoded };
      const raw = cells[i + 2];
      if (raw !== undefined) cell.raw = untag((raw as Tagged[])[1]) as JsonValue;
      const id = cells[i + 3];
      if (id !== undefined) cell.schema = this.schemas.get(id as number);
      row.set(cells[i] as string, cell);
    }
    return row;
  }
}
