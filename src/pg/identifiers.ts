/**
 * Table and schema names from the command line, always sent to Postgres as quoted identifiers.
 * Names follow Postgres' own rules so that `--table Bank.Holding` means what psql would make of
 * it: unquoted parts fold to lower case, double-quoted parts are kept exactly ("" is a quote).
 * Whatever a part contains, it only ever reaches SQL through `quoteIdent`, so a hostile name is
 * just an odd table name, never SQL.
 */
import { UsageError } from '../errors';

export interface QualifiedName {
  schema: string;
  table: string;
}

/** Postgres truncates longer identifiers silently; refusing them avoids writing to another table. */
const MAX_IDENTIFIER_BYTES = 63;

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function quoteQualified(name: QualifiedName): string {
  return `${quoteIdent(name.schema)}.${quoteIdent(name.table)}`;
}

/** `schema.table` as a person reads it (quoted only where psql would need quotes). */
export function displayName(name: QualifiedName): string {
  const show = (part: string) => (/^[a-z_][a-z0-9_$]*$/.test(part) ? part : quoteIdent(part));
  return `${show(name.schema)}.${show(name.table)}`;
}

/** Splits `[schema.]table` into its parts; `defaultSchema` applies when no schema is given. */
export function parseQualifiedName(text: string, defaultSchema = 'public', what = 'table'): QualifiedName {
  const parts = splitIdentifierParts(text, what);
  if (parts.length === 1) return { schema: checkIdentifier(defaultSchema, 'schema'), table: parts[0] };
  if (parts.length === 2) return { schema: parts[0], table: parts[1] };
  throw new UsageError(`bad ${what} name ${JSON.stringify(text)}: expected [schema.]table`, 'quote names that contain dots: \'"my.schema"."my.table"\'');
}

/** One identifier (a schema name), with the same quoting rules. */
export function parseIdentifier(text: string, what = 'schema'): string {
  const parts = splitIdentifierParts(text, what);
  if (parts.length !== 1)
    throw new UsageError(`bad ${what} name ${JSON.stringify(text)}: one name expected`, 'quote a name that contains dots: \'"my.schema"\'');
  return parts[0];
}

function splitIdentifierParts(text: string, what: string): string[] {
  const parts: string[] = [];
  let i = 0;
  while (i <= text.length) {
    let part: string;
    if (text[i] === '"') {
      let j = i + 1;
      part = '';
      for (;;) {
        if (j >= text.length) throw new UsageError(`bad ${what} name ${JSON.stringify(text)}: unterminated quote`);
        if (text[j] === '"') {
          if (text[j + 1] === '"') {
            part += '"';
            j += 2;
            continue;
          }
          break;
        }
        part += text[j++];
      }
      i = j + 1;
    } else {
      const dot = text.indexOf('.', i);
      const end = dot === -1 ? text.length : dot;
      part = text.slice(i, end).toLowerCase();
      i = end;
    }
    parts.push(checkIdentifier(part, what));
    if (i >= text.length) break;
    if (text[i] !== '.') throw new UsageError(`bad ${what} name ${JSON.stringify(text)}: unexpected text after a quoted name`);
    i += 1;
  }
  return parts;
}

function checkIdentifier(part: string, what: string): string {
  if (part === '') throw new UsageError(`bad ${what} name: an empty name`);
  if (part.includes('\0')) throw new UsageError(`bad ${what} name: it contains a NUL character`);
  if (Buffer.byteLength(part) > MAX_IDENTIFIER_BYTES) {
    throw new UsageError(
      `bad ${what} name ${JSON.stringify(part)}: longer than ${MAX_IDENTIFIER_BYTES} bytes`,
      'Postgres would truncate it silently; choose a shorter name',
    );
  }
  return part;
}
