/**
 * Reads a CSV stream up to the end of its first record (the header, usually), leaving the rest
 * for the loader. A UTF-8 byte-order mark is dropped: Postgres would take it for data.
 */
import { parse } from 'csv-parse/sync';
import { InputError } from '../errors';
import { type CsvRecordScanner, hasContent } from './csv-records';

export interface FirstRecord {
  fields: string[];
  /** The first record's bytes (header or data) and what was read after it. */
  bytes: Buffer;
  rest: Buffer;
  /** Bytes read from the source so far. */
  read: number;
}

export async function readFirstRecord(chunks: AsyncIterator<Buffer>, scanner: CsvRecordScanner): Promise<FirstRecord | undefined> {
  let head = Buffer.alloc(0);
  let read = 0;
  let first = true;
  for (;;) {
    const next = await chunks.next();
    if (next.done) break;
    let chunk = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value);
    read += chunk.length;
    if (first && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) chunk = chunk.subarray(3);
    first = false;
    let offset = 0;
    for (;;) {
      const { records, end, skipTo } = scanner.scan(chunk, offset, 1);
      if (skipTo !== undefined) {
        // A blank line before the header: skipped, not taken for a header with one empty name.
        head = Buffer.alloc(0);
        offset = skipTo;
        continue;
      }
      if (records === 0) break;
      const bytes = Buffer.concat([head, chunk.subarray(offset, end)]);
      return { fields: parseFields(bytes), bytes, rest: chunk.subarray(end), read };
    }
    head = Buffer.concat([head, chunk.subarray(offset)]);
  }
  if (!hasContent(head)) return undefined;
  return { fields: parseFields(head), bytes: head, rest: Buffer.alloc(0), read };
}

function parseFields(bytes: Buffer): string[] {
  try {
    const records: string[][] = parse(bytes, { relax_column_count: true });
    return records[0] ?? [];
  } catch (err) {
    throw new InputError(`the first row is not valid CSV: ${(err as Error).message}`);
  }
}
