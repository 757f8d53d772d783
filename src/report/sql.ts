/**
 * A small builder for parameterised SQL: every user value becomes a `$n` placeholder, every name
 * goes through `quoteIdent`. Reports never concatenate a user's text into SQL.
 */
import { quoteIdent } from '../pg/identifiers';

export class SqlBuilder {
  readonly values: unknown[] = [];

  /**
   * @param inline write values as literals instead of placeholders: only for view definitions,
   *   which cannot take parameters, and only ever with the catalog's own constants.
   */
  constructor(private readonly inline = false) {}

  /** A placeholder for `value`, with a cast so PostgreSQL never has to guess its type. */
  param(value: unknown, cast: string): string {
    if (this.inline) return `${literal(value)}::${cast}`;
    this.values.push(value);
    return `$${this.values.length}::${cast}`;
  }
}

function literal(value: unknown): string {
  if (Array.isArray(value)) return `ARRAY[${value.map(literal).join(', ')}]`;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  if (typeof value === 'string') return `'${value.replace(/'/g, "''")}'`;
  throw new TypeError(`no SQL literal for ${typeof value}`);
}

/** `"schema"."table_history"`: the SCD2 table `cdc sink postgres` maintains for a source table. */
export function historyTable(schema: string, table: string): string {
  return `${quoteIdent(schema)}.${quoteIdent(`${table}_history`)}`;
}
