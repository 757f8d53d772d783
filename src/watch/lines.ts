/**
 * Piped output: one JSON document per line, built from the record bytes without re-encoding them,
 * so big integers, decimals and key order stay exactly as Debezium wrote them and a replay of
 * 200,000 events costs little more than copying bytes.
 */
import { parseLossless, stringifyLossless } from '../json';
import { headerText, type WatchRecord } from './record';

const NEWLINE = 0x0a;
const RETURN = 0x0d;
const NULL_LINE = Buffer.from('null\n');

/** `jsonl`: the record value as written (tombstones as `null`), one per line. */
export function valueLines(records: WatchRecord[]): Buffer {
  return Buffer.concat(valueParts(records));
}

/**
 * valueLines as the buffers to write one after the other: the values themselves (views of the
 * fetched bytes) and newlines, so a pipe gets them without their being copied into one buffer first.
 */
export function valueParts(records: WatchRecord[]): Buffer[] {
  const parts: Buffer[] = [];
  for (const record of records) {
    if (record.value === null || record.value.length === 0) {
      parts.push(NULL_LINE);
    } else {
      parts.push(singleLine(record.value), NEWLINE_BUFFER);
    }
  }
  return parts;
}

const NEWLINE_BUFFER = Buffer.from('\n');

/**
 * `records`: one object per line with where the record came from and the key and value embedded as
 * JSON (not as escaped strings, unlike kcat -J). Values that are not JSON become JSON strings.
 */
export function recordLines(records: WatchRecord[]): Buffer {
  const parts: string[] = [];
  for (const r of records) {
    let line = `{"topic":${JSON.stringify(r.topic)},"partition":${r.partition},"offset":${r.offset},"timestamp":${r.timestamp}`;
    line += `,"key":${r.key === null ? 'null' : embedJson(r.key)}`;
    const names = Object.keys(r.headers);
    if (names.length > 0) {
      line += `,"headers":{${names.map((n) => `${JSON.stringify(n)}:${JSON.stringify(headerText(r.headers[n]))}`).join(',')}}`;
    }
    line += `,"value":${r.value === null ? 'null' : embedJson(r.value)}}\n`;
    parts.push(line);
  }
  return Buffer.from(parts.join(''), 'utf8');
}

/** The bytes as one line: compact JSON text stays untouched; multi-line JSON is compacted losslessly. */
function singleLine(bytes: Buffer): Buffer {
  if (bytes.indexOf(NEWLINE) < 0 && bytes.indexOf(RETURN) < 0) return bytes;
  const text = bytes.toString('utf8');
  try {
    return Buffer.from(stringifyLossless(parseLossless(text)));
  } catch {
    return Buffer.from(JSON.stringify(text));
  }
}

function embedJson(bytes: Buffer): string {
  const text = bytes.toString('utf8');
  try {
    const value = parseLossless(text);
    return /[\r\n]/.test(text) ? stringifyLossless(value) : text;
  } catch {
    return JSON.stringify(text);
  }
}
