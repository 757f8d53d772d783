import { classifyRecord, createEventTextParser } from '../../src/debezium';
import { JsonNumber, parseLossless, type JsonValue } from '../../src/json';

const SCHEMA =
  '{"type":"struct","fields":[{"type":"struct","fields":[{"type":"int32","optional":false,"field":"id"}],"optional":true,"name":"s.t.Value","field":"before"},{"type":"struct","fields":[{"type":"int32","optional":false,"field":"id"}],"optional":true,"name":"s.t.Value","field":"after"},{"type":"string","optional":false,"field":"op"}],"optional":false,"name":"s.t.Envelope","version":2}';
const PAYLOAD =
  '{"before":null,"after":{"id":7},"source":{"ts_ms":1763780000000,"table":"t"},"transaction":null,"op":"c","ts_ms":1763780000003,"ts_ns":1763780000003123456}';

const classify = (text: string) => classifyRecord(parseLossless(text));

describe('classifyRecord', () => {
  it('recognises the envelope with schema and exposes the row schema', () => {
    const record = classify(`{"schema":${SCHEMA},"payload":${PAYLOAD}}`);
    expect(record.kind).toBe('change');
    if (record.kind !== 'change') return;
    expect(record.event.shape).toBe('envelope');
    expect(record.event.op).toBe('c');
    expect(record.event.after).toEqual({ id: 7 });
    expect(record.event.rowSchema?.name).toBe('s.t.Value');
    expect(record.event.payload.ts_ns).toEqual(new JsonNumber('1763780000003123456'));
  });

  it('recognises the schemaless payload', () => {
    const record = classify(PAYLOAD);
    expect(record.kind === 'change' && record.event.shape).toBe('payload');
    expect(record.kind === 'change' && record.event.rowSchema).toBeUndefined();
  });

  it('recognises kcat -J envelopes, their tombstones and their Kafka coordinates', () => {
    const kcat = {
      topic: 'dbserver1.s.t',
      partition: 0,
      offset: 12,
      tstype: 'create',
      ts: 1763780000004,
      broker: 1,
      key: '{"id":7}',
      payload: `{"schema":${SCHEMA},"payload":${PAYLOAD}}`,
    };
    const record = classifyRecord(parseLossless(JSON.stringify(kcat)));
    expect(record.kind).toBe('change');
    if (record.kind !== 'change') return;
    expect(record.event.shape).toBe('kcat');
    expect(record.event.kafka).toEqual({ topic: 'dbserver1.s.t', partition: 0, offset: 12, key: '{"id":7}' });
    expect(record.event.payload.ts_ns).toEqual(new JsonNumber('1763780000003123456'));
    expect(classifyRecord(parseLossless(JSON.stringify({ ...kcat, payload: null }))).kind).toBe('tombstone');
    expect(classifyRecord(parseLossless(JSON.stringify({ ...kcat, payload: '{oops' })))).toMatchObject({
      kind: 'invalid',
      reason: expect.stringContaining('kcat envelope: payload is not JSON'),
    });
    // After `jq '.payload |= fromjson'` the payload is the value itself: same event, exact.
    const unescaped = classifyRecord(parseLossless(`{"topic":"dbserver1.s.t","partition":0,"offset":12,"key":null,"payload":${kcat.payload}}`));
    expect(unescaped).toMatchObject({ kind: 'change', event: { shape: 'kcat', op: record.event.op, after: record.event.after } });
  });

  it('recognises ExtractNewRecordState rows', () => {
    const created = classify('{"id":7,"name":"a","__op":"c","__table":"t","__source_ts_ms":1763780000000,"__deleted":"false"}');
    expect(created).toMatchObject({
      kind: 'change',
      event: { shape: 'unwrapped', op: 'c', after: { id: 7, name: 'a' }, before: null, source: { ts_ms: 1763780000000, table: 't' } },
    });
    const deleted = classify('{"id":7,"name":null,"__deleted":"true"}');
    expect(deleted).toMatchObject({ kind: 'change', event: { op: 'd', before: { id: 7, name: null }, after: null } });
  });

  it('takes a row under a `.Value` schema as an unwrapped upsert even without __op', () => {
    const rowSchema = '{"type":"struct","fields":[{"type":"int32","optional":false,"field":"id"}],"optional":false,"name":"p.s.t.Value"}';
    expect(classify(`{"schema":${rowSchema},"payload":{"id":7}}`)).toMatchObject({
      kind: 'change',
      event: { shape: 'unwrapped', op: 'c', after: { id: 7 }, rowSchema: { name: 'p.s.t.Value' } },
    });
    expect(classify('{"id":7}')).toMatchObject({ kind: 'invalid' });
  });

  it('tells tombstones, heartbeats and transaction markers apart', () => {
    expect(classify('null').kind).toBe('tombstone');
    expect(classify('{"schema":null,"payload":null}').kind).toBe('tombstone');
    expect(classify('{"ts_ms":1763780000000}')).toMatchObject({ kind: 'heartbeat' });
    expect(classify('{"status":"BEGIN","id":"571:53195829","ts_ms":1,"event_count":null,"data_collections":null}')).toMatchObject({
      kind: 'transaction',
      status: 'BEGIN',
    });
    expect(classify('{"status":"END","id":"571:53195829","ts_ms":1,"event_count":2,"data_collections":[]}')).toMatchObject({
      kind: 'transaction',
      status: 'END',
    });
  });

  it('accepts truncate and logical-message events as changes', () => {
    expect(classify('{"before":null,"after":null,"source":{},"op":"t","ts_ms":1}')).toMatchObject({ kind: 'change', event: { op: 't' } });
    expect(classify('{"op":"m","ts_ms":1,"source":{},"message":{"prefix":"p","content":"AA=="}}')).toMatchObject({ kind: 'change', event: { op: 'm' } });
  });

  it('unwraps a doubly encoded event', () => {
    expect(classifyRecord(JSON.stringify(JSON.parse(PAYLOAD)) as JsonValue)).toMatchObject({ kind: 'change', event: { op: 'c' } });
  });

  it.each([
    ['{"before":null,"after":{"id":1},"op":"x"}', 'unknown op "x" (expected one of c, u, d, r, t, m)'],
    ['{"before":null,"after":{"id":1},"op":null}', 'unknown op null (expected one of c, u, d, r, t, m)'],
    ['{"a":1,"b":2}', 'not a Debezium event: an object without op/payload (keys: a, b)'],
    ['[1,2]', 'not a Debezium event: a JSON array'],
    ['42', 'not a Debezium event: a JSON number'],
    ['"hello"', 'not a Debezium event: a JSON string'],
    ['{"before":3,"after":null,"op":"d"}', 'not a Debezium event: before/after is not an object'],
  ])('reports %s as invalid: %s', (text, reason) => {
    expect(classify(text)).toEqual({ kind: 'invalid', reason });
  });
});

