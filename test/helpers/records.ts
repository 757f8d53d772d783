/** `cdc watch -o records` lines as the sinks receive them (SinkRecord: key and value as bytes). */
import { parseLossless, stringifyLossless, type JsonObject } from '../../src/json';
import type { SinkRecord } from '../../src/sink';

export function sinkRecordOfLine(line: string): SinkRecord {
  const r = parseLossless(line) as JsonObject;
  return {
    topic: r.topic as string,
    partition: Number(r.partition),
    offset: String(r.offset),
    key: r.key === null ? null : Buffer.from(stringifyLossless(r.key)),
    value: r.value === null ? null : Buffer.from(stringifyLossless(r.value)),
  };
}
