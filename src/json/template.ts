/**
 * A lossless JSON parser that learns the shape of the texts it is given. The payloads of one table's
 * change events repeat the same keys and punctuation (`{"before":{"id":…},"after":{…},"source":
 * {"version":…},"op":…}`); only the values differ. After one text is parsed (by parseLossless), its
 * value becomes a template: for each object, its keys in order, spelled as JSON.stringify spells them,
 * without whitespace. The next text is matched against the template in place — punctuation and keys
 * compared byte by byte, only the values scanned — and the value is built directly, without
 * JSON.parse, the scan for inexact numbers or the unmark walk (together most of parseLossless's time).
 *
 * Exact by construction: a text matches only when it is the template's literal text with a valid
 * JSON value in each slot, so it is valid JSON, and the value built (keys in text order, numbers by
 * parseLossless's rule, strings sliced or, with escapes, decoded by JSON.parse itself) is the value
 * parseLossless gives. Anything else — another shape, whitespace, a key spelled another way, a
 * duplicated key, a trailing comma, a raw control character in a string — is a miss: the text goes to
 * parseLossless, which parses it or throws as before. Two misses in a row and the template is learned
 * again from the last text (one odd event does not replace a template that fits the others).
 *
 * The values are scanned on the UTF-8 bytes (indexing bytes is cheaper than charCodeAt) and sliced
 * from the decoded text, so only ASCII texts (where byte and character offsets agree) are matched.
 */
import { isExactAsNumber, parseLossless, valueEnd } from './lossless';
import { JsonNumber, isJsonObject, type JsonObject, type JsonValue } from './value';

/** An object of known keys, or null: a slot that takes any JSON value. */
type Slot = ObjectShape | null;

interface ObjectShape {
  /** Before each key's value: `{"key":` for the first key, `,"key":` for the others. */
  literals: string[];
  slots: Slot[];
  /** The values of the object being matched (a shape never nests in itself: one object at a time). */
  values: JsonValue[];
  /** Makes the object from its values: one object literal, keys in order (cheaper than a store per key). */
  build: (values: JsonValue[]) => JsonObject;
}

/** Nesting a template follows; deeper objects are slots parsed by parseLossless (which does not recurse). */
const MAX_SHAPE_DEPTH = 16;
/** Keys a template holds at most (a hostile payload must not make a huge one). */
const MAX_SHAPE_KEYS = 4096;
/** Templates learned per parser: one table's shapes settle after a few (`before` null, then an object). */
const MAX_LEARNS = 32;
/**
 * Once no more is learned, a template that misses this many more texts than it matches is dropped:
 * texts of shapes that keep changing then cost what parseLossless costs, not a failed match more.
 */
const MAX_EXCESS_MISSES = 64;

/** A parser of JSON given as UTF-8 bytes: what parseLossless gives for their text (value or SyntaxError). */
export interface TemplateParser {
  (bytes: Buffer, start: number, end: number): JsonValue;
  /** Texts the template matched (the others went to parseLossless): for tests and profiles. */
  matched: number;
}

/** Returns a parser that learns the shape of the texts it parses (one per stream of similar texts). */
export function createTemplateParser(): TemplateParser {
  let template: ObjectShape | undefined;
  let learns = 0;
  let missed = 0;
  /** Misses since the last match: one odd text does not replace a template that still fits the others. */
  let missedInARow = 0;
  const parse = ((bytes, start, end) => {
    const text = bytes.toString('utf8', start, end);
    if (template !== undefined && text.length === end - start) {
      const matcher = new Matcher(bytes, start, end, text);
      const value = matcher.root(template);
      if (value !== MISS) {
        // An object met where the template takes any value: learn it, so the next one is matched too.
        if (matcher.sawObjectInSlot && learns < MAX_LEARNS) learn(value);
        parse.matched++;
        missedInARow = 0;
        return value;
      }
      missed++;
      missedInARow++;
      if (learns >= MAX_LEARNS && missed > parse.matched + MAX_EXCESS_MISSES) template = undefined;
    }
    const value = parseLossless(text);
    if (learns < MAX_LEARNS && (template === undefined || missedInARow >= 2)) learn(value);
    return value;
  }) as TemplateParser;
  parse.matched = 0;
  return parse;

  function learn(value: JsonValue): void {
    learns++;
    const budget = { keys: MAX_SHAPE_KEYS };
    const shape = shapeOf(value, 0, budget);
    template = shape !== null && budget.keys >= 0 ? shape : undefined;
  }
}

function shapeOf(value: JsonValue, depth: number, budget: { keys: number }): Slot {
  if (!isJsonObject(value) || depth >= MAX_SHAPE_DEPTH) return null;
  const keys = Object.keys(value);
  budget.keys -= keys.length;
  // `__proto__` in an object literal sets the prototype: such objects are left to parseLossless.
  if (budget.keys < 0 || keys.includes('__proto__')) return null;
  const source = keys.map((key, k) => `${JSON.stringify(key)}:v[${k}]`).join(',');
  return {
    literals: keys.map((key, k) => (k === 0 ? '{' : ',') + JSON.stringify(key) + ':'),
    slots: keys.map((key) => shapeOf(value[key], depth + 1, budget)),
    values: new Array<JsonValue>(keys.length).fill(null),
    // The keys are JSON string literals, which are JavaScript string literals: nothing else is in the source.
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    build: new Function('v', `return {${source}};`) as (values: JsonValue[]) => JsonObject,
  };
}

