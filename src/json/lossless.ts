/**
 * Lossless JSON: numbers keep their exact source text whenever a JavaScript number would not.
 *
 * Node 20's JSON.parse cannot show a reviver the source text of a number, and every modern Debezium
 * event carries a 19-digit `ts_ns`. The rule here (isExactAsNumber): a number token becomes a plain
 * `number` only when the number prints back as the very same text and, for integers, is a safe
 * integer; every other token — 2^53 and beyond, `1.50`, `1e3`, `-0` — becomes a `JsonNumber` holding
 * its source text.
 *
 * How: one string-aware scan finds the (rare) tokens that fail that test, rewrites just those as
 * marked strings, and lets the native JSON.parse do the rest; a walk turns the marked strings back
 * into JsonNumbers. Lines with no such token go straight to JSON.parse. The marker is a control
 * character that the input provably cannot produce (it does not contain its `\u00XX` escape, and raw
 * control characters are invalid inside JSON strings). When the input contains every candidate's
 * escape, U+0000 is used anyway and each string of the input that starts with it gets a second one,
 * so a string starting with two markers is data and one starting with a single marker is a number.
 *
 * Depth: V8's JSON.parse does not recurse, and nothing here does either, so a value nested 100,000
 * levels deep parses like any other (memory stays proportional to the text).
 */
import { JsonNumber, setOwn, type JsonObject, type JsonValue } from './value';

/** Control characters usable as markers: their only JSON spelling is `\u00XX` with decimal digits. */
const MARKER_CODES = [0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19];
/** Each marker's JSON escape (`\u0001`), made once. */
const MARKER_ESCAPES = MARKER_CODES.map((code) => '\\u' + code.toString(16).padStart(4, '0'));
const FALLBACK_MARKER = 0x00;
const FALLBACK_ESCAPE = '\\u0000';

const MAX_SAFE_DIGITS = String(Number.MAX_SAFE_INTEGER);

/** Parses JSON text; throws SyntaxError (from JSON.parse) on invalid text. */
export function parseLossless(text: string): JsonValue {
  const spans = inexactNumberSpans(text);
  if (spans === null) return JSON.parse(text) as JsonValue;
  const free = pickMarker(text);
  const marker = free < 0 ? FALLBACK_MARKER : MARKER_CODES[free];
  // Offsets where a genuine string starts with the fallback marker (only when no marker is free).
  let doubled: number[] = [];
  if (free < 0) doubled = markerStringStarts(text);
  const escape = '"' + (free < 0 ? FALLBACK_ESCAPE : MARKER_ESCAPES[free]);
  let rewritten = '';
  let from = 0;
  let d = 0;
  for (let k = 0; k < spans.length; k += 2) {
    for (; d < doubled.length && doubled[d] < spans[k]; d++) {
      rewritten += text.slice(from, doubled[d]) + FALLBACK_ESCAPE;
      from = doubled[d];
    }
    rewritten += text.slice(from, spans[k]) + escape + text.slice(spans[k], spans[k + 1]) + '"';
    from = spans[k + 1];
  }
  for (; d < doubled.length; d++) {
    rewritten += text.slice(from, doubled[d]) + FALLBACK_ESCAPE;
    from = doubled[d];
  }
  rewritten += text.slice(from);
  // Without doubled strings every marked string is one of the spans: the walk may stop at the last.
  return unmark(JSON.parse(rewritten) as JsonValue, marker, doubled.length === 0 ? spans.length / 2 : Infinity);
}

/**
 * Start/end offsets (flattened pairs) of number tokens outside strings whose JavaScript number would
 * not print back as the same text; null when there are none. Invalid JSON is left for JSON.parse to reject.
 */
export function inexactNumberSpans(text: string): number[] | null {
  let spans: number[] | null = null;
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      i = stringEnd(text, i);
      if (i < 0) return spans; // unterminated string: JSON.parse reports it
      continue;
    }
    if ((c >= 48 && c <= 57) || c === 45 /* - */) {
      const start = i;
      let plainInteger = true;
      i++;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (d >= 48 && d <= 57) {
          i++;
          continue;
        }
        if (d === 46 || d === 101 || d === 69 || d === 43 || d === 45) {
          plainInteger = false;
          i++;
          continue;
        }
        break;
      }
      if (plainInteger) {
        // JSON integers have no leading zeros, so up to 15 digits always fit a double exactly (but
        // -0 does not print back), 17 or more never do, and 16 fit up to 9007199254740991.
        const negative = c === 45;
        const digits = i - start - (negative ? 1 : 0);
        // A marked span is never seen by JSON.parse: what is not a JSON number (a leading zero,
        // a lone minus) is left in place for JSON.parse to reject.
        if (digits === 0 || (digits > 1 && text.charCodeAt(negative ? start + 1 : start) === 48)) continue;
        if (digits < 16) {
          if (!(negative && text.charCodeAt(start + 1) === 48)) continue;
        } else if (digits === 16 && !beyondSafe(text, negative ? start + 1 : start)) continue;
        (spans ??= []).push(start, i);
        continue;
      }
      const token = text.slice(start, i);
      if (!isExactAsNumber(token) && JSON_NUMBER.test(token)) (spans ??= []).push(start, i);
      continue;
    }
    i++;
  }
  return spans;
}

