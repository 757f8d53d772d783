import { parseLossless } from '../../src/json';
import { recordLines, valueLines } from '../../src/watch/lines';
import { byOp, capturedRecords } from './watch-records';

const records = capturedRecords();

describe('jsonl (piped default)', () => {
  it('writes each record value byte for byte, one per line, tombstones as null', () => {
    const out = valueLines(records).toString('utf8').split('\n');
    expect(out).toHaveLength(records.length + 1);
    expect(out.pop()).toBe('');
    out.forEach((line, i) => expect(line).toBe(records[i].value === null ? 'null' : records[i].value.toString('utf8')));
  });

  it("keeps a bigint beyond 2^53 and Debezium's key order", () => {
    const line = valueLines([byOp().r]).toString('utf8');
    expect(line).toContain('"big":9007199254740993');
    expect(line.indexOf('"before"')).toBeLessThan(line.indexOf('"after"'));
  });

  it('compacts a multi-line value to one line without changing it', () => {
    const pretty = Buffer.from('{\n  "payload": {\n    "id": 12345678901234567890,\n    "price": 1.50\n  }\n}');
    const out = valueLines([{ ...byOp().c, value: pretty }]).toString('utf8');
    expect(out).toBe('{"payload":{"id":12345678901234567890,"price":1.50}}\n');
  });

  it('a multi-line value that is not JSON becomes a JSON string, so lines stay lines', () => {
    const out = valueLines([{ ...byOp().c, value: Buffer.from('not\njson') }]).toString('utf8');
    expect(out).toBe('"not\\njson"\n');
  });
});

describe('records', () => {
  it('one object per line with coordinates, headers, and key and value embedded as JSON', () => {
    const lines = recordLines(records).toString('utf8').trim().split('\n');
    expect(lines).toHaveLength(records.length);
    const first = parseLossless(lines[0]) as Record<string, unknown>;
    expect(Object.keys(first)).toEqual(['topic', 'partition', 'offset', 'timestamp', 'key', 'headers', 'value']);
    expect(first.topic).toBe('wdev.wdev.holding');
    expect(first.offset).toBe(0);
    expect(first.headers).toEqual({ '__debezium.context.connectorLogicalName': 'wdev' });
    expect(lines[0]).toContain(`"value":${records[0].value!.toString('utf8')}}`);
    expect(lines[4]).toMatch(/"value":null}$/);
  });
});