/** Returned by the matcher when the text does not fit the template. */
const MISS: unique symbol = Symbol('miss');
type Matched = JsonValue | typeof MISS;

class Matcher {
  private pos: number;
  /** A slot that takes any value held an object: the template could learn its shape. */
  sawObjectInSlot = false;

  /** `text` is bytes[start, end) decoded, ASCII: its offsets are the byte offsets less `start`. */
  constructor(
    private readonly bytes: Buffer,
    private readonly start: number,
    private readonly end: number,
    private readonly text: string,
  ) {
    this.pos = start;
  }

  root(template: ObjectShape): Matched {
    const value = this.pos < this.end && this.bytes[this.pos] === 123 ? this.object(template) : MISS;
    return value !== MISS && this.pos === this.end ? value : MISS;
  }

  private value(slot: Slot): Matched {
    const c = this.pos < this.end ? this.bytes[this.pos] : -1;
    if (c === 123 /* { */) {
      if (slot !== null) return this.object(slot);
      this.sawObjectInSlot = true;
      return this.composite();
    }
    if (c === 34 /* " */) return this.string();
    if (c === 45 /* - */ || (c >= 48 && c <= 57)) return this.number();
    if (c === 110 /* n */) return this.literal('null') ? null : MISS;
    if (c === 116 /* t */) return this.literal('true') ? true : MISS;
    if (c === 102 /* f */) return this.literal('false') ? false : MISS;
    if (c === 91 /* [ */) return this.composite();
    return MISS;
  }

  private object(shape: ObjectShape): Matched {
    const { literals, slots, values } = shape;
    const n = literals.length;
    if (n === 0) return this.literal('{}') ? {} : MISS;
    for (let k = 0; k < n; k++) {
      if (!this.literal(literals[k])) return MISS;
      const value = this.value(slots[k]);
      if (value === MISS) return MISS;
      values[k] = value;
    }
    if (this.pos >= this.end || this.bytes[this.pos] !== 125 /* } */) return MISS;
    this.pos++;
    return shape.build(values);
  }

  /**
   * Consumes `literal` when the text has it at the current position. One substring compare costs
   * fewer instructions than a loop over the bytes (the whole match: 33k instead of 35k per bench payload).
   */
  private literal(literal: string): boolean {
    const at = this.pos - this.start;
    if (this.text.substring(at, at + literal.length) !== literal) return false;
    this.pos += literal.length;
    return true;
  }

  /** A JSON string: sliced when it has no escape, else decoded by JSON.parse (which also checks the escapes). */
  private string(): Matched {
    const bytes = this.bytes;
    const end = this.end;
    const open = this.pos;
    let escaped = false;
    let i = open + 1;
    for (;;) {
      if (i >= end) return MISS;
      const c = bytes[i];
      if (c === 34) break;
      if (c === 92 /* \ */) {
        escaped = true;
        i += 2;
        continue;
      }
      if (c < 32) return MISS; // a raw control character: invalid JSON
      i++;
    }
    this.pos = i + 1;
    const from = open - this.start;
    const to = i - this.start;
    if (!escaped) return this.text.slice(from + 1, to);
    try {
      return JSON.parse(this.text.slice(from, to + 1)) as string;
    } catch {
      return MISS;
    }
  }

  /**
   * RFC 8259's number, kept as parseLossless keeps it: a number when it prints back as the same text
   * (and an integer is safe), otherwise a JsonNumber with its text.
   */
  private number(): Matched {
    const bytes = this.bytes;
    const end = this.end;
    const start = this.pos;
    let i = start;
    const negative = bytes[i] === 45;
    if (negative) i++;
    // The integer part's value, summed while scanning: exact up to 2^53. Beyond, each step rounds
    // monotonically, so a value above Number.MAX_SAFE_INTEGER stays above it (never exact then).
    let value = 0;
    let c = i < end ? bytes[i] : -1;
    if (c === 48) i++;
    else if (c >= 49 && c <= 57) {
      do {
        value = value * 10 + (c - 48);
        i++;
      } while (i < end && (c = bytes[i]) >= 48 && c <= 57);
    } else return MISS;
    let plain = true;
    if (i < end && bytes[i] === 46 /* . */) {
      plain = false;
      i++;
      const from = i;
      while (i < end && (c = bytes[i]) >= 48 && c <= 57) i++;
      if (i === from) return MISS;
    }
    c = i < end ? bytes[i] : -1;
    if (c === 101 || c === 69 /* e E */) {
      plain = false;
      i++;
      c = i < end ? bytes[i] : -1;
      if (c === 43 || c === 45) i++;
      const from = i;
      while (i < end && (c = bytes[i]) >= 48 && c <= 57) i++;
      if (i === from) return MISS;
    }
    this.pos = i;
    if (plain && value <= Number.MAX_SAFE_INTEGER) {
      // -0 does not print back as itself (no leading zeros: the text is `-0`).
      if (negative && value === 0) return new JsonNumber('-0');
      return negative ? -value : value;
    }
    const token = this.text.slice(start - this.start, i - this.start);
    if (plain) return new JsonNumber(token);
    return isExactAsNumber(token) ? Number(token) : new JsonNumber(token);
  }

  /** An object or array in a slot with no shape: its extent found string-aware, parsed by parseLossless. */
  private composite(): Matched {
    const from = this.pos - this.start;
    const close = valueEnd(this.text, from);
    if (close < 0) return MISS;
    try {
      const value = parseLossless(this.text.slice(from, close));
      this.pos = close + this.start;
      return value;
    } catch {
      return MISS;
    }
  }
}
