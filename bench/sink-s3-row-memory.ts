/**
 * What an open window's row weighs in the heap against the estimate `cdc sink s3 --buffer-memory`
 * counts (src/sink/s3/spill.ts): rows shaped as the sink shapes them (one text parse per record),
 * 50,000 records of test/unit/fixtures/sink-types.jsonl (flat, envelope) or fixtures/holding-events
 * .jsonl (pivot) kept, the heap measured after a full GC before and after. Usage:
 *   npm run build && node --expose-gc dist/bench/sink-s3-row-memory.js
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { classifyRecord, createEventTextParser } from '../src/debezium';
import { parseLossless, stringifyLossless, type JsonObject } from '../src/json';
import type { SinkRecord } from '../src/sink';
import { envelopeRow, flatRow, pivotRows, type Shape, type ShapedRow } from '../src/sink/s3/shape';
import { estimateRow } from '../src/sink/s3/spill';

const ROOT = path.resolve(__dirname, '../..');
const RECORDS = 50_000;

function fixture(shape: Shape): SinkRecord[] {
  if (shape === 'pivot') {
    return fs
      .readFileSync(path.join(ROOT, 'fixtures/holding-events.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => ({ topic: 't', partition: 0, offset: '0', key: null, value: Buffer.from(line) }));
  }
  return fs
    .readFileSync(path.join(ROOT, 'test/unit/fixtures/sink-types.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => parseLossless(line) as JsonObject)
    .filter((r) => r.value !== null)
    .map((r) => ({
      topic: String(r.topic),
      partition: 0,
      offset: '0',
      key: Buffer.from(stringifyLossless(r.key)),
      value: Buffer.from(stringifyLossless(r.value)),
    }));
}

function measure(shape: Shape): string {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc');
  const records = fixture(shape);
  const parse = createEventTextParser();
  const rowsOf = (record: SinkRecord): ShapedRow[] => {
    if (shape === 'envelope') return [envelopeRow(record)];
    const classified = classifyRecord(parse(record.value!.toString('utf8')), parse);
    if (classified.kind !== 'change') return [];
    if (shape === 'flat') return [flatRow(classified.event, record)];
    const rows = pivotRows(classified.event, record);
    return 'invalid' in rows ? [] : rows;
  };
  gc();
  const before = process.memoryUsage().heapUsed;
  const kept: ShapedRow[] = [];
  let estimate = 0;
  for (let i = 0; i < RECORDS; i++) {
    const record = { ...records[i % records.length], offset: String(i) };
    // As S3Sink counts: a flat row's record text (its raw values are slices of it) with the row.
    let retained = shape === 'flat' ? record.value!.length : 0;
    for (const row of rowsOf(record)) {
      estimate += estimateRow(row) + retained;
      retained = 0;
      kept.push(row);
    }
  }
  gc();
  const heap = process.memoryUsage().heapUsed - before;
  const n = kept.length;
  return `${shape}: ${n} rows; heap ${Math.round(heap / n)} B/row, estimate ${Math.round(estimate / n)} B/row, heap/estimate ${(heap / estimate).toFixed(2)}`;
}

for (const shape of ['flat', 'envelope', 'pivot'] as const) console.log(measure(shape));
