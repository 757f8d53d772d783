/**
 * The template parser (src/json/template.ts) must give exactly what parseLossless gives — the same
 * value (key order, number or JsonNumber, the same strings) or the same SyntaxError — for every text,
 * whether the template matched it or it fell back. Checked on every fixture, on generated bench
 * events, on hand-picked hard cases, and on many thousands of mutated real payloads.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { holdingEnvelope } from '../../bench/parse-events';
import { createTemplateParser, JsonNumber, parseLossless, stringifyLossless, valueEnd, type JsonValue, type TemplateParser } from '../../src/json';

/** The value with its types, prototypes and key order made visible (toStrictEqual alone ignores key order). */
function exact(value: JsonValue): unknown {
  if (value instanceof JsonNumber) return { jsonNumber: value.text };
  if (Array.isArray(value)) return { array: value.map(exact) };
  if (value !== null && typeof value === 'object') {
    return {
      plainObject: Object.getPrototypeOf(value) === Object.prototype,
      entries: Object.keys(value).map((key) => [key, Object.getOwnPropertyDescriptor(value, key)?.enumerable, exact(value[key])]),
    };
  }
  if (typeof value === 'number') return { number: Object.is(value, -0) ? '-0' : value };
  return value;
}

function outcome(parse: () => JsonValue): unknown {
  try {
    return { value: exact(parse()) };
  } catch (error) {
    return { error: error instanceof SyntaxError ? `SyntaxError: ${error.message}` : String(error) };
  }
}

/**
 * Parses the text with the template parser (as UTF-8 bytes inside a larger buffer) and expects
 * parseLossless's outcome on the same bytes decoded (a lone surrogate the mutations cut is U+FFFD then).
 */
function expectSame(parser: TemplateParser, text: string): void {
  const bytes = Buffer.from('xx' + text + 'yy');
  const decoded = bytes.toString('utf8', 2, bytes.length - 2);
  // Compared as JSON text: exact (the outcomes are plain data) and far quicker than a deep toEqual.
  expect(JSON.stringify(outcome(() => parser(bytes, 2, bytes.length - 2)))).toBe(JSON.stringify(outcome(() => parseLossless(decoded))));
}

/** The payload's text of a `{"schema":…,"payload":…}` line, as the event parser cuts it; undefined for other lines. */
function payloadText(line: string): string | undefined {
  if (!line.startsWith('{"schema":')) return undefined;
  const end = valueEnd(line, '{"schema":'.length);
  if (end < 0 || !line.startsWith(',"payload":', end)) return undefined;
  const close = line.trimEnd().lastIndexOf('}');
  return line.slice(end + ',"payload":'.length, close);
}

/** Every fixture: a .jsonl file's lines, a .json file's whole text and the same written compactly. */
function fixtureLines(): Map<string, string[]> {
  const files = new Map<string, string[]>();
  const root = path.resolve(__dirname, '../..');
  for (const dir of [path.join(root, 'fixtures'), path.join(__dirname, 'fixtures')]) {
    for (const name of fs.readdirSync(dir, { recursive: true }) as string[]) {
      const file = path.join(dir, name);
      const text = name.endsWith('.json') || name.endsWith('.jsonl') ? fs.readFileSync(file, 'utf8') : undefined;
      if (text !== undefined)
        files.set(path.relative(root, file), name.endsWith('.json') ? [text, stringifyLossless(parseLossless(text))] : text.split('\n').filter(Boolean));
    }
  }
  return files;
}

const FIXTURES = fixtureLines();
const BENCH_PAYLOADS = Array.from({ length: 300 }, (_, i) => payloadText(holdingEnvelope(i))!);
const FIXTURE_PAYLOADS = [...FIXTURES.values()].flatMap((lines) => lines.map(payloadText).filter((p): p is string => p !== undefined));

