/**
 * A JSON text parser for streams of `{"schema":…,"payload":…}` records that parses each distinct
 * schema once. Events of one table repeat the same schema text (often 80 % of the line); when a line
 * starts with a schema text seen before, only the payload is parsed and the earlier schema object is
 * reused. Exact: the reuse happens only when the schema text is byte-for-byte the same.
 *
 * Given the line as UTF-8 bytes (`parse.bytes`), the schema is compared as bytes (memcmp) and only
 * the payload is decoded to a string: most of a line is never turned into text at all.
 */
import { createTemplateParser, parseLossless, valueEnd, type JsonValue, type TemplateParser } from '../json';

const HEAD = '{"schema":';
const JOIN = ',"payload":';
const MAX_CACHED = 16;

interface CachedSchema {
  text: string;
  /** HEAD + text + JOIN as UTF-8, made on the first byte compare. */
  prefix?: Buffer;
  value: JsonValue;
  /** Parses this schema's payloads given as bytes: they repeat one shape, which it learns (made on first use). */
  parsePayload?: TemplateParser;
}

export interface EventTextParser {
  (text: string): JsonValue;
  /** The same for one line as valid UTF-8 bytes (no line end); throws as the text parser would on its text. */
  bytes(line: Buffer): JsonValue;
}

/** Returns a parser with its own schema cache (one per stream or consumer). */
export function createEventTextParser(): EventTextParser {
  const cache: CachedSchema[] = [];

  const parseEventText = function parseEventText(text: string): JsonValue {
    if (!text.startsWith(HEAD)) return parseLossless(text);
    for (let k = 0; k < cache.length; k++) {
      const entry = cache[k];
      const joinAt = HEAD.length + entry.text.length;
      // substring + === compares as memcmp; startsWith(x, position) is several times slower in V8.
      if (text.substring(HEAD.length, joinAt) === entry.text && text.startsWith(JOIN, joinAt)) {
        const payload = payloadOf(text, joinAt + JOIN.length);
        if (payload === undefined) break;
        if (k > 0) {
          cache.splice(k, 1);
          cache.unshift(entry);
        }
        return { schema: entry.value, payload };
      }
    }
    const value = parseLossless(text);
    const end = valueEnd(text, HEAD.length);
    if (end > 0 && text.startsWith(JOIN, end) && value !== null && typeof value === 'object' && 'schema' in value) {
      cache.unshift({ text: text.slice(HEAD.length, end), value: (value as { schema: JsonValue }).schema });
      if (cache.length > MAX_CACHED) cache.pop();
    }
    return value;
  } as EventTextParser;

  parseEventText.bytes = function parseEventBytes(line: Buffer): JsonValue {
    if (line.length > HEAD.length && line[0] === 123 /* { */) {
      for (let k = 0; k < cache.length; k++) {
        const entry = cache[k];
        // `{"schema":` + the schema + `,"payload":` as one memcmp.
        const prefix = (entry.prefix ??= Buffer.from(HEAD + entry.text + JOIN));
        const start = prefix.length;
        if (line.length > start && line.compare(prefix, 0, start, 0, start) === 0) {
          let end = line.length;
          while (end > start && isSpace(line[end - 1])) end--;
          if (line[end - 1] !== 125 /* } */) break;
          let payload: JsonValue;
          try {
            payload = (entry.parsePayload ??= createTemplateParser())(line, start, end - 1);
          } catch {
            break; // the text path decides (and words the error) on the whole line
          }
          if (k > 0) {
            cache.splice(k, 1);
            cache.unshift(entry);
          }
          return { schema: entry.value, payload };
        }
      }
    }
    return parseEventText(line.toString('utf8'));
  };
  return parseEventText;
}

/** The payload value between `start` and the envelope's closing brace, or undefined when that text is not one JSON value. */
function payloadOf(text: string, start: number): JsonValue | undefined {
  let end = text.length;
  while (end > start && isSpace(text.charCodeAt(end - 1))) end--;
  if (text.charCodeAt(end - 1) !== 125 /* } */) return undefined;
  try {
    return parseLossless(text.slice(start, end - 1));
  } catch {
    // e.g. `{"schema":S,"payload":P,"extra":1}`: let the full parse decide.
    return undefined;
  }
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}
