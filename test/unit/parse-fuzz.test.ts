/**
 * The fuzz suite (issue 12 Evidence): mutated real events through the whole engine (structurally
 * valid JSON with wrong types in every place, and byte-level damage), then fast-check properties,
 * seeded and bounded in time, over the JSON layer, every decoder, the record splitter, the pivot
 * and the CSV loader's record scanner. Nothing may throw out of the command, no value may grow
 * beyond a fixed bound over its input, and every valid event in gives its rows out.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { parse as csvParse } from 'csv-parse/sync';
import { parse as oracleParse } from 'lossless-json';
import { DecodeError, decodeValue, formatDecoded, type ConnectSchema } from '../../src/debezium';
import { JsonNumber, parseLossless, stringifyLossless, type JsonValue } from '../../src/json';
import { isExactAsNumber } from '../../src/json/lossless';
import { DEFAULT_PIVOT_OPTIONS, parseEvents, RecordSplitter, type ParseRunOptions } from '../../src/parse';
import { CsvRecordScanner } from '../../src/seed/csv-records';

const FIXTURES = path.resolve(__dirname, '../../fixtures');
const source = ['holding-events.jsonl', 'customers-events.jsonl', 'holding-events-kcat-J.jsonl', 'holding-events-unwrapped.jsonl'].flatMap((f) =>
  fs.readFileSync(path.join(FIXTURES, f), 'utf8').split('\n').filter(Boolean),
);

let seed = 1234567;
const rand = (n: number) => {
  seed = (seed * 48271) % 2147483647;
  return seed % n;
};
const oddValues: unknown[] = [null, 0, -1, 1.5, 'x', '', true, [], {}, [1, 'a'], { a: { b: null } }, 'MDk=', '__debezium_unavailable_value', 'Infinity'];

/** Replaces a random node of the value (at any depth) with an odd value. */
function mutate(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== 'object' || rand(4) === 0 || depth > 8) return oddValues[rand(oddValues.length)];
  if (Array.isArray(value)) {
    if (value.length === 0) return value;
    const copy = [...value];
    const k = rand(copy.length);
    copy[k] = mutate(copy[k], depth + 1);
    return copy;
  }
  const keys = Object.keys(value);
  if (keys.length === 0) return value;
  const key = keys[rand(keys.length)];
  return { ...value, [key]: mutate((value as Record<string, unknown>)[key], depth + 1) };
}

async function runAll(text: string, o: Partial<ParseRunOptions> = {}) {
  const gen = parseEvents(
    [
      {
        name: 'fuzz',
        chunks: (async function* () {
          yield Buffer.from(text);
        })(),
      },
    ],
    {
      ...DEFAULT_PIVOT_OPTIONS,
      format: 'jsonl',
      skipSnapshot: false,
      strict: false,
      processedAt: '2026-01-01T00:00:00.000Z',
      now: () => new Date(),
      ...o,
    },
  );
  for (;;) {
    const next = await gen.next();
    if (next.done) return next.value;
  }
}

describe('parse engine under mutation', () => {
  it('accounts for every structurally mutated event without throwing', async () => {
    const mutated: string[] = [];
    for (let i = 0; i < 1500; i++) {
      const base = JSON.parse(source[rand(source.length)]) as unknown;
      let value = base;
      for (let m = 0; m < 1 + rand(3); m++) value = mutate(value);
      mutated.push(JSON.stringify(value));
    }
    for (const options of [{}, { fields: '*' as const, identity: ['id'] }, { rawValues: true, changedOnly: true }]) {
      const summary = await runAll(mutated.join('\n') + '\n', options);
      expect(summary.records).toBe(mutated.length);
      const skipped = Object.values(summary.skipped).reduce((a, b) => a + b, 0);
      expect(summary.invalid + skipped).toBeLessThanOrEqual(summary.records);
    }
  });

  it('accounts for byte-damaged lines without throwing', async () => {
    const damaged: string[] = [];
    for (let i = 0; i < 500; i++) {
      const line = source[rand(source.length)];
      const at = rand(line.length);
      damaged.push(line.slice(0, at) + ['', '"', '\\', '}', '{', ']', ',', '\u0000', '9e999'][rand(9)] + line.slice(at + rand(20)));
    }
    const summary = await runAll(damaged.join('\n') + '\n');
    expect(summary.records).toBe(damaged.length);
  });
});

