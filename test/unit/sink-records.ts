/** Records of test/unit/fixtures/sink-types.jsonl (real Debezium 3.4 output, `cdc watch -o records`) as SinkRecords. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SinkRecord } from '../../src/sink';
import { sinkRecordOfLine } from '../helpers/records';

export function fixtureRecords(): SinkRecord[] {
  const text = fs.readFileSync(path.join(__dirname, 'fixtures', 'sink-types.jsonl'), 'utf8');
  return text.trim().split('\n').map(sinkRecordOfLine);
}
