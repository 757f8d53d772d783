/** Records of test/unit/fixtures/sink-types.jsonl (real Debezium 3.4 output, `cdc watch -o records`) as SinkRecords. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseLossless, stringifyLossless, type JsonObject } from '../../src/json';
import type { SinkRecord } from '../../src/sink';

export function fixtureRecords(): SinkRecord[] {
  const text = fs.readFileSync(path.join(__dirname, 'fixtures', 'sink-types.jsonl'), 'utf8');
  return text
    .trim()
    .split('\n')
    .map((line) => {
      const r = parseLossless(line) as JsonObject;
      return {
        topic: r.topic as string,
        partition: Number(r.partition),
        offset: String(r.offset),
        key: r.key === null ? null : Buffer.from(stringifyLossless(r.key)),
        value: r.value === null ? null : Buffer.from(stringifyLossless(r.value)),
      };
    });
}