/** Seeded (reproducible) and bounded in time: a run stops early rather than slow the suite down. */
const RUN = { seed: 20261201, numRuns: 300, interruptAfterTimeLimit: 4000 };

/** The reference parser: lossless-json with the same rule for what stays a number (the machinery differs). */
function oracle(text: string): JsonValue {
  return oracleParse(text, null, (token: string) => (isExactAsNumber(token) ? Number(token) : new JsonNumber(token))) as JsonValue;
}

/** JSON number tokens as Debezium and hostile producers write them. */
const numberToken = fc.oneof(
  fc.integer().map(String),
  fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }).map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => (Object.is(d, -0) ? '-0' : String(d))),
  fc.constantFrom('1e999', '-1E400', '1.50', '0.0', '9007199254740993', '-9223372036854775808', '1e-7', '2E+10'),
);
const jsonString = fc
  .oneof(fc.string(), fc.constantFrom('\u0000x', '\u0000\u0000', '__debezium_unavailable_value', '"', '\\'))
  .map((s) => JSON.stringify(s).replace(/\\\\u0000/g, '\\u0000'));
/** JSON text with exact-or-not numbers, marker escapes, any key (`__proto__` included) and depth. */
const jsonText: fc.Arbitrary<string> = fc.letrec<{ value: string }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    numberToken,
    jsonString,
    fc.constantFrom('true', 'false', 'null'),
    fc.array(tie('value'), { maxLength: 5 }).map((items) => `[${items.join(',')}]`),
    // Unique keys: JSON.parse keeps the last of duplicates, the reference refuses them.
    fc
      .uniqueArray(fc.tuple(fc.oneof(fc.string(), fc.constant('__proto__')), tie('value')), { maxLength: 5, selector: ([k]) => k })
      .map((entries) => `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`),
  ),
})).value;

describe('fuzz: the JSON layer', () => {
  it('parses generated JSON exactly as the reference does, and writes it back to the same value', () => {
    fc.assert(
      fc.property(jsonText, (text) => {
        const value = parseLossless(text);
        expect(value).toEqual(oracle(text));
        expect(parseLossless(stringifyLossless(value))).toEqual(value);
        expect(parseLossless(stringifyLossless(value, 2))).toEqual(value);
      }),
      RUN,
    );
  });

  it('nests any depth without throwing anything but SyntaxError on damaged text', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 200_000 }), fc.constantFrom('[', '{"k":'), numberToken, fc.boolean(), (depth, open, inner, damage) => {
        const close = open === '[' ? ']' : '}';
        const text = open.repeat(depth) + inner + close.repeat(damage ? depth - 1 : depth);
        try {
          expect(stringifyLossless(parseLossless(text))).toBe(text);
        } catch (err) {
          expect(damage || !(err instanceof Error) || err instanceof SyntaxError).toBe(true);
          expect(err).toBeInstanceOf(SyntaxError);
        }
      }),
      { ...RUN, numRuns: 40 },
    );
  });

  it('throws only SyntaxError on arbitrary text', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          jsonText.map((t) => t.slice(0, -1)),
        ),
        (text) => {
          try {
            parseLossless(text);
          } catch (err) {
            expect(err).toBeInstanceOf(SyntaxError);
          }
        },
      ),
      RUN,
    );
  });
});