describe('createTemplateParser', () => {
  it.each([...FIXTURES.keys()])('gives parseLossless’s value for every line and payload of %s', (name) => {
    const lines = FIXTURES.get(name)!;
    const linesParser = createTemplateParser();
    const payloadParser = createTemplateParser();
    for (let pass = 0; pass < 2; pass++) {
      for (const line of lines) {
        expectSame(linesParser, line);
        const payload = payloadText(line);
        if (payload !== undefined) expectSame(payloadParser, payload);
      }
    }
    // The second pass at least is matched by the templates the first one learned (when a text is a
    // compact object in ASCII: only those are matched).
    const compactObject = (text: string) => /^\{[\x20-\x7e]*$/.test(text) && stringifyLossless(parseLossless(text)) === text;
    if (lines.some(compactObject)) expect(linesParser.matched + payloadParser.matched).toBeGreaterThan(0);
  });

  it('matches the bench events’ payloads after the first (and gives the same values)', () => {
    const parser = createTemplateParser();
    for (const payload of BENCH_PAYLOADS) expectSame(parser, payload);
    // Misses: the first payload, and the first update (its `before` is an object, learned then).
    expect(parser.matched).toBeGreaterThanOrEqual(BENCH_PAYLOADS.length - 2);
  });

  const BASE = '{"a":1,"b":"x","c":{"d":null,"e":[1,2]},"f":null}';
  it.each([
    // Invalid JSON: never passed by the template.
    '{"a":1,"b":"x","c":{"d":null,"e":[1,2]},"f":null,}',
    '{"a":1,"b":"x","c":{"d":null,"e":[1,2]},"f":null}}',
    '{"a":1,"b":"x","c":{"d":null,"e":[1,2]},"f":nul}',
    '{"a":1,"b":"x","c":{"d":null,"e":[1,2,]},"f":null}',
    '{"a":1,"b":"x","c":{"d":null,"e":[1,2]},"f":null',
    '{"a":1,"b":"x\u0001","c":{"d":null,"e":[1,2]},"f":null}',
    '{"a":1,"b":"x\n","c":{"d":null,"e":[1,2]},"f":null}',
    '{"a":1,"b":"x\\q","c":{"d":null,"e":[1,2]},"f":null}',
    '{"a":1,"b":"x\\u12","c":{"d":null,"e":[1,2]},"f":null}',
    '{"a":1,"b":"x\\","c":{"d":null,"e":[1,2]},"f":null}',
    '{"a":1,"b":"x,"c":{"d":null,"e":[1,2]},"f":null}',
    ...['01', '00', '-', '--1', '+1', '1.', '.5', '1e', '1e+', '1.5.5', '1-2', '-01', '0x10', 'NaN', 'Infinity', '1E5.5'].map(
      (n) => `{"a":${n},"b":"x","c":{"d":null,"e":[1,2]},"f":null}`,
    ),
    // Valid JSON the template may or may not match: the value must be parseLossless's.
    '{"a":1,"a":2,"b":"x","c":{"d":null,"e":[1,2]},"f":null}',
    '{"a":1,"b":"x","b":"y","c":{"d":null,"e":[1,2]},"f":null}',
    '{"a":1,"b":"x","c":{"d":null,"e":[1,2]},"f":null,"f":3}',
    '{"a":1,"b":"\\ud800","c":{"d":null,"e":[1,2]},"f":null}',
    '{"a":1,"b":"\\udc00\\ud800x\\u0000\\"\\\\\\/\\b\\f\\n\\r\\t","c":{"d":null,"e":[1,2]},"f":null}',
    '{"a":1,"b":"é","c":{"d":null,"e":[1,2]},"f":null}',
    '{"a":1,"b":"\u{1F600}","c":{"d":null,"e":[1,2]},"f":null}',
    '{"a":1,"b":"\\u00e9\\ud83d\\ude00","c":{"d":null,"e":[1,2]},"f":null}',
    '{"a":1,"b":"\u007f","c":{"d":null,"e":[1,2]},"f":null}',
    ...[
      '0',
      '-0',
      '-0.0',
      '0e0',
      '1.50',
      '1.5',
      '1e3',
      '1E+400',
      '-1E-400',
      '0.1',
      '1.5e-7',
      '123456789012345',
      '-123456789012345',
      '999999999999999',
      '1000000000000000',
      '9007199254740991',
      '-9007199254740991',
      '9007199254740992',
      '-9007199254740992',
      '9007199254740993',
      '9007199254740990',
      '-9007199254740993',
      '10000000000000000',
      '99999999999999999999',
      '9'.repeat(400),
      '-' + '1'.repeat(400),
      '1'.repeat(400) + '.5',
      '9999999999999999',
      '12345678901234567890',
      '1763780000003000000',
      '0.1000000000000000055511151231257827',
      'true',
      'false',
      'null',
      '"1"',
      '[]',
      '{}',
      '[{"x":1}]',
      '{"x":{"y":[1,{"z":"]}"}]}}',
    ].map((n) => `{"a":${n},"b":"x","c":{"d":null,"e":[1,2]},"f":null}`),
    '{"a":1,"b":"x","c":null,"f":null}',
    '{"a":1,"b":"x","c":{"d":null,"e":[1,2]},"f":{"g":1}}',
    '{"a":1,"b":"x","c":{"d":{"h":[]},"e":{}},"f":[]}',
    '{"a":1,"b":"x","c":{"e":[1,2],"d":null},"f":null}',
    '{"b":"x","a":1,"c":{"d":null,"e":[1,2]},"f":null}',
    '{"a":1,"b":"x","c":{"d":null,"e":[1,2]}}',
    '{"a":1,"b":"x","c":{"d":null,"e":[1,2]},"f":null,"g":1}',
    '{"a": 1,"b":"x","c":{"d":null,"e":[1,2]},"f":null}',
    ' {"a":1,"b":"x","c":{"d":null,"e":[1,2]},"f":null}',
    '{"a":1,"b":"x","c":{"d":null,"e":[1,2]},"f":null} ',
    '{"\\u0061":1,"b":"x","c":{"d":null,"e":[1,2]},"f":null}',
    '{"a":1,"b":"x","c":{"d":null,"e":[1,2]},"f":null}x',
    '{"__proto__":1,"b":"x","c":{"d":null,"e":[1,2]},"f":null}',
    '{"a":1,"b":"x","c":{"__proto__":{"polluted":1},"e":[1,2]},"f":null}',
    '{"0":1,"b":"x","c":{"d":null,"e":[1,2]},"f":null}',
    '',
    '{',
    '[1]',
  ])('after %#: gives parseLossless’s outcome for %j', (text) => {
    const parser = createTemplateParser();
    expectSame(parser, BASE);
    expectSame(parser, BASE);
    expectSame(parser, text);
    // And the template is still sound after it (it may have been learned again from the text).
    expectSame(parser, BASE);
    expectSame(parser, text);
  });

  it('matches escapes, lone surrogates and exact numbers through the template (not only by falling back)', () => {
    const parser = createTemplateParser();
    expectSame(parser, BASE);
    const before = parser.matched;
    for (const text of [
      '{"a":1.50,"b":"\\ud800","c":{"d":-0,"e":[1,2]},"f":12345678901234567890}',
      '{"a":9007199254740992,"b":"\\"q\\"","c":{"d":1e3,"e":{}},"f":true}',
      '{"a":-9007199254740991,"b":"","c":{"d":0.1,"e":"[1,2]"},"f":false}',
    ]) {
      expectSame(parser, text);
    }
    expect(parser.matched).toBe(before + 3);
  });

  it('keeps a template that matches most texts, and drops one that keeps missing once it stops learning', () => {
    const steady = createTemplateParser();
    for (let i = 0; i < 600; i++) expectSame(steady, i % 3 === 2 ? `{"other${i}":${i}}` : `{"id":${i},"name":"n${i}"}`);
    const matchedEarly = steady.matched;
    for (let i = 0; i < 30; i++) expectSame(steady, `{"id":${i},"name":"n"}`);
    expect(matchedEarly).toBeGreaterThan(300);
    expect(steady.matched).toBe(matchedEarly + 30);

    const changing = createTemplateParser();
    for (let i = 0; i < 200; i++) expectSame(changing, `{"key${i}":${i}}`);
    // No template any more: every text is parseLossless's alone, still exact.
    for (let i = 0; i < 30; i++) expectSame(changing, `{"id":${i},"name":"n"}`);
    expect(changing.matched).toBe(0);
  });

  it('takes `__proto__` as an own key, never as the prototype', () => {
    const parser = createTemplateParser();
    const text = '{"a":{"__proto__":{"polluted":1}},"b":1}';
    const bytes = Buffer.from(text);
    parser(bytes, 0, bytes.length);
    const value = parser(bytes, 0, bytes.length) as { a: object };
    expect(Object.getPrototypeOf(value.a)).toBe(Object.prototype);
    expect(Object.keys(value.a)).toEqual(['__proto__']);
    expect(({} as { polluted?: number }).polluted).toBeUndefined();
  });
});

describe('createTemplateParser fuzz (mutated real payloads)', () => {
  let seed = 20261201;
  const rand = (n: number) => {
    seed = (seed * 48271) % 2147483647;
    return seed % n;
  };
  const SEEDS = [...FIXTURE_PAYLOADS, ...BENCH_PAYLOADS.slice(0, 4), ...BENCH_PAYLOADS.slice(150, 152)];
  const ALPHABET = [
    ...'{}[]",:\\ 0123456789-+.eEtrufalsn\u0001\t\né€\u{1F600}',
    '\\u',
    '\\"',
    '\\ud800',
    '00',
    'null',
    '-0',
    '1e3',
    '1.50',
    '12345678901234567890',
  ];

  function byteMutant(text: string): string {
    let out = text;
    for (let edits = 1 + rand(3); edits > 0; edits--) {
      const at = rand(out.length + 1);
      const piece = ALPHABET[rand(ALPHABET.length)];
      const op = rand(3);
      if (op === 0) out = out.slice(0, at) + piece + out.slice(at);
      else if (op === 1) out = out.slice(0, at) + out.slice(at + 1 + rand(3));
      else out = out.slice(0, at) + piece + out.slice(at + piece.length);
    }
    return out;
  }

  const ODD: JsonValue[] = [null, 0, -1, 1.5, 'x', '', true, false, [], {}, [1, 'a'], { a: { b: null } }, new JsonNumber('-0'), new JsonNumber('1e3'), 'é\\"'];

  /** Moves values around (swapped, replaced, nested in an array or object, keys dropped), written compactly. */
  function valueMutant(text: string): string {
    const value = parseLossless(text);
    const nodes: { parent: JsonValue[] | Record<string, JsonValue>; key: string | number }[] = [];
    const walk = (v: JsonValue) => {
      if (v === null || typeof v !== 'object' || v instanceof JsonNumber) return;
      if (Array.isArray(v)) {
        v.forEach((item, k) => {
          nodes.push({ parent: v, key: k });
          walk(item);
        });
      } else {
        for (const key of Object.keys(v)) {
          nodes.push({ parent: v, key });
          walk(v[key]);
        }
      }
    };
    walk(value);
    if (nodes.length === 0) return text;
    const get = (n: (typeof nodes)[number]) => (n.parent as Record<string | number, JsonValue>)[n.key];
    const set = (n: (typeof nodes)[number], v: JsonValue) => ((n.parent as Record<string | number, JsonValue>)[n.key] = v);
    const a = nodes[rand(nodes.length)];
    const b = nodes[rand(nodes.length)];
    const op = rand(5);
    if (op === 0) {
      const va = get(a);
      const vb = get(b);
      if (!isInside(va, vb) && !isInside(vb, va)) {
        set(a, vb);
        set(b, va);
      }
    } else if (op === 1) set(a, ODD[rand(ODD.length)]);
    else if (op === 2) set(a, [get(a)]);
    else if (op === 3) set(a, { x: get(a) });
    else if (!Array.isArray(a.parent)) delete a.parent[a.key as string];
    return stringifyLossless(value);
  }

  function isInside(inner: JsonValue, outer: JsonValue): boolean {
    if (inner === outer) return true;
    if (outer === null || typeof outer !== 'object' || outer instanceof JsonNumber) return false;
    return Object.values(outer).some((v) => isInside(inner, v));
  }

  it('gives parseLossless’s outcome for 20,000 mutants of learned payloads', () => {
    let matched = 0;
    for (let round = 0; round < 20_000; round++) {
      const original = SEEDS[rand(SEEDS.length)];
      const op = rand(3);
      const mutant = op === 0 ? byteMutant(original) : op === 1 ? valueMutant(original) : byteMutant(valueMutant(original));
      const parser = createTemplateParser();
      expectSame(parser, original);
      const before = parser.matched;
      expectSame(parser, mutant);
      matched += parser.matched - before;
    }
    // Many mutants (a changed value, an escape, a number) are matched by the template, not only by fallback.
    expect(matched).toBeGreaterThan(1000);
  });

  it('stays exact on one long stream of originals and mutants (templates learned again and again)', () => {
    const parser = createTemplateParser();
    for (let round = 0; round < 5_000; round++) {
      const original = SEEDS[rand(SEEDS.length)];
      const text = rand(3) === 0 ? original : rand(2) === 0 ? byteMutant(original) : valueMutant(original);
      expectSame(parser, text);
    }
  });
});
