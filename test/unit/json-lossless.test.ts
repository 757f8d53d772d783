import { parse as oracleParse } from 'lossless-json';
import { isExactAsNumber } from '../../src/json/lossless';
import { inexactNumberSpans, JsonNumber, parseLossless, stringifyLossless, type JsonValue } from '../../src/json';

/** The reference: lossless-json, independently keeping as a number only what survives exactly. */
function oracle(text: string): JsonValue {
  return oracleParse(text, null, (token: string) => {
    const n = Number(token);
    const exact = String(n) === token && (/[.eE]/.test(token) || (BigInt(token) === BigInt(n) && Number.isSafeInteger(n)));
    return exact ? n : new JsonNumber(token);
  }) as JsonValue;
}

describe('parseLossless', () => {
  // A number the scanner marks is never seen by JSON.parse: what is not a JSON number must still be
  // rejected as JSON.parse rejects it, not kept as an "exact number" and written out as it came.
  it.each([
    '1-2',
    '1.5.5',
    '1e',
    '1e+',
    '--1',
    '1.',
    '.5',
    '-',
    '-01',
    '01',
    '00',
    '012345678901234567',
    '-012345678901234567',
    '12345678901234567-2',
    '12345678901234567.',
    '1.2e3e4',
    '1E5.5',
    '+1',
  ])('rejects the malformed number %s as JSON.parse does', (token) => {
    for (const text of [`[${token}]`, `{"a":${token}}`, `{"a":[1,${token},"x"]}`]) {
      expect(() => JSON.parse(text)).toThrow(SyntaxError);
      expect(() => parseLossless(text)).toThrow(SyntaxError);
    }
  });

  it.each(['-0', '0', '-0.0', '0e0', '-0E-0', '1.0', '1e5', '12345678901234567', '-12345678901234567', '0.1000000000000000055511151231257827', '1E+400'])(
    'still keeps the valid number %s (and agrees with the reference)',
    (token) => {
      const text = `{"a":[${token}]}`;
      expect(parseLossless(text)).toEqual(oracle(text));
    },
  );

  it('keeps a 19-digit ts_ns exact and leaves safe integers as numbers', () => {
    const value = parseLossless('{"ts_ms":1763780000003,"ts_ns":1763780000003123456}') as Record<string, JsonValue>;
    expect(value.ts_ms).toBe(1763780000003);
    expect(value.ts_ns).toBeInstanceOf(JsonNumber);
    expect((value.ts_ns as JsonNumber).text).toBe('1763780000003123456');
    expect((value.ts_ns as JsonNumber).toBigInt()).toBe(1763780000003123456n);
  });

  it.each([
    ['9007199254740993', true], // 2^53 + 1
    ['9007199254740991', false], // 2^53 - 1 prints back identically
    ['9007199254740992', true], // 2^53: 16 digits, one beyond
    ['-9007199254740991', false],
    ['-9007199254740992', true],
    ['8999999999999999', false],
    ['9999999999999999', true],
    ['-9223372036832400000', true], // prints back identically, but is not that integer
    ['9223372036825200000', true],
    ['1.50', true],
    ['1.5', false],
    ['1e3', true],
    ['1E+2', true],
    ['-0', true],
    ['0', false],
    ['-12', false],
    ['0.1', false],
    ['123456789012345678901234567890.123456789', true],
    ['1e400', true],
  ])('number %s exact (JsonNumber: %s)', (token, isJsonNumber) => {
    const value = parseLossless(`[${token}]`) as JsonValue[];
    if (isJsonNumber) expect(value[0]).toEqual(new JsonNumber(token));
    else expect(value[0]).toBe(Number(token));
  });

  it('ignores digits, quotes and exponents inside strings', () => {
    const text = String.raw`{"a":"12345678901234567890","b":"say \"1e5\" and \\","c":12345678901234567890,"d":"\\\"99999999999999999999\"","e":[1.0,"2.0"]}`;
    const value = parseLossless(text) as Record<string, JsonValue>;
    expect(value.a).toBe('12345678901234567890');
    expect(value.b).toBe('say "1e5" and \\');
    expect(value.c).toEqual(new JsonNumber('12345678901234567890'));
    expect(value.d).toBe('\\"99999999999999999999"');
    expect(value.e).toEqual([new JsonNumber('1.0'), '2.0']);
    expect(value).toEqual(oracle(text));
  });

  it('stays exact when the text contains the marker escapes (falls back to other markers, then to doubled U+0000)', () => {
    const one = String.raw`{"s":"\u0000x","n":12345678901234567890}`;
    expect(parseLossless(one)).toEqual({ s: '\u0000x', n: new JsonNumber('12345678901234567890') });
    const codes = [0, 1, 2, 3, 4, 5, 6, 7, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19];
    const all = `{"s":"${codes.map((c) => '\\u' + c.toString(16).padStart(4, '0')).join('')}","n":-1.250e-7}`;
    const value = parseLossless(all) as Record<string, JsonValue>;
    expect(value.n).toEqual(new JsonNumber('-1.250e-7'));
    expect(value.s).toBe(String.fromCharCode(...codes));
    // Every marker taken, and strings that start with U+0000 (once, twice) beside exact numbers.
    const tricky = `{"a":"\\u0000","b":"\\u0000\\u0000x","c":12345678901234567890,"d":["\\u00001.5",1.50],"all":"${codes.map((c) => '\\u' + c.toString(16).padStart(4, '0')).join('')}"}`;
    const parsed = parseLossless(tricky) as Record<string, JsonValue>;
    expect(parsed).toEqual({ ...(oracle(tricky) as object) });
    expect(parsed.b).toBe('\u0000\u0000x');
    expect(parsed.d).toEqual(['\u00001.5', new JsonNumber('1.50')]);
  });

  it('parses and writes values nested 100,000 levels deep (a jsonb column can be), exactly', () => {
    const depth = 100_000;
    const text = '['.repeat(depth) + '12345678901234567890' + ']'.repeat(depth);
    let value = parseLossless(text);
    for (let d = 0; d < depth; d++) value = (value as JsonValue[])[0];
    expect(value).toEqual(new JsonNumber('12345678901234567890'));
    expect(stringifyLossless(parseLossless(text))).toBe(text);
    const objects = '{"a":'.repeat(depth) + '1.50' + '}'.repeat(depth);
    expect(stringifyLossless(parseLossless(objects))).toBe(objects);
    expect(stringifyLossless(parseLossless('[[1,{"k":[2]}]]'), 1)).toBe('[\n [\n  1,\n  {\n   "k": [\n    2\n   ]\n  }\n ]\n]');
  });

  it('keeps a __proto__ key as data, never as the prototype', () => {
    const value = parseLossless('{"__proto__":12345678901234567890,"x":1}') as Record<string, JsonValue>;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(value, '__proto__')?.value).toEqual(new JsonNumber('12345678901234567890'));
    expect(stringifyLossless(value)).toBe('{"__proto__":12345678901234567890,"x":1}');
  });

  it('rejects invalid JSON with a SyntaxError, truncated or not', () => {
    for (const bad of ['{"a":1', '{"a":"x', '{"a":12345678901234567890', 'nul', '{"a":01}', '[1,]', '\u0000']) {
      expect(() => parseLossless(bad)).toThrow(SyntaxError);
    }
  });

  it('agrees with lossless-json on generated adversarial documents', () => {
    let seed = 42;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const numbers = [
      '0',
      '-0',
      '7',
      '-42',
      '1.5',
      '1.50',
      '2e10',
      '-3.2E-5',
      '9007199254740993',
      '-99999999999999999999',
      '0.1',
      '1e-7',
      '123456789012345678',
      '-9223372036832400000',
      '100000000000000000000',
    ];
    const strings = ['"plain"', '"q\\"uote"', '"back\\\\"', '"1234567890123456789"', '"\\u00e9\\n"', '"\\"12\\\\\\"3"', '""', '"e-5"'];
    const gen = (depth: number): string => {
      const pick = rand(depth > 3 ? 3 : 6);
      if (pick === 0) return numbers[rand(numbers.length)];
      if (pick === 1) return strings[rand(strings.length)];
      if (pick === 2) return ['true', 'false', 'null'][rand(3)];
      if (pick === 3 || pick === 4)
        return `{${Array.from({ length: rand(4) }, (_, i) => `${strings[rand(strings.length)].slice(0, -1)}${i}": ${gen(depth + 1)}`).join(' , ')}}`;
      return `[ ${Array.from({ length: rand(4) }, () => gen(depth + 1)).join(',')} ]`;
    };
    for (let i = 0; i < 500; i++) {
      const text = gen(0);
      expect({ text, value: parseLossless(text) }).toEqual({ text, value: oracle(text) });
    }
  });

  it('places exact numbers where JSON.parse put them, also with repeated keys, keys like array indices and deep nesting', () => {
    // A repeated key keeps its first place and its last value; index-like keys come first.
    expect(parseLossless('{"a":"s","b":1.50,"a":1.5}')).toEqual({ a: 1.5, b: new JsonNumber('1.50') });
    expect(parseLossless('{"a":1.50,"b":2,"a":12345678901234567890}')).toEqual({ a: new JsonNumber('12345678901234567890'), b: 2 });
    const indexed = parseLossless('{"b":1.50,"1":2.50,"0":7,"c":[-0,1e3]}') as Record<string, JsonValue>;
    expect(Object.keys(indexed)).toEqual(['0', '1', 'b', 'c']);
    expect(indexed).toEqual({ 0: 7, 1: new JsonNumber('2.50'), b: new JsonNumber('1.50'), c: [new JsonNumber('-0'), new JsonNumber('1e3')] });
    const deep = '{"x":'.repeat(80) + '[1.50,{"y":12345678901234567890}]' + '}'.repeat(80);
    expect(stringifyLossless(parseLossless(deep))).toBe(deep);
    expect(parseLossless(' 1.50 ')).toEqual(new JsonNumber('1.50'));
    expect(parseLossless('[1.5,1.50,"1.50",1.500]')).toEqual([1.5, new JsonNumber('1.50'), '1.50', new JsonNumber('1.500')]);
  });

  it('agrees with lossless-json on generated documents with repeated and index-like keys', () => {
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const numbers = ['0', '-0', '1.5', '1.50', '1e3', '9007199254740993', '12', '-1.0', '3.25'];
    const keys = ['"a"', '"b"', '"0"', '"1"', '"10"', '"a\\"', '"x:y"', '""'];
    const gen = (depth: number): string => {
      const pick = rand(depth > 4 ? 2 : 4);
      if (pick === 0) return numbers[rand(numbers.length)];
      if (pick === 1) return ['"s"', 'null', 'true', '"1.50"'][rand(4)];
      if (pick === 2) return `{${Array.from({ length: rand(5) }, () => `${keys[rand(keys.length)]}:${gen(depth + 1)}`).join(',')}}`;
      return `[${Array.from({ length: rand(4) }, () => gen(depth + 1)).join(',')}]`;
    };
    for (let i = 0; i < 1000; i++) {
      const text = gen(0);
      expect({ text, value: parseLossless(text) }).toEqual({ text, value: oracle(text) });
    }
  });

  it('keeps as numbers only tokens a double holds exactly', () => {
    expect(isExactAsNumber('9007199254740991')).toBe(true);
    expect(isExactAsNumber('9007199254740992')).toBe(false);
    expect(isExactAsNumber('100000000000000000000')).toBe(false);
    expect(isExactAsNumber('0.30000000000000004')).toBe(true);
  });

  it('finds no inexact spans in plain events, so they go straight to JSON.parse', () => {
    expect(inexactNumberSpans('{"a":1,"b":"1.5e10","c":[true,null,-3]}')).toBeNull();
    expect(inexactNumberSpans('{"a":1.25}')).toBeNull();
    expect(inexactNumberSpans('{"a":1.250}')).toEqual([5, 10]);
  });
});

describe('stringifyLossless', () => {
  it('writes JsonNumbers and BigInts as their digits and keeps key order', () => {
    const text = '{"z":1,"a":{"ts_ns":1763780000003123456,"d":1.50},"m":[-0,"x"]}';
    expect(stringifyLossless(parseLossless(text))).toBe(text);
    expect(stringifyLossless({ big: 2n ** 70n })).toBe('{"big":1180591620717411303424}');
  });

  it('writes what JSON.stringify writes for plain values, with and without an indent', () => {
    const values: unknown[] = [
      [],
      {},
      [[]],
      [{}],
      { a: [], b: {}, c: [null, true, 'x"y', -1.5] },
      { u: undefined, v: 1 },
      [undefined, NaN, Infinity],
      'é\u2028',
    ];
    for (const value of values) {
      expect(stringifyLossless(value)).toBe(JSON.stringify(value));
      expect(stringifyLossless(value, 2)).toBe(JSON.stringify(value, null, 2));
    }
  });

  it('pretty-prints with an indent', () => {
    expect(stringifyLossless({ a: [1, new JsonNumber('2.0')], b: {} }, 2)).toBe('{\n  "a": [\n    1,\n    2.0\n  ],\n  "b": {}\n}');
  });
});