/** Schemas of every type and semantic type the decoders know, with hostile parameters too. */
const parameterText = fc.oneof(
  fc.integer({ min: -2000, max: 20000 }).map(String),
  fc.constantFrom('-500000000', '2147483648', '1e9', 'x', '', '83886080', '2147483647'),
);
const semanticSchema: fc.Arbitrary<ConnectSchema> = fc.oneof(
  fc.constantFrom('int8', 'int16', 'int32', 'int64', 'float32', 'float64', 'boolean', 'string', 'bytes', 'map').map((type) => ({ type })),
  fc
    .constantFrom(
      ['int32', 'io.debezium.time.Date'],
      ['int32', 'org.apache.kafka.connect.data.Date'],
      ['int32', 'io.debezium.time.Time'],
      ['int64', 'io.debezium.time.MicroTime'],
      ['int64', 'io.debezium.time.NanoTime'],
      ['int64', 'io.debezium.time.Timestamp'],
      ['int64', 'io.debezium.time.MicroTimestamp'],
      ['int64', 'io.debezium.time.NanoTimestamp'],
      ['int64', 'io.debezium.time.MicroDuration'],
      ['struct', 'io.debezium.data.VariableScaleDecimal'],
      ['string', 'io.debezium.data.Json'],
      ['string', 'io.debezium.time.ZonedTimestamp'],
    )
    .map(([type, name]) => ({ type, name })),
  fc
    .record({ scale: parameterText, 'connect.decimal.precision': parameterText }, { requiredKeys: [] })
    .map((parameters) => ({ type: 'bytes', name: 'org.apache.kafka.connect.data.Decimal', parameters: parameters })),
  parameterText.map((length) => ({ type: 'bytes', name: 'io.debezium.data.Bits', parameters: { length } })),
);
const anySchema: fc.Arbitrary<ConnectSchema> = fc.letrec<{ schema: ConnectSchema }>((tie) => ({
  schema: fc.oneof(
    { depthSize: 'small' },
    semanticSchema,
    tie('schema').map((items) => ({ type: 'array', items })),
    fc
      .array(fc.tuple(fc.string({ maxLength: 4 }), tie('schema')), { maxLength: 3 })
      .map((members) => ({ type: 'struct', name: 'io.debezium.data.geometry.Geometry', fields: members.map(([field, schema]) => ({ ...schema, field })) })),
  ),
})).schema;
/** Values shaped like Debezium's encodings, and not. */
const encodedValue = fc.oneof(
  jsonText.map((t) => parseLossless(t)),
  fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b).toString('base64')),
  fc.record({
    scale: fc.oneof(fc.integer({ min: -2000, max: 20000 }), fc.constant(-500000000)),
    value: fc.uint8Array({ maxLength: 20 }).map((b) => Buffer.from(b).toString('base64')),
  }),
  fc
    .bigInt({ min: -(2n ** 70n), max: 2n ** 70n })
    .map((n) => (Number.isSafeInteger(Number(n)) && BigInt(Number(n)) === n ? Number(n) : new JsonNumber(n.toString()))),
  fc.constantFrom<JsonValue>('!!not*base64%%', new JsonNumber('1e999'), 'NaN', '__debezium_unavailable_value'),
);

describe('fuzz: every decoder', () => {
  it('decodes or throws DecodeError, never anything else, and never grows a value beyond a fixed bound', () => {
    fc.assert(
      fc.property(encodedValue, anySchema, fc.boolean(), (value, schema, raw) => {
        let decoded;
        try {
          decoded = decodeValue(value, schema, { raw });
        } catch (err) {
          expect(err).toBeInstanceOf(DecodeError);
          expect((err as DecodeError).reason.length).toBeLessThan(400);
          return;
        }
        // The largest legitimate growth: a scale of 16383 (VariableScaleDecimal) or 1000, 64 bits of padding.
        expect(formatDecoded(decoded).length).toBeLessThanOrEqual(17_000 + 16 * stringifyLossless(value).length);
      }),
      { ...RUN, numRuns: 2000 },
    );
  });
});