describe('createEventTextParser', () => {
  it('parses exactly like parseLossless and reuses the schema object of a repeated schema', () => {
    const parse = createEventTextParser();
    const first = `{"schema":${SCHEMA},"payload":${PAYLOAD}}`;
    const second = `{"schema":${SCHEMA},"payload":${PAYLOAD.replace('"id":7', '"id":8')}}  `;
    const a = parse(first) as { schema: JsonValue; payload: JsonValue };
    const b = parse(second) as { schema: JsonValue; payload: JsonValue };
    expect(a).toEqual(parseLossless(first));
    expect(b).toEqual(parseLossless(second));
    expect(b.schema).toBe(a.schema);
  });

  it('parses a line given as UTF-8 bytes exactly as its text, and throws the same error', () => {
    const parse = createEventTextParser();
    const lines = [
      `{"schema":${SCHEMA},"payload":${PAYLOAD}}`,
      `{"schema":${SCHEMA},"payload":${PAYLOAD.replace('"id":7', '"id":"é€😀"')}}  `,
      `{"schema":${SCHEMA},"payload":${PAYLOAD},"extra":{"n":1.50}}`,
      `{"schema":${SCHEMA},"payload":{"op":"c","after":{"n":123456789012345678901}}}`,
      `{"schema":${SCHEMA.replace('s.t.Envelope', 's.u.Envelope')},"payload":${PAYLOAD}}`,
      `{"schema":${SCHEMA},"payload":{"op":`,
      `{"schema":${SCHEMA},"payload":{"op":}}`,
      `{"schema":${SCHEMA},"payload":${PAYLOAD}`,
      `{"a":1}`,
    ];
    for (const line of [...lines, ...lines]) {
      let text: unknown;
      let bytes: unknown;
      try {
        text = parseLossless(line);
      } catch (err) {
        text = err;
      }
      try {
        bytes = parse.bytes(Buffer.from(line));
      } catch (err) {
        bytes = err;
      }
      expect(bytes).toEqual(text);
    }
  });

  it('falls back to a full parse when the rest of the line is not just the payload', () => {
    const parse = createEventTextParser();
    parse(`{"schema":${SCHEMA},"payload":${PAYLOAD}}`);
    const extra = `{"schema":${SCHEMA},"payload":${PAYLOAD},"extra":{"n":1.50}}`;
    expect(parse(extra)).toEqual(parseLossless(extra));
    expect(() => parse(`{"schema":${SCHEMA},"payload":{"op":`)).toThrow(SyntaxError);
    const other = `{"schema":${SCHEMA.replace('s.t.Envelope', 's.u.Envelope')},"payload":${PAYLOAD}}`;
    expect(parse(other)).toEqual(parseLossless(other));
  });
});