/** RFC 8259's number: only such a token may be marked (anything else is JSON.parse's to reject). */
const JSON_NUMBER = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$/;

/** True when the 16 digits at `at` are more than 9007199254740991 (compared in place: no substring per token). */
function beyondSafe(text: string, at: number): boolean {
  for (let k = 0; k < 16; k++) {
    const d = text.charCodeAt(at + k) - MAX_SAFE_DIGITS.charCodeAt(k);
    if (d !== 0) return d > 0;
  }
  return false;
}

/**
 * True when a JavaScript number holds this JSON number token without loss: it prints back as the same
 * text and, if an integer, is within ±(2^53 − 1) (beyond that, equal printing does not mean equal value).
 */
export function isExactAsNumber(token: string): boolean {
  const n = Number(token);
  if (String(n) !== token) return false;
  return !Number.isInteger(n) || Number.isSafeInteger(n);
}

/** Index just past the closing quote of the string opening at `open`, or -1 when it never closes. */
function stringEnd(text: string, open: number): number {
  let close = text.indexOf('"', open + 1);
  while (close !== -1) {
    let backslashes = 0;
    for (let b = close - 1; text.charCodeAt(b) === 92 /* \ */; b--) backslashes++;
    if ((backslashes & 1) === 0) return close + 1;
    close = text.indexOf('"', close + 1);
  }
  return -1;
}

/** Index just past the JSON object or array opening at `start` (brackets counted outside strings), or -1. */
export function valueEnd(text: string, start: number): number {
  const open = text.charCodeAt(start);
  if (open !== 123 && open !== 91) return -1;
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      const after = stringEnd(text, i);
      if (after === -1) return -1;
      i = after - 1;
    } else if (c === 123 || c === 91) depth++;
    else if (c === 125 || c === 93) {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}

/** Offsets just after the opening quote of each string whose text starts with the `\u0000` escape. */
function markerStringStarts(text: string): number[] {
  const starts: number[] = [];
  // Outside strings the next quote always opens one.
  let i = text.indexOf('"');
  while (i !== -1) {
    if (text.startsWith(FALLBACK_ESCAPE, i + 1)) starts.push(i + 1);
    const end = stringEnd(text, i);
    if (end < 0) break;
    i = text.indexOf('"', end);
  }
  return starts;
}

/** Index in MARKER_CODES of a marker whose escape the text does not contain, or -1. */
function pickMarker(text: string): number {
  for (let k = 0; k < MARKER_ESCAPES.length; k++) if (!text.includes(MARKER_ESCAPES[k])) return k;
  return -1;
}

/** A marked string: a number token (one marker) or, in fallback mode, data that began with the marker (two). */
function unmarkString(value: string, marker: number): JsonValue {
  return value.charCodeAt(1) === marker ? value.slice(1) : new JsonNumber(value.slice(1));
}

/**
 * Replaces marked strings in place, without recursion (any depth); stops once `count` are replaced
 * (Infinity: every string is looked at).
 */
function unmark(root: JsonValue, marker: number, count: number): JsonValue {
  if (typeof root === 'string') return root.charCodeAt(0) === marker ? unmarkString(root, marker) : root;
  if (root === null || typeof root !== 'object') return root;
  const stack: (JsonValue[] | JsonObject)[] = [root as JsonValue[] | JsonObject];
  let left = count;
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (Array.isArray(node)) {
      for (let k = 0; k < node.length; k++) {
        const item = node[k];
        if (typeof item === 'string') {
          if (item.charCodeAt(0) === marker) {
            node[k] = unmarkString(item, marker);
            if (--left === 0) return root;
          }
        } else if (item !== null && typeof item === 'object') stack.push(item as JsonValue[] | JsonObject);
      }
      continue;
    }
    for (const key in node) {
      const item = node[key];
      if (typeof item === 'string') {
        if (item.charCodeAt(0) === marker) {
          setOwn(node, key, unmarkString(item, marker));
          if (--left === 0) return root;
        }
      } else if (item !== null && typeof item === 'object') stack.push(item as JsonValue[] | JsonObject);
    }
  }
  return root;
}