describe('fuzz: the record splitter', () => {
  const goodLine = fc.tuple(fc.integer({ min: 0, max: 1e6 }), fc.string({ maxLength: 20 })).map(([id, s]) => JSON.stringify({ op: 'c', after: { id, s } }));
  const noiseLine = fc.oneof(
    fc.string({ maxLength: 30 }).map((s) => s.replace(/[\r\n]/g, ' ')),
    fc.constantFrom('{', '[', '  {', '\t[', '}', ']', '  }', '', '   ', '\ufeff{', '{ ', '  {"a":1}', '    "k": 1,', '\\.'),
  );
  const stream = fc.array(fc.tuple(fc.boolean(), goodLine, noiseLine), { maxLength: 60 });

  it('keeps every one-line event at its own line, whatever noise is between and however the bytes are cut', () => {
    fc.assert(
      fc.property(stream, fc.array(fc.nat(), { maxLength: 8 }), fc.constantFrom('\n', '\r\n'), (pairs, cutsSeed, eol) => {
        const lines: string[] = [];
        const good = new Map<number, string>();
        for (const [isGood, g, n] of pairs) {
          if (isGood) {
            lines.push(g);
            good.set(lines.length, g);
          } else lines.push(n);
        }
        const bytes = Buffer.from(lines.join(eol) + eol);
        const cuts = [...new Set(cutsSeed.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
        const splitter = new RecordSplitter(1024);
        const items = [];
        let from = 0;
        for (const cut of [...cuts, bytes.length]) {
          items.push(...splitter.push(bytes.subarray(from, cut)));
          from = cut;
        }
        items.push(...splitter.end());
        const whole = new RecordSplitter(1024);
        expect(items).toEqual([...whole.push(bytes), ...whole.end()]);
        // Bytes mode (what `cdc parse` uses): the same records, some given undecoded.
        const byBytes = new RecordSplitter(1024, 0, true, { bytes: true });
        const asText = [...byBytes.push(bytes), ...byBytes.end()].map((i) =>
          i.kind === 'bytes' ? { kind: 'record', line: i.line, text: i.bytes.toString() } : i,
        );
        expect(asText).toEqual(items);
        const records = new Map(items.filter((i) => i.kind === 'record').map((i) => [i.line, (i as { text: string }).text]));
        for (const [line, text] of good) expect([line, records.get(line)]).toEqual([line, text]);
        // In input order, and every line is accounted for at most once.
        const order = items.map((i) => i.line);
        expect([...order].sort((a, b) => a - b)).toEqual(order);
      }),
      RUN,
    );
  });

  it('never throws on arbitrary bytes and never holds more than its limit', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 20 }), (chunks) => {
        const splitter = new RecordSplitter(256);
        const items = chunks.flatMap((c) => splitter.push(Buffer.from(c)));
        items.push(...splitter.end());
        for (const item of items) if (item.kind === 'record') expect(item.text.length).toBeLessThanOrEqual(256 + 300);
      }),
      RUN,
    );
  });
});

describe('fuzz: the pivot, end to end', () => {
  const CREATE = JSON.parse(source[1]) as { schema: unknown; payload: { after: Record<string, unknown>; op: string } };
  /** A valid holding event: random op, ids, text (any Unicode), quantities up to int32. */
  const validEvent = fc
    .record({
      op: fc.constantFrom('c', 'u', 'd', 'r'),
      id: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
      user: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
      stock: fc.string({ maxLength: 12 }),
      quantity: fc.option(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 })),
      micros: fc.bigInt({ min: -(10n ** 16n), max: 10n ** 17n }),
    })
    .map(({ op, id, user, stock, quantity, micros }) => {
      const row = {
        ...CREATE.payload.after,
        holding_id: id,
        user_id: user,
        holding_stock: stock,
        holding_quantity: quantity,
        datetime_created: 0,
        datetime_updated: 0,
      };
      const payload = { ...CREATE.payload, op, before: op === 'c' || op === 'r' ? null : row, after: op === 'd' ? null : row };
      return JSON.stringify({ schema: CREATE.schema, payload }).replace(/"datetime_created":0/g, `"datetime_created":${micros}`);
    });
  /** Records that are surely invalid, each for a different reason. */
  const invalidRecord = fc.oneof(
    fc.string().map((s) => '#' + s.replace(/[\r\n]/g, '')),
    validEvent.map((e) => e.replace(/"holding_quantity":(-?\d+|null)/g, '"holding_quantity":"x"')).filter((e) => e.includes('"x"')),
    validEvent.map((e) => e.replace(/"op":"[cudr]"/, '"op":"z"')),
    fc.constantFrom('[1,2]', '"text"', '42', '{"a":1}', '{"payload":{"op":"c","after":7}}'),
  );

  it('valid events in == rows out (two tracked fields each); every invalid record reported, at its line', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            validEvent.map((t) => ({ ok: true, t })),
            invalidRecord.map((t) => ({ ok: false, t })),
          ),
          { maxLength: 40 },
        ),
        fc.constantFrom('text', 'csv', 'jsonl'),
        async (records, format) => {
          const text = records.map((r) => r.t + '\n').join('');
          const problems: number[] = [];
          const gen = parseEvents(
            [
              {
                name: 'fuzz',
                chunks: (async function* () {
                  yield Buffer.from(text);
                })(),
              },
            ],
            {
              ...DEFAULT_PIVOT_OPTIONS,
              format: format,
              skipSnapshot: false,
              strict: false,
              processedAt: '2026-01-01T00:00:00.000Z',
              now: () => new Date(),
            },
          );
          let summary;
          let output = '';
          for (;;) {
            const next = await gen.next();
            if (next.done) {
              summary = next.value;
              break;
            }
            const chunk = next.value.output;
            output += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
            problems.push(...next.value.problems.map((p) => p.line));
          }
          const valid = records.filter((r) => r.ok).length;
          expect(summary).toMatchObject({ records: records.length, events: expect.any(Number), rows: 2 * valid, invalid: records.length - valid });
          expect(problems).toEqual(records.flatMap((r, i) => (r.ok ? [] : [i + 1])));
          if (format === 'jsonl') expect(output.split('\n').filter(Boolean)).toHaveLength(2 * valid);
        },
      ),
      { ...RUN, numRuns: 150 },
    );
  });

  it('memory stays flat over thousands of hostile records', async () => {
    const hostile = [
      source[1].replace(/"holding_quantity":\d+/, '"holding_quantity":' + '['.repeat(5_000) + ']'.repeat(5_000)),
      source[1].replace(/"ts_ms":\d+/g, '"ts_ms":1e999'),
      '{\n  ' + source[1],
      'x'.repeat(10_000),
    ];
    const before = process.memoryUsage().rss;
    const chunks = (async function* () {
      for (let i = 0; i < 800; i++) yield Buffer.from(hostile[i % hostile.length] + '\n' + source[1] + '\n');
    })();
    const gen = parseEvents([{ name: 'mem', chunks }], { ...DEFAULT_PIVOT_OPTIONS, format: 'text', skipSnapshot: false, strict: false, now: () => new Date() });
    let summary;
    for (;;) {
      const next = await gen.next();
      if (next.done) {
        summary = next.value;
        break;
      }
    }
    expect(summary.rows).toBeGreaterThanOrEqual(2 * 800);
    expect(process.memoryUsage().rss - before).toBeLessThan(300 * 1024 * 1024);
  });
});

describe("fuzz: the CSV loader's record scanner", () => {
  const field = fc.oneof(
    fc.string({ maxLength: 8 }).filter((s) => !/["\r\n,]/.test(s)),
    fc.string({ maxLength: 8 }).map((s) => `"${s.replace(/"/g, '""')}"`),
    fc.constantFrom('"a\nb"', '"\r\n"', '""""', '\\.', '"\\."', '" , "'),
  );
  /** Records with at least one non-empty field (a blank line is no record). */
  const csv = fc.array(
    fc.array(field, { minLength: 1, maxLength: 5 }).filter((r) => r.join(',') !== ''),
    { minLength: 1, maxLength: 30 },
  );

  it('finds the record ends csv-parse finds, however the bytes are cut', () => {
    fc.assert(
      fc.property(csv, fc.constantFrom('\n', '\r\n'), fc.array(fc.nat(), { maxLength: 6 }), (rows, eol, cutsSeed) => {
        const text = rows.map((r) => r.join(',')).join(eol) + eol;
        const expected = (
          csvParse(text, { info: true, relax_column_count: true, skip_empty_lines: false }) as unknown as Array<{ info: { bytes: number } }>
        ).map((r) => r.info.bytes);
        const bytes = Buffer.from(text);
        const cuts = [...new Set(cutsSeed.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
        const scanner = new CsvRecordScanner();
        const ends: number[] = [];
        let base = 0;
        for (const cut of [...cuts, bytes.length]) {
          const piece = bytes.subarray(base, cut);
          let offset = 0;
          for (;;) {
            const result = scanner.scan(piece, offset, 1);
            if (result.records === 0 && result.skipTo === undefined) break;
            if (result.records > 0) ends.push(base + result.end);
            offset = result.skipTo ?? result.end;
          }
          base = cut;
        }
        expect(ends).toEqual(expected);
        expect(scanner.recordsSeen).toBe(rows.length);
      }),
      RUN,
    );
  });

  it('never throws on arbitrary bytes, and remembers at most one entry per record', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 200 }), { maxLength: 10 }), (chunks) => {
        const scanner = new CsvRecordScanner();
        for (const chunk of chunks) {
          const buf = Buffer.from(chunk);
          let offset = 0;
          for (let guard = 0; guard <= buf.length + 1; guard++) {
            const result = scanner.scan(buf, offset, 7);
            const next = result.skipTo ?? result.end;
            if (next <= offset && result.records === 0 && result.skipTo === undefined) break;
            offset = next;
            if (offset >= buf.length) break;
          }
        }
        expect(scanner.multiline.size).toBeLessThanOrEqual(scanner.recordsSeen);
      }),
      RUN,
    );
  });
});
